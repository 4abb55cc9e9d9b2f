/**
 * The SQLite database behind store/sqlite: better-sqlite3 on a file under the
 * data directory, owner-only (0600, its WAL too), WAL journal, foreign keys on, durable at each commit,
 * brought to the latest schema on open. Each module of this folder owns its
 * migrations (append-only, never edit a released one); they are applied here
 * in version order, each once, in its own transaction.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { disputesMigrations } from './disputes';
import { lifecycleMigrations } from './lifecycle';
import { listsMigrations } from './lists';
import { outboxMigrations } from './outbox';
import { paymentsMigrations } from './payments';
import { protocolMigrations } from './protocol';
import { sitesMigrations } from './sites';

export type Db = Database.Database;

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * Rebuilds a table that others reference: run with foreign keys off (they cannot be switched inside a
   * transaction) and checked with foreign_key_check before the commit, SQLite's own procedure for such changes.
   */
  foreignKeysOff?: true;
}

/**
 * Every module's migrations. Versions are global: 1-2 and 101-103 were
 * released before the store was split into modules (so one of them may create
 * a table another module now owns, as noted there); 104 and later are one
 * module's each.
 */
export const allMigrations: Migration[] = [
  ...protocolMigrations, ...listsMigrations, ...paymentsMigrations, ...outboxMigrations, ...disputesMigrations, ...lifecycleMigrations, ...sitesMigrations,
].sort((a, b) => a.version - b.version);
export const latestSchemaVersion = Math.max(...allMigrations.map((m) => m.version));

export const databaseFileName = 'authorizer.sqlite';

/** Opens (creating if needed) the database in `dataDir`, or in memory for ':memory:'. */
export function openDatabase(dataDir: string, now: () => number = Date.now): Db {
  let db: Db;
  if (dataDir === ':memory:') db = new Database(':memory:');
  else {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const path = join(dataDir, databaseFileName);
    ownerOnly(path);
    db = new Database(path, { timeout: 10_000 });
    db.pragma('journal_mode = WAL');
  }
  db.pragma('foreign_keys = ON');
  // What is deleted is overwritten, not left in free pages (the keys older versions kept here, pruned codes).
  db.pragma('secure_delete = ON');
  // Durable at each commit: a decision the terminal saw must survive a crash of the authorizer.
  db.pragma('synchronous = FULL');
  migrate(db, allMigrations, now);
  return db;
}

/**
 * The database file, owner-only (0600), created so before SQLite opens it:
 * SQLite gives the WAL and shared-memory files the database file's mode, so
 * they are owner-only too. Files left by an older version are tightened.
 */
function ownerOnly(path: string): void {
  if (!existsSync(path)) closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(file)) chmodSync(file, 0o600);
}

/** Applies the migrations not yet recorded; returns the versions applied. */
export function migrate(db: Db, list: Migration[], now: () => number = Date.now): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((row) => row.version));
  const done: number[] = [];
  for (const migration of [...list].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    const enforced = db.pragma('foreign_keys', { simple: true }) === 1;
    if (migration.foreignKeysOff) db.pragma('foreign_keys = OFF');
    try {
      db.transaction(() => {
        db.exec(migration.sql);
        if (migration.foreignKeysOff) {
          const broken = db.pragma('foreign_key_check') as unknown[];
          if (broken.length > 0) throw new Error(`migration ${migration.version} would break ${broken.length} references`);
        }
        db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, now());
      })();
    } finally {
      if (migration.foreignKeysOff && enforced) db.pragma('foreign_keys = ON');
    }
    done.push(migration.version);
  }
  return done;
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}

/**
 * The connection as the store's ports use it: `prepare` compiles each SQL
 * text once per connection and hands back the same statement afterwards
 * (better-sqlite3 compiles on every call, ~10 µs each, and an authorization
 * runs some fifty statements). Safe because the ports' SQL texts are a fixed
 * set, each statement runs to completion before the next (no `iterate`), and
 * SQLite re-prepares a statement by itself after a schema change. Everything
 * else is the connection itself.
 */
export function withStatementCache(db: Db): Db {
  const statements = new Map<string, Database.Statement>();
  const prepare = (sql: string): Database.Statement => {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      statements.set(sql, statement);
    }
    return statement;
  };
  return new Proxy(db, {
    get(target, property) {
      if (property === 'prepare') return prepare;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** A BLOB as the domain's bytes. */
export function bytes(value: Uint8Array | Buffer): Uint8Array;
export function bytes(value: Uint8Array | Buffer | null): Uint8Array | null;
export function bytes(value: Uint8Array | Buffer | null): Uint8Array | null {
  return value === null ? null : new Uint8Array(value);
}
