/**
 * Delivers the outbox: picks the messages that are due, hands each to its
 * channel's transport, marks it delivered, or schedules the next attempt with
 * exponential backoff. After `maxAttempts` a message is marked dead, never
 * deleted: the operator sees it (`qrpay operator notifications`) and can
 * requeue it. Messages are delivered at least once; receivers de-duplicate by
 * `messageId`.
 */
import type { Db } from '../database';
import type { Channel, Notification, OutboxRow } from './outbox';
import type { Transport } from './transports';

export interface DispatcherOptions {
  db: Db;
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

export class Dispatcher {
  readonly #options: Required<Omit<DispatcherOptions, 'now'>> & { now: () => number };
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<PassResult> | undefined;
  #again = false;
  #stopped = false;

  constructor(options: DispatcherOptions) {
    this.#options = {
      intervalMs: 1000, backoffMs: 1000, maxBackoffMs: 300_000, maxAttempts: 10, batch: 50, now: Date.now, ...options,
    };
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => this.kick(), this.#options.intervalMs);
    this.#timer.unref();
  }

  /** Runs a pass soon (after a decision queued something); passes never overlap. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.runOnce().finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
    this.#running.catch(() => undefined);
  }

  /** Stops polling and waits for the pass under way; later kicks do nothing. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#again = false;
    await this.#running?.catch(() => undefined);
  }

  /** One pass over the due messages. */
  async runOnce(): Promise<PassResult> {
    const { db, now, batch } = this.#options;
    const due = db.prepare("SELECT * FROM notifications WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT ?")
      .all(now(), batch) as OutboxRow[];
    const result: PassResult = { delivered: 0, failed: 0 };
    await Promise.all(due.map(async (row) => {
      try {
        await this.#options.transports[row.channel](JSON.parse(row.payload) as Notification);
        db.prepare("UPDATE notifications SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE id = ?")
          .run(now(), row.id);
        result.delivered++;
      } catch (error) {
        const attempts = row.attempts + 1;
        const dead = attempts >= this.#options.maxAttempts;
        const wait = Math.min(this.#options.backoffMs * 2 ** (attempts - 1), this.#options.maxBackoffMs);
        db.prepare('UPDATE notifications SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?')
          .run(dead ? 'dead' : 'queued', attempts, now() + wait, String((error as Error)?.message ?? error).slice(0, 200), row.id);
        result.failed++;
      }
    }));
    return result;
  }
}
