/**
 * Delivers the outbox: picks the messages that are due, hands each to its
 * channel's transport, marks it delivered, or schedules the next attempt with
 * exponential backoff. After `maxAttempts` a message is marked dead, never
 * deleted: the operator sees it (`qrpay operator notifications`) and can
 * requeue it. Messages are delivered at least once; receivers de-duplicate by
 * `messageId`.
 */
import type { Channel, Notification } from '../domain/outbox';
import type { Store } from '../store/ports';
import type { Transport } from './transports';

export interface DispatcherOptions {
  store: Store;
  transports: Record<Channel, Transport>;
  now?: () => number;
  /** How often the queue is polled, ms (also picks up messages other processes queued). Default 1000. */
  intervalMs?: number;
  /** First retry delay, ms; doubles per attempt up to `maxBackoffMs`. Default 1000. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Attempts before a message is dead. Default 10. */
  maxAttempts?: number;
  /** Messages per pass. Default 50. */
  batch?: number;
}

export interface PassResult {
  delivered: number;
  failed: number;
}

/** What one delivery attempt came to, stored with the pass's others. */
type Outcome =
  | { id: number; deliveredAt: number; failure?: undefined }
  | { id: number; failure: { attempts: number; dead: boolean; nextAttemptAt: number; error: string } };

export class Dispatcher {
  readonly #options: Required<Omit<DispatcherOptions, 'now'>> & { now: () => number };
  #timer: NodeJS.Timeout | undefined;
  /** Passes run one after another, never two at once: a message is never picked twice. */
  #chain: Promise<unknown> = Promise.resolve();
  #kickPending = false;
  #stopped = false;

  constructor(options: DispatcherOptions) {
    this.#options = {
      intervalMs: 1000, backoffMs: 1000, maxBackoffMs: 300_000, maxAttempts: 10, batch: 50, now: Date.now, ...options,
    };
  }

  start(): void {
    if (this.#timer || this.#stopped) return;
    this.#timer = setInterval(() => this.kick(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Asks for a pass soon (after a decision queued something); kicks during a pass yield one more pass. */
  kick(): void {
    if (this.#stopped || this.#kickPending) return;
    this.#kickPending = true;
    this.runOnce().catch(() => undefined);
  }

  /** Stops polling and waits for the pass under way; later kicks do nothing. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#chain;
  }

  /** One pass over the due messages, after any pass under way. */
  runOnce(): Promise<PassResult> {
    const pass = this.#chain.then(() => {
      this.#kickPending = false;
      return this.#pass();
    });
    this.#chain = pass.catch(() => undefined);
    return pass;
  }

  async #pass(): Promise<PassResult> {
    const { store, now, batch } = this.#options;
    // Picked in one transaction, delivered outside any (a slow receiver never holds the database), the pass's
    // outcomes stored together in one more: one durable commit a pass, not one a message. A crash before that
    // commit delivers the pass's messages again, which at-least-once delivery allows (receivers drop duplicates).
    const due = await store.transaction((tx) => tx.outbox.due(now(), batch));
    const result: PassResult = { delivered: 0, failed: 0 };
    if (due.length === 0) return result;
    const outcomes = await Promise.all(due.map(async (row): Promise<Outcome> => {
      try {
        await this.#options.transports[row.channel](JSON.parse(row.payload) as Notification);
        return { id: row.id, deliveredAt: now() };
      } catch (error) {
        const attempts = row.attempts + 1;
        const dead = attempts >= this.#options.maxAttempts;
        const wait = Math.min(this.#options.backoffMs * 2 ** (attempts - 1), this.#options.maxBackoffMs);
        const message = String((error as Error)?.message ?? error).slice(0, 200);
        return { id: row.id, failure: { attempts, dead, nextAttemptAt: now() + wait, error: message } };
      }
    }));
    await store.transaction(async (tx) => {
      const deliveries: { id: number; deliveredAt: number }[] = [];
      for (const outcome of outcomes) {
        if (outcome.failure) await tx.outbox.failed(outcome.id, outcome.failure);
        else deliveries.push({ id: outcome.id, deliveredAt: outcome.deliveredAt });
      }
      if (deliveries.length > 0) await tx.outbox.delivered(deliveries);
    });
    for (const outcome of outcomes) result[outcome.failure ? 'failed' : 'delivered']++;
    return result;
  }
}
