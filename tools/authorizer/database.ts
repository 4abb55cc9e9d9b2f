/**
 * The authorizer's embedded database: SQLite (better-sqlite3) in a file under
 * the data directory, WAL journal, foreign keys on, migrated on open.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { migrations, type Migration } from './migrations';
import { judgementMigrations } from './risk/migrations';

export type Db = Database.Database;

/** The protocol's migrations, then the judgement's (numbered from 101): what every database is brought to. */
export const allMigrations: Migration[] = [...migrations, ...judgementMigrations];
export const latestSchemaVersion = Math.max(...allMigrations.map((m) => m.version));

export const databaseFileName = 'authorizer.sqlite';

/** Opens (creating if needed) the database in `dataDir`, or in memory for ':memory:'. */
export function openDatabase(dataDir: string, now: () => number = Date.now): Db {
  let db: Db;
  if (dataDir === ':memory:') db = new Database(':memory:');
  else {
    mkdirSync(dataDir, { recursive: true });
    db = new Database(join(dataDir, databaseFileName));
    db.pragma('journal_mode = WAL');
  }
  db.pragma('foreign_keys = ON');
  // Durable at each commit: a decision the terminal saw must survive a crash of the authorizer.
  db.pragma('synchronous = FULL');
  migrate(db, allMigrations, now);
  return db;
}

/** Applies the migrations not yet recorded; returns the versions applied. */
export function migrate(db: Db, list: Migration[], now: () => number = Date.now): number[] {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
  const applied = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((row) => row.version));
  const done: number[] = [];
  for (const migration of [...list].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(migration.version, migration.name, now());
    })();
    done.push(migration.version);
  }
  return done;
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS version FROM schema_migrations').get() as { version: number | null };
  return row.version ?? 0;
}
