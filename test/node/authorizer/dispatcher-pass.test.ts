/**
 * One dispatcher pass (tools/authorizer/notify/dispatcher.ts) costs two units
 * of work whatever it delivers: the pick, and every outcome stored together
 * (one durable commit a pass, not one a message); delivered and failed
 * messages each end in the state their outcome says.
 */
import { describe, expect, it } from 'vitest';
import { Dispatcher } from '../../../tools/authorizer/notify/dispatcher';
import { MemoryStore } from '../../../tools/authorizer/store/memory';
import type { Store } from '../../../tools/authorizer/store/ports';

describe('a dispatcher pass', () => {
  it('stores the outcomes of all its messages in one transaction, each message in the state its delivery left it', async () => {
    const store = new MemoryStore();
    await store.transaction(async (tx) => {
      for (let i = 0; i < 6; i++) {
        await tx.outbox.insert([{
          messageId: `m${i}`, channel: i % 2 ? 'message' : 'wallet-push', account: 'a', kind: 'payment',
          payload: JSON.stringify({ messageId: `m${i}`, n: i }), createdAt: 0, nextAttemptAt: 0,
        } as Parameters<typeof tx.outbox.insert>[0][number]]);
      }
    });
    let transactions = 0;
    const counting: Store = Object.assign(Object.create(store) as Store, {
      transaction: <T>(work: Parameters<Store['transaction']>[0]) => {
        transactions++;
        return store.transaction(work) as Promise<T>;
      },
    });
    const dispatcher = new Dispatcher({
      store: counting, now: () => 1_000,
      transports: {
        'wallet-push': async () => undefined,
        message: async () => {
          throw new Error('gateway down');
        },
      },
    });
    expect(await dispatcher.runOnce()).toEqual({ delivered: 3, failed: 3 });
    expect(transactions).toBe(2);
    const rows = await store.transaction(async (tx) => tx.outbox.due(1_000_000, 100));
    expect(rows.map((r) => [r.messageId, r.state, r.attempts, r.lastError])).toEqual([
      ['m1', 'queued', 1, 'gateway down'], ['m3', 'queued', 1, 'gateway down'], ['m5', 'queued', 1, 'gateway down'],
    ]);
    expect(await store.transaction((tx) => tx.outbox.backlog())).toEqual({ queued: 3, dead: 0 });
  });
});
