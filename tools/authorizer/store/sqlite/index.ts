/**
 * The SQLite store: the ports of ../ports.ts over one better-sqlite3
 * connection. `transaction` runs one unit of work at a time (a queue), inside
 * BEGIN IMMEDIATE … COMMIT, so an await inside the work never lets another
 * unit interleave; another process (the operator CLI) waits on SQLite's lock.
 */
import type { Store, Tx } from '../ports';
import { openDatabase, schemaVersion, type Db } from './database';
import { sqliteDisputes } from './disputes';
import { sqliteHistory } from './history';
import { sqliteLifecycle } from './lifecycle';
import { sqliteLists } from './lists';
import { sqliteOutbox } from './outbox';
import { sqlitePayments } from './payments';
import { sqliteCodes, sqliteMerchants, sqliteProvisioning, sqliteRequests, sqliteSettings, sqliteTerminals } from './protocol';
import { sqliteSites } from './sites';
import { sqliteStepUps } from './step-ups';
import { sqliteViews } from './views';

export { databaseFileName } from './database';

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  /** The connection, for tests and tools that read the tables directly. */
  readonly db: Db;
  readonly #ports: Omit<Tx, 'afterCommit'>;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(db: Db) {
    this.db = db;
    this.#ports = {
      settings: sqliteSettings(db), merchants: sqliteMerchants(db), terminals: sqliteTerminals(db), requests: sqliteRequests(db),
      codes: sqliteCodes(db), lists: sqliteLists(db), payments: sqlitePayments(db), history: sqliteHistory(db), stepUps: sqliteStepUps(db),
      disputes: sqliteDisputes(db), outbox: sqliteOutbox(db), lifecycle: sqliteLifecycle(db), provisioning: sqliteProvisioning(db), sites: sqliteSites(db), views: sqliteViews(db),
    };
  }

  /** Opens (creating and migrating) the database in `dataDir`, or in memory for ':memory:'. */
  static open(dataDir: string, now?: () => number): SqliteStore {
    return new SqliteStore(openDatabase(dataDir, now));
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const effects: (() => void)[] = [];
      this.db.exec('BEGIN IMMEDIATE');
      let result: T;
      try {
        result = await work({ ...this.#ports, afterCommit: (effect) => void effects.push(effect) });
        this.db.exec('COMMIT');
      } catch (error) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
      for (const effect of effects) effect();
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async schemaVersion(): Promise<number> {
    return schemaVersion(this.db);
  }

  async close(): Promise<void> {
    await this.#queue;
    if (this.db.open) this.db.close();
  }
}
