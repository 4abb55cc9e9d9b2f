/**
 * The reference authorizer on its own: schema migrations, what survives a
 * restart, HTTP refusals, manual enrollment approval.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeHttpClient } from '../../../hal/sim/http';
import { isHalError } from '../../../hal/errors';
import { allMigrations, latestSchemaVersion, migrate, openDatabase, schemaVersion } from '../../../tools/authorizer/store/sqlite/database';
import { protocolMigrations as migrations } from '../../../tools/authorizer/store/sqlite/protocol';
import { startAuthorizer } from '../../../tools/authorizer/authorizer';
import { bootTerminal, journal, pay, Wallet } from '../../support/e2e-world';
import { captureConsole } from '../../support/capture-console';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qrpay-authorizer-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const http = new NodeHttpClient();
function post(url: string, body: Uint8Array, type = 'application/cose') {
  return http.request({ method: 'POST', url, headers: { 'content-type': type }, body, timeout: 2000 });
}

describe('authorizer database', () => {
  it('migrates a new database to the latest schema, once', () => {
    const dir = tempDir();
    const db = openDatabase(dir);
    expect(schemaVersion(db)).toBe(latestSchemaVersion);
    expect(migrate(db, allMigrations)).toEqual([]);
    db.close();
  });

  it('brings a database of an older schema forward, keeping its rows', () => {
    const dir = tempDir();
    const old = new Database(join(dir, 'authorizer.sqlite'));
    migrate(old, migrations.slice(0, 1));
    old.prepare("INSERT INTO settings (key, value) VALUES ('probe', x'01')").run();
    old.close();
    const db = openDatabase(dir);
    expect(schemaVersion(db)).toBe(latestSchemaVersion);
    expect((db.prepare("SELECT value FROM settings WHERE key = 'probe'").get() as { value: Buffer }).value).toEqual(Buffer.from([1]));
    expect(db.prepare("SELECT version FROM list_versions WHERE list = 'trust'").get()).toEqual({ version: 1 });
    db.close();
  });

  it('counts the payments an older database holds per merchant and minute when it gains merchant_minutes (107)', () => {
    const dir = tempDir();
    const old = new Database(join(dir, 'authorizer.sqlite'));
    migrate(old, allMigrations.filter((m) => m.version < 107));
    old.pragma('foreign_keys = OFF');
    const insert = old.prepare(
      `INSERT INTO payments (request_id, request_hash, account, credential, device_alg, device_key, merchant_id, terminal_id, amount, currency, at, state)
       VALUES (?, ?, 'a', 'c', 'ES256', x'00', ?, 'T', ?, 'EUR', ?, ?)`,
    );
    const rows: [string, number, number, string][] = [
      ['M1', 100, 120_000, 'captured'], ['M1', 200, 179_999, 'pending'], ['M1', 400, 150_000, 'declined'], ['M1', 800, 180_000, 'authorized'],
      ['M2', 50, 120_001, 'partially-refunded'], ['M2', 60, 120_002, 'reversed'],
    ];
    rows.forEach(([merchant, amount, at, state], i) => insert.run(i + 1, Buffer.of(i), merchant, amount, at, state));
    old.close();
    const db = openDatabase(dir);
    expect(db.prepare('SELECT merchant_id, minute, payments, amount FROM merchant_minutes ORDER BY merchant_id, minute').all()).toEqual([
      { merchant_id: 'M1', minute: 120_000, payments: 2, amount: 300 }, { merchant_id: 'M1', minute: 180_000, payments: 1, amount: 800 },
      { merchant_id: 'M2', minute: 120_000, payments: 1, amount: 50 },
    ]);
    db.close();
  });

  it('keeps keys, terminals and decisions across a restart, and answers a retry identically after it', async () => {
    const dir = tempDir();
    const wallet = new Wallet();
    const issuers = [{ alg: wallet.issuer.alg, kid: wallet.issuer.kid, publicKey: wallet.issuer.publicKey }];
    let authorizer = await startAuthorizer({ dataDir: join(dir, 'authorizer'), issuers, port: 0, enrollment: 'open' });
    const port = authorizer.port;
    const { terminal, hal } = await bootTerminal({ url: authorizer.url, dataDir: join(dir, 'terminal') });
    hal.shutdown();
    let sent: Uint8Array | undefined;
    const wrapped = hal.http;
    hal.http = { request: async (r) => { sent = r.body; return wrapped.request(r); } };
    const decision = await pay(terminal, wallet.code());
    expect(decision.outcome).toBe('approved');
    const key = authorizer.decisionKey;
    await authorizer.close();

    authorizer = await startAuthorizer({ dataDir: join(dir, 'authorizer'), port, enrollment: 'open' });
    try {
      expect(authorizer.decisionKey).toEqual(key);
      const again = await post(`${authorizer.url}/v1/authorize`, sent!);
      expect(again.body).toEqual(decision.signed);
      const rows = journal({ authorizer });
      expect(rows.map((r) => [r.trace, r.retry_of === null, r.outcome])).toEqual([[1, true, 'approved'], [1, false, null]]);
      // The restarted terminal still needs no enrollment and its next request is accepted.
      const next = await pay(terminal, wallet.code());
      expect(next).toMatchObject({ outcome: 'approved', trace: 2 });
    } finally {
      await authorizer.close();
    }
  });
});

describe('authorizer HTTP', () => {
  it('refuses what it cannot read, and journals unreadable requests', async () => {
    const authorizer = await startAuthorizer({ dataDir: join(tempDir(), 'a') });
    try {
      const refusal = async (promise: Promise<unknown>) => {
        try {
          await promise;
          return 'answered';
        } catch (error) {
          return isHalError(error, 'bad-status') ? error.status : String(error);
        }
      };
      expect(await refusal(post(`${authorizer.url}/v1/authorize`, Uint8Array.of(1, 2, 3), 'text/plain'))).toBe(415);
      expect(await refusal(post(`${authorizer.url}/v1/authorize`, new Uint8Array(20_000)))).toBe(413);
      expect(await refusal(post(`${authorizer.url}/v1/nowhere`, Uint8Array.of(1)))).toBe(404);
      expect(await refusal(post(`${authorizer.url}/v1/authorize`, Uint8Array.of(0xd2, 0x84, 0x40, 0xa0)))).toBe(400);
      expect(await refusal(post(`${authorizer.url}/v1/enroll`, Uint8Array.of(0xa0)))).toBe(400);
      // The unreadable one is counted and sampled, not journaled.
      expect(authorizer.db.prepare('SELECT COUNT(*) AS n FROM requests').get()).toEqual({ n: 0 });
      const strangers = await authorizer.store.transaction((tx) => tx.requests.strangers());
      expect(strangers.counts).toEqual({ unreadable: 1 });
      expect(strangers.samples[0].problem).toMatch(/COSE_Sign1/);
      // Liveness, nothing a stranger could learn about the traffic from.
      const health = await http.request({ method: 'GET', url: `${authorizer.url}/v1/health`, timeout: 2000 });
      expect(JSON.parse(new TextDecoder().decode(health.body))).toEqual({ ok: true });
    } finally {
      await authorizer.close();
    }
  });

  it('holds a terminal as pending until an operator approves it', async () => {
    const dir = tempDir();
    const authorizer = await startAuthorizer({ dataDir: join(dir, 'a'), enrollment: 'manual' });
    try {
      await expect(bootTerminal({ url: authorizer.url, dataDir: join(dir, 't') })).rejects.toMatchObject({ kind: 'enrollment-pending' });
      const pending = authorizer.db.prepare("SELECT id FROM terminals WHERE status = 'pending'").all() as { id: string }[];
      expect(pending).toHaveLength(1);
      expect(await authorizer.service.approveTerminal(pending[0].id)).toBe(true);
      const { terminal, hal } = await bootTerminal({ url: authorizer.url, dataDir: join(dir, 't') });
      hal.shutdown();
      expect(terminal.identity!.terminalId).toBe(pending[0].id);
    } finally {
      await authorizer.close();
    }
  });
});

describe('qrpay authorizer command', () => {
  async function cli(...args: string[]): Promise<{ code: number; out: string }> {
    const { run } = await import('../../../tools/cli/authorizer');
    const { code, all } = await captureConsole(() => run(args));
    return { code, out: all };
  }

  it('explains itself and refuses bad options', async () => {
    expect((await cli('--help')).out).toContain('--trust-issuer-file');
    expect((await cli('--port', '70000')).code).toBe(2);
    expect((await cli('--trust-issuer', 'RSA:00:00')).code).toBe(2);
    expect((await cli('--enrollment', 'anyone')).code).toBe(2);
    expect((await cli('--open-enrollment', '--manual-approval')).code).toBe(2);
  });

  it('approves a pending terminal in the database', async () => {
    const dir = tempDir();
    const authorizer = await startAuthorizer({ dataDir: join(dir, 'a'), enrollment: 'manual' });
    await expect(bootTerminal({ url: authorizer.url, dataDir: join(dir, 't') })).rejects.toMatchObject({ kind: 'enrollment-pending' });
    const { id } = authorizer.db.prepare('SELECT id FROM terminals').get() as { id: string };
    await authorizer.close();
    expect(await cli('--data-dir', join(dir, 'a'), '--approve', id)).toMatchObject({ code: 0, out: `approved ${id}` });
    expect((await cli('--data-dir', join(dir, 'a'), '--approve', id)).code).toBe(1);
  });
});
