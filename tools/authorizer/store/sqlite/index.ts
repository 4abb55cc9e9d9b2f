/**
 * The SQLite store: the ports of ../ports.ts over one better-sqlite3
 * connection. Units of work run one at a time, in the order they were asked
 * for, so an await inside the work never lets another unit interleave;
 * another process (the operator CLI) waits on SQLite's lock.
 *
 * Group commit: the durable COMMIT (an fsync, `synchronous = FULL`) is most
 * of a unit's time and much of its CPU, so the units asked for in one turn of
 * the event loop share one. A group starts after the turn that asked for its
 * first unit (the requests read in the same poll phase join it), then runs its
 * units back to back inside one BEGIN IMMEDIATE … COMMIT, each in a SAVEPOINT
 * of its own: a unit that throws is rolled back to its savepoint alone and
 * rejected; the others are committed together. A unit's promise resolves, and
 * its after-commit effects run, only once that COMMIT is durable, so no answer
 * leaves before its decision is on disk; a COMMIT that fails rejects every
 * unit of the group, and none of their effects run. The lock is never held
 * across a turn of the event loop the units did not ask for themselves, so
 * another connection in the same thread (a test's second authorizer, the
 * operator CLI run in-process) waits for a group, never deadlocks on it.
 */
import type { Store, Tx } from '../ports';
import { openDatabase, schemaVersion, withStatementCache, type Db } from './database';
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

interface Unit {
  work(tx: Tx): Promise<unknown>;
  resolve(result: unknown): void;
  reject(error: unknown): void;
}

/** The most units of work one COMMIT carries (it bounds how long the first of them waits for its answer). */
export const maxGroup = 32;

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  /** The connection, for tests and tools that read the tables directly. */
  readonly db: Db;
  readonly #ports: Omit<Tx, 'afterCommit'>;
  /** The groups asked for, one after another. */
  #queue: Promise<unknown> = Promise.resolve();
  /** Units of work asked for and not yet taken into a group. */
  readonly #asked: Unit[] = [];
  /** Whether a group that will take `#asked` is already queued. */
  #scheduled = false;

  constructor(raw: Db) {
    this.db = raw;
    const db = withStatementCache(raw);
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
    return new Promise<T>((resolve, reject) => {
      this.#asked.push({ work, resolve, reject } as Unit);
      if (!this.#scheduled) this.#schedule();
    });
  }

  /** The next group, after the groups before it and after this turn of the event loop. */
  #schedule(): void {
    this.#scheduled = true;
    // The chain must survive a group that throws (#runGroup settles its units first), or every later unit would wait forever.
    this.#queue = this.#queue
      .then(() => new Promise((next) => setImmediate(next)))
      .then(() => this.#runGroup())
      .catch(() => undefined);
  }

  async #runGroup(): Promise<void> {
    this.#scheduled = false;
    const units = this.#asked.splice(0, maxGroup);
    if (this.#asked.length > 0) this.#schedule();
    if (units.length === 0) return;
    const done: { unit: Unit; result: unknown; effects: (() => void)[] }[] = [];
    let next = 0;
    try {
      this.db.exec('BEGIN IMMEDIATE');
      for (; next < units.length; next++) {
        const unit = units[next];
        const effects: (() => void)[] = [];
        this.db.exec('SAVEPOINT unit');
        try {
          const result = await unit.work({ ...this.#ports, afterCommit: (effect) => void effects.push(effect) });
          this.db.exec('RELEASE unit');
          done.push({ unit, result, effects });
        } catch (error) {
          // SQLite rolled the whole transaction back itself (a full disk, an I/O error): the group fails with it.
          if (!this.db.inTransaction) throw error;
          this.db.exec('ROLLBACK TO unit');
          this.db.exec('RELEASE unit');
          unit.reject(error);
        }
      }
      this.db.exec('COMMIT');
    } catch (error) {
      // Nothing of the group is stored: every unit run or not yet run is rejected, no effect runs. They are
      // rejected before the ROLLBACK, which may throw too on a broken connection: no unit is left waiting.
      for (const d of done) d.unit.reject(error);
      for (const unit of units.slice(next)) unit.reject(error);
      if (this.db.open && this.db.inTransaction) this.db.exec('ROLLBACK');
      return;
    }
    for (const d of done) {
      for (const effect of d.effects) effect();
      d.unit.resolve(d.result);
    }
  }

  async schemaVersion(): Promise<number> {
    return schemaVersion(this.db);
  }

  async close(): Promise<void> {
    await this.#queue;
    if (this.db.open) this.db.close();
  }
}
