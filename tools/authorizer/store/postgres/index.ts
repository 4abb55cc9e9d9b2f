/**
 * The PostgreSQL store: the ports of ../ports.ts over a `pg` pool, for many
 * authorizer processes sharing one database. Each unit of work runs on one
 * connection in one READ COMMITTED transaction, side by side with others,
 * and what would go wrong between two of them is made impossible by the
 * database where it could happen, module by module: row locks on what is read
 * to be changed (a payment, a step-up), advisory locks on what is read to be
 * created (a setting) or judged (an account's history), conditional updates
 * (a trace only rises), and unique keys whose conflict reruns the unit of work
 * (a code, an enrollment, a report, a reversal), which then sees the winner's
 * rows. A deadlock or serialization failure reruns it too. After-commit
 * effects run once, after the attempt that committed.
 *
 * Why not SERIALIZABLE: PostgreSQL's predicate locks cover index pages, not
 * keys, so every authorization at one merchant conflicted with every other
 * under load (bench/load.ts saw ~4 runs per authorization on 8 terminals);
 * the explicit rules above lock only what a rule needs.
 */
import type pg from 'pg';
import type { Store, Tx } from '../ports';
import { checkout, isRetryable, migrate, openPool, queryOn, type Migration, type Query, type RoundTrips } from './database';
import { disputesMigrations, postgresDisputes } from './disputes';
import { postgresHistory } from './history';
import { lifecycleMigrations, postgresLifecycle } from './lifecycle';
import { listsMigrations, postgresLists } from './lists';
import { outboxMigrations, postgresOutbox } from './outbox';
import { paymentsMigrations, postgresPayments } from './payments';
import {
  postgresCodes, postgresMerchants, postgresProvisioning, postgresRequests, postgresSettings, postgresTerminals, protocolMigrations,
} from './protocol';
import { postgresSites, sitesMigrations } from './sites';
import { postgresStepUps } from './step-ups';
import { postgresViews } from './views';

/** Every module's migrations, in version order (the numbers are SQLite's, see database.ts). */
export const allMigrations: Migration[] = [
  ...protocolMigrations, ...listsMigrations, ...paymentsMigrations, ...outboxMigrations, ...disputesMigrations, ...lifecycleMigrations, ...sitesMigrations,
].sort((a, b) => a.version - b.version);

export interface PostgresStoreOptions {
  /** Connections per process. Default 10. */
  poolSize?: number;
  /** Runs of one unit of work before a conflict is given up on (the error is rethrown). Default 20. */
  maxAttempts?: number;
  now?: () => number;
}

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly pool: pg.Pool;
  readonly #maxAttempts: number;
  /** Units of work that ran again after a conflict: how contended the database is. */
  retries = 0;
  /** Round trips the units of work waited for (BEGIN and the writes sent before COMMIT ride with other statements). */
  readonly roundTrips: RoundTrips = { count: 0 };

  private constructor(pool: pg.Pool, maxAttempts: number) {
    this.pool = pool;
    this.#maxAttempts = maxAttempts;
  }

  /** Connects to `url` (postgres://…) and brings the schema to the latest version. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const pool = await openPool(url, options.poolSize);
    try {
      await migrate(pool, allMigrations, options.now);
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PostgresStore(pool, options.maxAttempts ?? 20);
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      const { client, release } = await checkout(this.pool);
      const effects: (() => void)[] = [];
      let result: T;
      try {
        const q = queryOn(client, this.roundTrips);
        // BEGIN travels with the unit's first statement, COMMIT with its last writes.
        q.send('BEGIN');
        result = await work({ ...ports(q), afterCommit: (effect) => void effects.push(effect) });
        q.send('COMMIT');
        await q.settle();
        release();
      } catch (error) {
        const rolledBack = await client.query('ROLLBACK').then(() => true, () => false);
        // A connection that could not even roll back is discarded, not handed to the next unit of work.
        release(!rolledBack);
        if (!isRetryable(error) || attempt >= this.#maxAttempts) throw error;
        this.retries++;
        // Spread the reruns so two conflicting workers do not collide again in lockstep.
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)));
        continue;
      }
      for (const effect of effects) effect();
      return result;
    }
  }

  async schemaVersion(): Promise<number> {
    const { rows } = await this.pool.query<{ version: number | null }>('SELECT MAX(version) AS version FROM schema_migrations');
    return rows[0].version ?? 0;
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

function ports(q: Query): Omit<Tx, 'afterCommit'> {
  return {
    settings: postgresSettings(q), merchants: postgresMerchants(q), terminals: postgresTerminals(q), requests: postgresRequests(q),
    codes: postgresCodes(q), lists: postgresLists(q), payments: postgresPayments(q), history: postgresHistory(q), stepUps: postgresStepUps(q),
    disputes: postgresDisputes(q), outbox: postgresOutbox(q), lifecycle: postgresLifecycle(q), provisioning: postgresProvisioning(q),
    sites: postgresSites(q), views: postgresViews(q),
  };
}
