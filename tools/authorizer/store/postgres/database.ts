/**
 * The PostgreSQL database behind store/postgres: a `pg` pool, the schema
 * brought to the latest version on open, and the one query shape the modules
 * use. Each module of this folder owns its migrations (append-only, never edit
 * a released one); versions follow store/sqlite's numbering, so both engines
 * report the same schema version for the same tables. Migrations run in one
 * transaction under an advisory lock, so workers starting together apply each
 * exactly once.
 */
import type pg from 'pg';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * The statements of one unit of work, on its connection. Called, one round trip: rows as returned, with the
 * affected row count. `send`: a write whose answer the unit of work does not read (a journal line, a row inserted
 * under a key this unit just made), written now and not waited for; the connection pipelines it with what follows,
 * so a run of such writes and the COMMIT cost one round trip, not one each. What the unit reads next on the
 * connection sees it (PostgreSQL answers in order). `settle` waits for everything sent and throws the first
 * failure: a sent write that failed aborted the transaction, so every later statement fails too, and it is that
 * first error (a deadlock, say, which reruns the unit of work) that the unit of work reports, not "current
 * transaction is aborted". A COMMIT in an aborted transaction only rolls back, without an error: `settle` is what
 * makes it fail.
 */
export interface Query {
  <Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[]; rowCount: number }>;
  send(sql: string, params?: unknown[]): void;
  settle(): Promise<void>;
}

/** Round trips a store's units of work waited for (a statement called, or a settle of statements sent): what the load bench reports. */
export interface RoundTrips {
  count: number;
}

/** A name per distinct statement: pg prepares each once per connection, so PostgreSQL parses and plans it once, not per call. */
const statementNames = new Map<string, string>();

function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (name === undefined) {
    name = `qrpay_${statementNames.size}`;
    statementNames.set(sql, name);
  }
  return name;
}

export function queryOn(client: pg.PoolClient | pg.Client, roundTrips: RoundTrips = { count: 0 }): Query {
  let sent: Promise<void> | undefined;
  let failure: { error: unknown } | undefined;
  const run = (sql: string, params: unknown[]) => client.query({ name: statementName(sql), text: sql, values: params });
  const settleSent = async () => {
    const last = sent;
    sent = undefined;
    if (last) await last;
    if (failure) throw failure.error;
  };
  const query = async <Row>(sql: string, params: unknown[] = []) => {
    roundTrips.count++;
    try {
      const result = await run(sql, params);
      // Only a rollback answers after a sent write failed; never report success past that failure.
      if (failure) throw failure.error;
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    } catch (error) {
      await settleSent();
      throw error;
    }
  };
  return Object.assign(query, {
    send(sql: string, params: unknown[] = []) {
      const answered = run(sql, params).then(
        () => undefined,
        (error: unknown) => void (failure ??= { error }),
      );
      // Answers come in order: waiting for the last one sent waits for all of them.
      sent = answered;
    },
    async settle() {
      if (sent) roundTrips.count++;
      await settleSent();
    },
  });
}

const int8 = 20;
const numeric = 1700;

/**
 * Opens the pool. `pg` is loaded here, not at the top: it is an optional peer
 * dependency, needed only for `--database postgres://`, so the SQLite
 * authorizer and every other command run without it installed.
 */
export async function openPool(connectionString: string, max = 10): Promise<pg.Pool> {
  const { default: driver } = await import('pg');
  /**
   * BIGINT (ids, times in ms, amounts) and NUMERIC (SUM of them) as numbers:
   * every value the domain stores is below 2^53. Set per pool, not on pg's
   * global type table, so no other user of the driver is affected.
   */
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === int8 || oid === numeric) return (value: string) => Number(value);
      return driver.types.getTypeParser(oid, format as 'text');
    },
  } as pg.CustomTypesConfig;
  // pipeline: a statement is written as soon as it is issued, not after the previous one's answer (Query.send).
  const pool = new driver.Pool({ connectionString, max, types, application_name: 'qrpay-authorizer', pipeline: true });
  // An idle connection the server dropped must not take the process down; the next checkout reconnects.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * A connection checked out of the pool for one unit of work. The server can end it while none of the unit's
 * queries runs (a restart, a failover, an administrator): the client then reports it as an 'error' event, which
 * ends the process where nobody listens. Listened to here while checked out: the unit's next query fails
 * instead, and a connection that reported an error is discarded at release (even after its unit's COMMIT, when
 * the server's message came in the same packet), never handed to the next unit.
 */
export async function checkout(pool: pg.Pool): Promise<{ client: pg.PoolClient; release: (discard?: boolean) => void }> {
  const client = await pool.connect();
  let dropped = false;
  const onError = () => {
    dropped = true;
  };
  client.on('error', onError);
  return {
    client,
    release: (discard) => {
      client.off('error', onError);
      client.release(discard || dropped ? true : undefined);
    },
  };
}

/** Any 64-bit key: the authorizer's migration lock among other users of the database. */
const migrationLock = 0x71727061_79000001n;

/** Applies the migrations not yet recorded, in version order; returns the versions applied. */
export async function migrate(pool: pg.Pool, list: Migration[], now: () => number = Date.now): Promise<number[]> {
  const { client, release } = await checkout(pool);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [migrationLock.toString()]);
    await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)');
    const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((row) => row.version));
    const done: number[] = [];
    for (const migration of [...list].sort((a, b) => a.version - b.version)) {
      if (applied.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query('INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [migration.version, migration.name, now()]);
      done.push(migration.version);
    }
    await client.query('COMMIT');
    release();
    return done;
  } catch (error) {
    const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
    release(!rolledBack);
    throw error;
  }
}

/** A BYTEA as the domain's bytes (pg hands out Buffers). */
export function bytes(value: Uint8Array): Uint8Array;
export function bytes(value: Uint8Array | null): Uint8Array | null;
export function bytes(value: Uint8Array | null): Uint8Array | null {
  return value === null ? null : new Uint8Array(value);
}

/**
 * Thrown by a port when another transaction got there first in a way the
 * database reports without an error (a conditional update that matched
 * nothing, an insert that conflicted): the store runs the whole unit of work
 * again, which then sees the winner's row.
 */
export class ConcurrentChange extends Error {
  constructor(what: string) {
    super(`concurrent change: ${what}`);
  }
}
Object.defineProperty(ConcurrentChange.prototype, 'name', { value: 'ConcurrentChange' });

/** serialization_failure and deadlock_detected: the database rolled this transaction back for another one; running it again is safe. */
const retryableCodes = new Set(['40001', '40P01']);

export function isRetryable(error: unknown): boolean {
  return error instanceof ConcurrentChange || retryableCodes.has((error as { code?: string } | null)?.code ?? '');
}
