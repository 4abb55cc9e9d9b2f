/**
 * A real PostgreSQL server for the tests and the load benchmark, started by
 * the project itself: Debian's `postgresql` binaries (.ci/run installs the
 * package), a fresh cluster in a temporary directory (initdb), one postgres
 * process on a free loopback port with trust authentication, stopped and
 * deleted at the end. Tests that need it say "PostgreSQL" in their name and
 * use `postgresAvailability()` to fail in CI, or to skip loudly elsewhere,
 * when no server binary exists. Node-only.
 *
 * PostgreSQL refuses to run as root; as root (CI, this machine) the cluster
 * belongs to the `postgres` user the Debian package creates (else `nobody`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';

interface Binaries {
  initdb: string;
  postgres: string;
}

/** initdb and postgres from PATH, else from Debian's versioned directory (not on PATH), newest first. */
export function findPostgresBinaries(): Binaries | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const version of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) dirs.push(join(debian, version, 'bin'));
  }
  for (const dir of dirs) {
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'postgres'))) return { initdb: join(dir, 'initdb'), postgres: join(dir, 'postgres') };
  }
  return undefined;
}

export type Availability = { ok: true } | { ok: false; reason: string };

/**
 * Whether the PostgreSQL tests can run. In CI (CI=true) a missing server is a
 * failure, not a skip: .ci/run installs it, so its absence is a broken setup.
 */
export function postgresAvailability(): Availability {
  if (findPostgresBinaries()) return { ok: true };
  const reason = 'no PostgreSQL server binary (initdb, postgres) on PATH or in /usr/lib/postgresql/*/bin: install Debian\'s postgresql (as .ci/run does)';
  if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
  return { ok: false, reason };
}

function serviceUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => line.split(':'));
  const entry = passwd.find((fields) => fields[0] === 'postgres') ?? passwd.find((fields) => fields[0] === 'nobody');
  if (!entry) throw new Error('running as root, and neither a postgres nor a nobody user exists to own the test cluster');
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export class PostgresServer {
  readonly port: number;
  readonly #process: ChildProcess;
  readonly #root: string;
  #databases = 0;

  private constructor(port: number, child: ChildProcess, root: string) {
    this.port = port;
    this.#process = child;
    this.#root = root;
  }

  /** The postmaster's process id (its backends are its children). */
  get pid(): number {
    return this.#process.pid!;
  }

  /**
   * Initializes a cluster and starts the server; resolves once it accepts
   * connections. `durable`: fsync and synchronous commit on, as in production
   * (the load benchmark); the tests leave them off. `statementCounts`: the
   * server counts the statements it runs (pg_stat_statements, which Debian's
   * server package ships), read with `statementCount`.
   */
  static async start(options: { durable?: boolean; statementCounts?: boolean } = {}): Promise<PostgresServer> {
    const binaries = findPostgresBinaries();
    if (!binaries) throw new Error('no PostgreSQL server binary (see postgresAvailability)');
    const user = serviceUser();
    const root = mkdtempSync(join(tmpdir(), 'qrpay-pg-'));
    if (user) chownSync(root, user.uid, user.gid);
    const data = join(root, 'data');
    const init = spawnSync(binaries.initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--no-sync', '--no-instructions'], {
      cwd: root, encoding: 'utf8', ...(user ?? {}),
    });
    if (init.status !== 0) {
      rmSync(root, { recursive: true, force: true });
      throw new Error(`initdb failed (${init.status}): ${init.stderr || init.error?.message}`);
    }
    const port = await freePort();
    // Durability is not under test in the tests (the database is thrown away): no fsync, so the suite stays quick.
    const speed = options.durable ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'];
    const counts = options.statementCounts ? ['-c', 'shared_preload_libraries=pg_stat_statements'] : [];
    const child = spawn(binaries.postgres, [
      '-D', data, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${root}`, ...speed, ...counts, '-c', 'max_connections=200',
    ], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], ...(user ?? {}) });
    let log = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-4000);
    });
    const server = new PostgresServer(port, child, root);
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${log}`);
      const client = new pg.Client({ connectionString: server.url('postgres') });
      try {
        await client.connect();
        if (options.statementCounts) await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
        await client.end();
        return server;
      } catch {
        if (Date.now() > deadline) {
          await server.stop();
          throw new Error(`postgres did not accept connections within 30 s: ${log}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  url(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** A new, empty database; its URL. */
  async createDatabase(): Promise<string> {
    const name = `qrpay_${process.pid}_${++this.#databases}`;
    const client = new pg.Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${name}`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  /**
   * Statements the server has run in one database so far (BEGIN and COMMIT included), on a server started with
   * `statementCounts`.
   */
  async statementCount(databaseUrl: string): Promise<number> {
    const client = new pg.Client({ connectionString: this.url('postgres') });
    await client.connect();
    try {
      const { rows } = await client.query<{ calls: string | null }>(
        'SELECT SUM(s.calls) AS calls FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = $1',
        [new URL(databaseUrl).pathname.slice(1)],
      );
      return Number(rows[0].calls ?? 0);
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    if (this.#process.exitCode === null) {
      const exited = new Promise((resolve) => this.#process.once('exit', resolve));
      this.#process.kill('SIGINT'); // fast shutdown: disconnects clients, no waiting for them
      await exited;
    }
    rmSync(this.#root, { recursive: true, force: true });
  }
}
