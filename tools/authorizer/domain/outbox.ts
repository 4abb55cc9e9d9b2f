/**
 * The notification outbox. Everything the customer must hear about (a
 * payment, a step-up challenge, a report, a freeze, a reversal) is queued
 * here, one entry per channel, in the same transaction as the event itself:
 * if the event is stored, so are its notifications, and nothing is lost when
 * a channel is down. notify/dispatcher.ts delivers them later, at least once.
 *
 * Two independent channels, as a payment system should have:
 *   wallet-push  a webhook to the wallet issuer's push service (reaches the app)
 *   message      an SMS / e-mail gateway (reaches the customer when the phone is gone)
 */
import { randomBytes } from 'node:crypto';
import { channels, type Channel, type NotificationKind, type Store, type Tx } from '../store/ports';

export { channels, type Channel, type NotificationKind } from '../store/ports';

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

/**
 * Queues `data` for the account on every channel, inside `tx`; `kick` (the
 * dispatcher's) runs once the transaction committed.
 */
export async function enqueue(
  tx: Tx,
  event: { account: string; kind: NotificationKind; data: Record<string, unknown>; now: number },
  kick?: () => void,
): Promise<string> {
  const eventId = randomBytes(8).toString('hex');
  await tx.outbox.insert(channels.map((channel) => {
    const messageId = `${eventId}-${channel}`;
    const notification: Notification = { messageId, eventId, channel, account: event.account, kind: event.kind, at: event.now, data: event.data };
    return { messageId, channel, account: event.account, kind: event.kind, payload: JSON.stringify(notification), createdAt: event.now, nextAttemptAt: event.now };
  }));
  if (kick) tx.afterCommit(kick);
  return eventId;
}

/** Puts dead messages back in the queue (an operator's retry after fixing a channel). */
export function requeueDead(store: Store, now: number): Promise<number> {
  return store.transaction((tx) => tx.outbox.requeueDead(now));
}
