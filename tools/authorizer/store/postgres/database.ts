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

/** One round trip on the transaction's connection: rows as returned, with the affected row count. */
export type Query = <Row = Record<string, unknown>>(sql: string, params?: unknown[]) => Promise<{ rows: Row[]; rowCount: number }>;

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

export function queryOn(client: pg.PoolClient | pg.Client): Query {
  return async <Row>(sql: string, params: unknown[] = []) => {
    const result = await client.query({ name: statementName(sql), text: sql, values: params });
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  };
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
  const pool = new driver.Pool({ connectionString, max, types, application_name: 'qrpay-authorizer' });
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
