/**
 * The SQLite store's group commit (store/sqlite/index.ts): units of work that
 * queue up share one durable COMMIT, and still each unit is all or nothing,
 * its promise resolves only once its writes are committed (another connection
 * sees them), and a COMMIT that fails takes every unit of its group with it,
 * none of whose after-commit effects run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { databaseFileName, maxGroup, SqliteStore } from '../../../tools/authorizer/store/sqlite';

const bytes = (text: string) => new TextEncoder().encode(text);
const dirs: string[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function open(): { store: SqliteStore; other: Database.Database; commits: () => number } {
  const dir = mkdtempSync(join(tmpdir(), 'qrpay-group-'));
  dirs.push(dir);
  const store = SqliteStore.open(dir);
  stores.push(store);
  let commits = 0;
  const exec = store.db.exec.bind(store.db);
  store.db.exec = (sql: string) => {
    if (sql === 'COMMIT') commits++;
    return exec(sql);
  };
  // A second connection to the same file: what it reads is what is committed.
  const other = new Database(join(dir, databaseFileName), { readonly: true });
  return { store, other, commits: () => commits };
}

const committed = (other: Database.Database, key: string) =>
  other.prepare('SELECT COUNT(*) AS n FROM settings WHERE key = ?').get(key) as { n: number };

describe('SQLite group commit', () => {
  it('units that queue up share one COMMIT, and each resolves only once another connection sees its write', async () => {
    const { store, other, commits } = open();
    const before = commits();
    const seenAtResolve: number[] = [];
    const units = Array.from({ length: 10 }, (_, i) =>
      store.transaction(async (tx) => {
        await tx.settings.put(`k${i}`, bytes(`v${i}`));
        return i;
      }).then((i) => seenAtResolve.push(committed(other, `k${i}`).n)));
    await Promise.all(units);
    expect(seenAtResolve).toEqual(Array(10).fill(1));
    expect(commits() - before).toBe(1);
    other.close();
  });

  it('a group never carries more than maxGroup units', async () => {
    const { store, other, commits } = open();
    const before = commits();
    const n = maxGroup * 2 + 1;
    await Promise.all(Array.from({ length: n }, (_, i) => store.transaction((tx) => tx.settings.put(`k${i}`, bytes('v')))));
    expect(commits() - before).toBe(3);
    expect((other.prepare("SELECT COUNT(*) AS n FROM settings WHERE key LIKE 'k%'").get() as { n: number }).n).toBe(n);
    other.close();
  });

  it('a unit that throws midway is rolled back alone: the others of its group commit, its effects never run', async () => {
    const { store, other, commits } = open();
    const before = commits();
    const effects: string[] = [];
    const first = store.transaction(async (tx) => {
      await tx.settings.put('first', bytes('1'));
      tx.afterCommit(() => effects.push('first'));
    });
    const failing = store.transaction(async (tx) => {
      await tx.settings.put('failing', bytes('2'));
      tx.afterCommit(() => effects.push('failing'));
      throw new Error('the unit gave up');
    });
    const last = store.transaction(async (tx) => {
      await tx.settings.put('last', bytes('3'));
      tx.afterCommit(() => effects.push('last'));
    });
    await expect(failing).rejects.toThrow('the unit gave up');
    await first;
    await last;
    expect(commits() - before).toBe(1);
    expect([committed(other, 'first').n, committed(other, 'failing').n, committed(other, 'last').n]).toEqual([1, 0, 1]);
    expect(effects).toEqual(['first', 'last']);
    other.close();
  });

  it('a COMMIT that fails rejects every unit of its group: nothing of theirs is stored, no effect runs, the next unit works', async () => {
    const { store, other } = open();
    const effects: string[] = [];
    // A deferred foreign key is checked at COMMIT: one unit's dangling reference makes the group's COMMIT fail.
    store.db.exec('CREATE TABLE parents (id INTEGER PRIMARY KEY); CREATE TABLE children (parent INTEGER REFERENCES parents(id) DEFERRABLE INITIALLY DEFERRED)');
    const good = store.transaction(async (tx) => {
      await tx.settings.put('good', bytes('1'));
      tx.afterCommit(() => effects.push('good'));
      return 'good';
    });
    const dangling = store.transaction(async () => {
      store.db.prepare('INSERT INTO children (parent) VALUES (42)').run();
      return 'dangling';
    });
    const results = await Promise.allSettled([good, dangling]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect(committed(other, 'good').n).toBe(0);
    expect(effects).toEqual([]);
    expect(store.db.inTransaction).toBe(false);

    await store.transaction(async (tx) => tx.settings.put('after', bytes('1')));
    expect(committed(other, 'after').n).toBe(1);
    other.close();
  });

  it('a group whose COMMIT and ROLLBACK both throw still settles every unit, and the store goes on', async () => {
    const { store, other } = open();
    const exec = store.db.exec.bind(store.db);
    let broken = true;
    store.db.exec = (sql: string) => {
      if (broken && (sql === 'COMMIT' || sql === 'ROLLBACK')) throw new Error(`${sql} failed: the connection is gone`);
      return exec(sql);
    };
    const results = await Promise.allSettled([
      store.transaction((tx) => tx.settings.put('a', bytes('1'))),
      store.transaction((tx) => tx.settings.put('b', bytes('2'))),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(String((results[0] as PromiseRejectedResult).reason)).toMatch(/COMMIT failed/);

    // The connection recovers (here: the fault clears and the open transaction is rolled back); the queue was not poisoned.
    broken = false;
    exec('ROLLBACK');
    await store.transaction((tx) => tx.settings.put('after', bytes('1')));
    expect([committed(other, 'a').n, committed(other, 'b').n, committed(other, 'after').n]).toEqual([0, 0, 1]);
    other.close();
  });

  it('two connections to one file in one thread take turns and never deadlock (the lock is not held across a turn)', async () => {
    const { store } = open();
    const second = new SqliteStore(new Database(store.db.name, { timeout: 2_000 }));
    stores.push(second);
    const started = Date.now();
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? second : store).transaction((tx) => tx.settings.put(`k${i}`, bytes('v')))));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect((store.db.prepare("SELECT COUNT(*) AS n FROM settings WHERE key LIKE 'k%'").get() as { n: number }).n).toBe(20);
  });

  it('a unit alone commits at once, without waiting for company', async () => {
    const { store, other, commits } = open();
    const before = commits();
    await store.transaction((tx) => tx.settings.put('alone', bytes('1')));
    expect(commits() - before).toBe(1);
    expect(committed(other, 'alone').n).toBe(1);
    other.close();
  });
});
