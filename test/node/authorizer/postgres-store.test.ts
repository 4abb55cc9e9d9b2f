/**
 * What only the PostgreSQL store has to prove, on a real server started here:
 * several processes opening one fresh database (and one data directory, for
 * the key files) at once, a read-then-write
 * that loses nothing, a unit of work that lost a race for a unique key
 * being run again, whole, with its after-commit effects once, and the
 * writes the store sends without waiting for their answers (Query.send):
 * their failures, their deadlocks.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeAuthorizer, simulatorMerchant } from '../../../tools/authorizer/composition';
import { IllegalTransition, transition } from '../../../tools/authorizer/domain/payment-state';
import { keyDirectoryName } from '../../../tools/authorizer/keys';
import { ConcurrentChange, migrate, openPool } from '../../../tools/authorizer/store/postgres/database';
import { allMigrations, PostgresStore } from '../../../tools/authorizer/store/postgres/index';
import type { Tx } from '../../../tools/authorizer/store/ports';
import { latestSchemaVersion } from '../../../tools/authorizer/store/sqlite/database';
import { fixAt, JudgementWorld } from '../../support/judgement-world';
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

  it('PostgreSQL: counts the payments an older database holds per merchant and minute when it gains merchant_minutes (107)', async () => {
    const database = await server.createDatabase();
    const pool = await openPool(database);
    try {
      await migrate(pool, allMigrations.filter((m) => m.version < 107));
      const rows: [string, string, number, number, string][] = [
        ['M1', 'T1', 100, 120_000, 'captured'], ['M1', 'T1', 200, 179_999, 'pending'], ['M1', 'T1', 400, 150_000, 'declined'],
        ['M1', 'T2', 800, 180_000, 'authorized'], ['M1', 'T2', 900, 180_001, 'captured'], ['M2', 'T1', 50, 120_001, 'partially-refunded'],
      ];
      await pool.query("ALTER TABLE payments DISABLE TRIGGER ALL"); // no requests rows behind these payments
      for (const [i, [merchant, terminal, amount, at, state]] of rows.entries()) {
        await pool.query(
          `INSERT INTO payments (request_id, request_hash, account, credential, device_alg, device_key, merchant_id, terminal_id, amount, currency, at, state)
           VALUES ($1, $2, 'a', 'c', 'ES256', '\\x00', $3, $4, $5, 'EUR', $6, $7)`,
          [i + 1, Buffer.of(i), merchant, terminal, amount, at, state],
        );
      }
      await pool.query('ALTER TABLE payments ENABLE TRIGGER ALL');
      await migrate(pool, allMigrations);
      const counted = await pool.query(
        'SELECT merchant_id, minute, SUM(payments) AS payments, SUM(amount) AS amount FROM merchant_minutes GROUP BY 1, 2 ORDER BY 1, 2',
      );
      expect(counted.rows).toEqual([
        { merchant_id: 'M1', minute: 120_000, payments: 2, amount: 300 }, { merchant_id: 'M1', minute: 180_000, payments: 2, amount: 1700 },
        { merchant_id: 'M2', minute: 120_000, payments: 1, amount: 50 },
      ]);
      // Each payment is counted in its terminal's stripe.
      expect((await pool.query("SELECT stripe = (hashtext('T2') & 15) AS t2 FROM merchant_minutes WHERE merchant_id = 'M1' AND minute = 180000")).rows)
        .toEqual([{ t2: true }]);
    } finally {
      await pool.end();
    }
  });

  it('PostgreSQL: three authorizers opening one fresh database and one data directory at once migrate once and create one decision key and one operator key', async () => {
    const database = await server.createDatabase();
    // The keys live in files under the data directory, never in the database: processes that share one create them once.
    const dataDir = mkdtempSync(join(tmpdir(), 'qrpay-pg-keys-'));
    const authorizers = await Promise.all([1, 2, 3].map(() => composeAuthorizer({ dataDir, database })));
    try {
      const keys = authorizers.map((a) => [a.decisionKey.publicKey, a.lists.rootKey]);
      expect(keys[1]).toEqual(keys[0]);
      expect(keys[2]).toEqual(keys[0]);
      const store = authorizers[0].store as PostgresStore;
      const { rows } = await store.pool.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows.map((r) => r.version)).toEqual(allMigrations.map((m) => m.version));
      // Both engines number the same schema alike.
      expect(await store.schemaVersion()).toBe(latestSchemaVersion);
      expect(readdirSync(join(dataDir, keyDirectoryName)).sort()).toEqual(['decision.key', 'operator.key']);
      const { rows: settings } = await store.pool.query('SELECT key FROM settings');
      expect(settings).toEqual([]);
    } finally {
      await Promise.all(authorizers.map((a) => a.close()));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: a read-then-write of one setting by two units of work at once loses no write (the second reads the first\'s)', async () => {
    const store = await PostgresStore.open(await server.createDatabase());
    try {
      await store.transaction((tx) => tx.settings.put('counter', Uint8Array.of(0)));
      const increment = () => store.transaction(async (tx) => {
        const value = (await tx.settings.get('counter'))![0];
        await new Promise((resolve) => setTimeout(resolve, 50)); // the other one is under way meanwhile
        await tx.settings.put('counter', Uint8Array.of(value + 1));
      });
      await Promise.all([increment(), increment(), increment()]);
      expect(await store.transaction((tx) => tx.settings.get('counter'))).toEqual(Uint8Array.of(3));
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL: runs a unit of work again, whole, when a concurrent one took its code first, with its after-commit effect once', async () => {
    const store = await PostgresStore.open(await server.createDatabase());
    try {
      let runs = 0;
      let arrived = 0;
      let release!: () => void;
      const bothChecked = new Promise<void>((resolve) => (release = resolve));
      const effects: string[] = [];
      // Both check the code unseen, then both record it: the database lets one through and the other's rerun finds it.
      const accept = (who: string) => store.transaction(async (tx) => {
        runs++;
        const requestId = await tx.requests.record({
          receivedAt: 0, bytes: Uint8Array.of(1), hash: Uint8Array.of(2), payloadHash: Uint8Array.of(3), terminalId: `T-${who}`, trace: 1, amount: 450,
          currency: 'EUR', purpose: 'counter-sale', reference: who, locationStatus: 'absent', latitude: null, longitude: null, terminalVerdict: 'verified', retryOf: null,
        });
        const first = await tx.codes.firstUse('issuer/credential', 'c0de');
        if (first !== undefined) return `${who}: replayed (first ${first})`;
        if (++arrived === 2) release();
        await Promise.race([bothChecked, new Promise((resolve) => setTimeout(resolve, 2000))]);
        await tx.codes.record({ credential: 'issuer/credential', codeId: 'c0de', requestId, now: 0, forgetAfter: 210_000 });
        tx.afterCommit(() => effects.push(who));
        return `${who}: accepted`;
      });
      const results = await Promise.all([accept('a'), accept('b')]);
      expect(results.filter((r) => r.endsWith('accepted'))).toHaveLength(1);
      expect(results.filter((r) => r.includes('replayed'))).toHaveLength(1);
      expect(runs).toBe(3);
      expect(store.retries).toBe(1);
      expect(effects).toHaveLength(1);
      const { rows } = await store.pool.query('SELECT COUNT(*) AS n FROM requests');
      expect(rows[0].n).toBe(2); // the rolled-back attempt's journal line is gone with it
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL: one terminal\'s batch is read by one unit of work at a time: a close waits for a void under way (another terminal\'s does not)', async () => {
    const store = await PostgresStore.open(await server.createDatabase());
    try {
      const order: string[] = [];
      let checked!: () => void;
      const voidChecked = new Promise<void>((resolve) => (checked = resolve));
      // A void asks whether the sale is in a closed batch, then moves the payment: a close must not count it meanwhile.
      const voiding = store.transaction(async (tx) => {
        expect(await tx.lifecycle.closedIn('T-1', 7, 'sale')).toBeUndefined();
        checked();
        await new Promise((resolve) => setTimeout(resolve, 300));
        order.push('void committed');
      });
      await voidChecked;
      const closing = store.transaction(async (tx) => {
        await tx.lifecycle.openBatch('T-1');
        order.push('close of T-1 read');
      });
      const other = store.transaction(async (tx) => {
        await tx.lifecycle.openBatch('T-2');
        order.push('close of T-2 read');
      });
      await Promise.all([voiding, closing, other]);
      expect(order).toEqual(['close of T-2 read', 'void committed', 'close of T-1 read']);
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL: a provisioning token another worker is consuming reruns the unit of work, which then finds it used: it enrolls once', async () => {
    const store = await PostgresStore.open(await server.createDatabase());
    try {
      const tokenHash = new Uint8Array(32).fill(7);
      await store.transaction(async (tx) => {
        await tx.merchants.upsert(simulatorMerchant, 50_000, 0);
        await tx.provisioning.insert({ tokenHash, merchantId: simulatorMerchant.merchantId, createdAt: 0, expiresAt: 60_000 });
      });
      let consumed!: () => void;
      const firstConsumed = new Promise<void>((resolve) => (consumed = resolve));
      const first = store.transaction(async (tx) => {
        const merchant = await tx.provisioning.consume(tokenHash, 'T-first', 1);
        consumed();
        await new Promise((resolve) => setTimeout(resolve, 200));
        return merchant;
      });
      await firstConsumed;
      let runs = 0;
      const second = store.transaction(async (tx) => {
        runs++;
        return tx.provisioning.consume(tokenHash, 'T-second', 1);
      });
      expect(await first).toEqual({ merchantId: simulatorMerchant.merchantId, siteId: null });
      expect(await second).toBeUndefined();
      expect(runs).toBeGreaterThan(1);
      const { rows } = await store.pool.query('SELECT terminal_id FROM provisioning_tokens');
      expect(rows).toEqual([{ terminal_id: 'T-first' }]);
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL: a payment read to be moved is locked: a second move waits, then sees the first\'s state and is refused', async () => {
    const world = await JudgementWorld.start({ database: await server.createDatabase() });
    try {
      const t = await world.terminal();
      const alice = world.wallet();
      await t.pay(alice);
      const held = await t.pay(alice, { location: fixAt(0, 3000) });
      expect(held.body.outcome).toBe('held');
      const store = world.authorizer.store;
      const now = world.time.now();
      let firstRead!: () => void;
      const readByFirst = new Promise<void>((resolve) => (firstRead = resolve));
      const release = store.transaction(async (tx) => {
        const payment = (await tx.payments.byHash(held.requestHash))!;
        firstRead();
        await new Promise((resolve) => setTimeout(resolve, 300)); // the second one asks meanwhile
        await transition(tx, payment, 'captured', 'review', 'released', now);
      });
      await readByFirst;
      const reverse = store.transaction(async (tx) => {
        const payment = (await tx.payments.byHash(held.requestHash))!;
        await transition(tx, payment, 'reversed', 'review', 'reversed', now);
      });
      // Both settled together: the second move may be refused before the first's COMMIT answer is read.
      const [released, reversed] = await Promise.allSettled([release, reverse]);
      expect(released.status).toBe('fulfilled');
      expect(reversed.status === 'rejected' && reversed.reason).toBeInstanceOf(IllegalTransition);
      const payment = (await store.transaction((tx) => tx.payments.byHash(held.requestHash)))!;
      expect(payment.state).toBe('captured');
      expect((await store.transaction((tx) => tx.payments.events(payment.requestId))).map((e) => e.to)).toEqual(['pending', 'captured']);
    } finally {
      await world.close();
    }
  });

  it('PostgreSQL: a connection the server drops between two queries of a unit fails that unit, not the process, and the store goes on', async () => {
    const database = await server.createDatabase();
    const store = await PostgresStore.open(database);
    const admin = new pg.Client({ connectionString: server.url('postgres') });
    await admin.connect();
    try {
      const unit = store.transaction(async (tx) => {
        await tx.settings.put('dropped', Uint8Array.of(1));
        // A restart or failover: the server ends this unit's connection while no query of it runs. The client
        // reports it as an 'error' event then, which ends the process where nobody listens.
        const name = new URL(database).pathname.slice(1);
        await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
        await new Promise((resolve) => setTimeout(resolve, 300));
        await tx.settings.put('after', Uint8Array.of(2));
      });
      await expect(unit).rejects.toThrow();
      // The dropped connection was not handed out again: the next unit runs on a fresh one, and nothing was committed.
      expect(await store.transaction((tx) => tx.settings.get('dropped'))).toBeUndefined();
    } finally {
      await admin.end();
      await store.close();
    }
  });

  it('PostgreSQL: a write sent without waiting that fails fails its unit with its own error, also as the last statement before COMMIT: nothing committed, no after-commit effect', async () => {
    const store = await PostgresStore.open(await server.createDatabase());
    try {
      const effects: string[] = [];
      // A payment of a request nobody journaled: its foreign key fails, on a write the store sends without waiting.
      const orphan: Parameters<Tx['payments']['insert']>[0] = {
        requestId: 987_654, requestHash: new Uint8Array(32), account: 'a', credential: 'c', deviceAlg: 'ES256', deviceKey: new Uint8Array(65),
        merchantId: 'M', terminalId: 'T', amount: 1, currency: 'EUR', latitude: null, longitude: null, at: 0, state: 'captured',
      };
      const readAfter = store.transaction(async (tx) => {
        await tx.settings.put('before', Uint8Array.of(1));
        await tx.payments.insert(orphan);
        tx.afterCommit(() => effects.push('read after'));
        // PostgreSQL answers this one "current transaction is aborted"; the unit reports the write's own failure.
        await tx.settings.get('before');
      });
      await expect(readAfter).rejects.toMatchObject({ code: '23503' });
      const lastBeforeCommit = store.transaction(async (tx) => {
        await tx.settings.put('last', Uint8Array.of(1));
        tx.afterCommit(() => effects.push('last'));
        // Nothing read after it: the COMMIT that follows would only roll back, without an error, if the store let it.
        await tx.payments.insert(orphan);
      });
      await expect(lastBeforeCommit).rejects.toMatchObject({ code: '23503' });
      expect(effects).toEqual([]);
      expect(await store.transaction(async (tx) => [await tx.settings.get('before'), await tx.settings.get('last')])).toEqual([undefined, undefined]);
      // The connections are fit for the next units.
      await store.transaction((tx) => tx.settings.put('after', Uint8Array.of(2)));
      expect(await store.transaction((tx) => tx.settings.get('after'))).toEqual(Uint8Array.of(2));
    } finally {
      await store.close();
    }
  });

  it('PostgreSQL: two units deadlocked by writes sent without waiting: the one PostgreSQL aborts runs again, whole, and both commit once', async () => {
    const world = await JudgementWorld.start({ database: await server.createDatabase() });
    try {
      const t = await world.terminal();
      const first = await t.pay(world.wallet());
      const second = await t.pay(world.wallet());
      const store = world.authorizer.store as PostgresStore;
      const [a, b] = await store.transaction(async (tx) => [(await tx.payments.byHash(first.requestHash))!, (await tx.payments.byHash(second.requestHash))!]);
      const retriesBefore = store.retries;
      let locked = 0;
      let bothLocked!: () => void;
      const barrier = new Promise<void>((resolve) => (bothLocked = resolve));
      const effects: string[] = [];
      // Each locks one payment, then (once both hold theirs) sends a write to the other's: a deadlock PostgreSQL
      // breaks by aborting one of the sent writes (40P01).
      const crossing = (mine: typeof a, theirs: typeof a, name: string) => {
        let runs = 0;
        return store.transaction(async (tx) => {
          runs++;
          await tx.payments.byRequest(mine.requestId);
          if (runs === 1) {
            if (++locked === 2) bothLocked();
            await barrier;
          }
          await tx.payments.setState(theirs.requestId, 'pending');
          await tx.payments.byRequest(mine.requestId);
          tx.afterCommit(() => effects.push(`${name} after ${runs} run(s)`));
        });
      };
      await Promise.all([crossing(a, b, 'one'), crossing(b, a, 'two')]);
      expect(store.retries - retriesBefore).toBe(1);
      expect(effects.sort()).toEqual(expect.arrayContaining([expect.stringMatching(/^one after [12] run\(s\)$/), expect.stringMatching(/^two after [12] run\(s\)$/)]));
      expect(effects.filter((e) => e.endsWith('2 run(s)'))).toHaveLength(1);
      const states = await store.transaction(async (tx) => [(await tx.payments.byRequest(a.requestId))!.state, (await tx.payments.byRequest(b.requestId))!.state]);
      expect(states).toEqual(['pending', 'pending']);
    } finally {
      await world.close();
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
