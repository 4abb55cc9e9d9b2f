/**
 * The notification outbox. Everything the customer must hear about (a
 * payment, a step-up challenge, a report, a freeze) is written here, one row
 * per channel, inside the same database transaction as the event itself: if
 * the event is stored, so are its notifications, and nothing is lost when a
 * channel is down. The dispatcher delivers them later, at least once.
 *
 * Two independent channels, as a payment system should have:
 *   wallet-push  a webhook to the wallet issuer's push service (reaches the app)
 *   message      an SMS / e-mail gateway (reaches the customer when the phone is gone)
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../database';

export const channels = ['wallet-push', 'message'] as const;
export type Channel = (typeof channels)[number];

export type NotificationKind = 'payment' | 'step-up' | 'step-up-result' | 'report' | 'freeze' | 'contact-named' | 'copied-code';

export interface OutboxRow {
  id: number;
  message_id: string;
  channel: Channel;
  account: string;
  kind: NotificationKind;
  payload: string;
  created_at: number;
  state: 'queued' | 'delivered' | 'dead';
  attempts: number;
  next_attempt_at: number;
  delivered_at: number | null;
  last_error: string | null;
}

/** What a receiver gets (JSON): the same event id on both channels, a message id unique per channel. */
export interface Notification {
  messageId: string;
  eventId: string;
  channel: Channel;
  account: string;
  kind: NotificationKind;
  at: number;
  data: Record<string, unknown>;
}

/** Queues `data` for the account on every channel; call inside the transaction that records the event. */
export function enqueue(db: Db, event: { account: string; kind: NotificationKind; data: Record<string, unknown>; now: number }): string {
  const eventId = randomBytes(8).toString('hex');
  const insert = db.prepare(
    `INSERT INTO notifications (message_id, channel, account, kind, payload, created_at, state, next_attempt_at)
     VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)`,
  );
  for (const channel of channels) {
    const messageId = `${eventId}-${channel}`;
    const notification: Notification = { messageId, eventId, channel, account: event.account, kind: event.kind, at: event.now, data: event.data };
    insert.run(messageId, channel, event.account, event.kind, JSON.stringify(notification), event.now, event.now);
  }
  return eventId;
}

/** Puts dead messages back in the queue (an operator's retry after fixing a channel). */
export function requeueDead(db: Db, now: number): number {
  return db.prepare("UPDATE notifications SET state = 'queued', attempts = 0, next_attempt_at = ? WHERE state = 'dead'").run(now).changes;
}
