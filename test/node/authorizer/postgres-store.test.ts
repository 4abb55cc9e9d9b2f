/**
 * What only the PostgreSQL store has to prove, on a real server started here:
 * several processes opening one fresh database at once, and units of work
 * that PostgreSQL aborts for each other being run again, whole, with their
 * after-commit effects once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeAuthorizer } from '../../../tools/authorizer/composition';
import { ConcurrentChange } from '../../../tools/authorizer/store/postgres/database';
import { allMigrations, PostgresStore } from '../../../tools/authorizer/store/postgres/index';
import { latestSchemaVersion } from '../../../tools/authorizer/store/sqlite/database';
import { postgresAvailability, PostgresServer } from '../../support/postgres-server';

const postgres = postgresAvailability();
if (!postgres.ok) console.warn(`postgres store: SKIPPED: ${postgres.reason}`);
if (!postgres.ok) it.skip(`PostgreSQL store — skipped: ${postgres.reason}`, () => undefined);

describe.skipIf(!postgres.ok)('PostgreSQL store', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await PostgresServer.start();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('PostgreSQL: three authorizers opening one fresh database at once migrate it once and share one decision key and one operator key', async () => {
    const database = await server.createDatabase();
    const authorizers = await Promise.all([1, 2, 3].map(() => composeAuthorizer({ dataDir: ':memory:', database })));
    try {
      const keys = authorizers.map((a) => [a.decisionKey.publicKey, a.lists.rootKey]);
      expect(keys[1]).toEqual(keys[0]);
      expect(keys[2]).toEqual(keys[0]);
      const store = authorizers[0].store as PostgresStore;
      const { rows } = await store.pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(allMigrations.map((m) => m.version));
      // Both engines number the same schema alike.
      expect(await store.schemaVersion()).toBe(latestSchemaVersion);
    } finally {
      await Promise.all(authorizers.map((a) => a.close()));
    }
  });

  it('PostgreSQL: runs a unit of work again, whole, when PostgreSQL aborts it for a concurrent one, with its after-commit effect once', async () => {
    const store = await PostgresStore.open(await server.createDatabase());
    try {
      await store.transaction((tx) => tx.settings.put('counter', Uint8Array.of(0)));
      let runs = 0;
      const effects: number[] = [];
      let arrived = 0;
      let release!: () => void;
      const bothRead = new Promise<void>((resolve) => (release = resolve));
      // Read-modify-write by two units at once: under SERIALIZABLE one of them must lose and rerun, or an increment is lost.
      const increment = (who: number) => store.transaction(async (tx) => {
        runs++;
        const value = (await tx.settings.get('counter'))![0];
        if (++arrived === 2) release();
        await Promise.race([bothRead, new Promise((resolve) => setTimeout(resolve, 2000))]);
        await tx.settings.put('counter', Uint8Array.of(value + 1));
        tx.afterCommit(() => effects.push(who));
      });
      await Promise.all([increment(1), increment(2)]);
      expect(await store.transaction((tx) => tx.settings.get('counter'))).toEqual(Uint8Array.of(2));
      expect(runs).toBe(3);
      expect(store.retries).toBe(1);
      expect(effects.sort()).toEqual([1, 2]);
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL: gives a conflict up after its last attempt and rethrows it, committing nothing', async () => {
    const store = await PostgresStore.open(await server.createDatabase(), { maxAttempts: 3 });
    try {
      let runs = 0;
      const never = store.transaction(async (tx) => {
        runs++;
        await tx.settings.put('never', Uint8Array.of(1));
        throw new ConcurrentChange('always');
      });
      await expect(never).rejects.toMatchObject({ name: 'ConcurrentChange', message: 'concurrent change: always' });
      expect(runs).toBe(3);
      expect(await store.transaction((tx) => tx.settings.get('never'))).toBeUndefined();
    } finally {
      await store.close();
    }
  });
});
