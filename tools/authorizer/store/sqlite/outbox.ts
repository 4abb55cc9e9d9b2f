/** The notification outbox (written with the event it reports, delivered later by notify/dispatcher.ts). */
import type { OutboxEntry, OutboxPort } from '../ports';
import type { Db, Migration } from './database';

export const outboxMigrations: Migration[] = [
  {
    version: 102,
    name: 'notification outbox',
    sql: `
      -- Written in the same transaction as the event it reports, so no notification is ever lost;
      -- delivered at least once (message_id lets receivers drop duplicates), retried with backoff.
      CREATE TABLE notifications (
        id INTEGER PRIMARY KEY,
        message_id TEXT NOT NULL UNIQUE,
        channel TEXT NOT NULL,           -- 'wallet-push' (webhook) | 'message' (SMS / e-mail gateway)
        account TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,           -- JSON
        created_at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        delivered_at INTEGER,
        last_error TEXT
      );
      CREATE INDEX notifications_due ON notifications (state, next_attempt_at);
    `,
  },
];

export function sqliteOutbox(db: Db): OutboxPort {
  return {
    async insert(entries) {
      const insert = db.prepare(
        `INSERT INTO notifications (message_id, channel, account, kind, payload, created_at, state, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?, 'queued', ?)`,
      );
      for (const e of entries) insert.run(e.messageId, e.channel, e.account, e.kind, e.payload, e.createdAt, e.nextAttemptAt);
    },
    async due(now, limit) {
      return (db.prepare("SELECT * FROM notifications WHERE state = 'queued' AND next_attempt_at <= ? ORDER BY id LIMIT ?").all(now, limit) as
        Record<string, unknown>[]).map((row) => ({
        id: row.id as number, messageId: row.message_id as string, channel: row.channel as OutboxEntry['channel'], account: row.account as string,
        kind: row.kind as OutboxEntry['kind'], payload: row.payload as string, createdAt: row.created_at as number, state: row.state as OutboxEntry['state'],
        attempts: row.attempts as number, nextAttemptAt: row.next_attempt_at as number, deliveredAt: row.delivered_at as number | null,
        lastError: row.last_error as string | null,
      }));
    },
    async delivered(deliveries) {
      const delivered = db.prepare("UPDATE notifications SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = NULL WHERE id = ?");
      for (const d of deliveries) delivered.run(d.deliveredAt, d.id);
    },
    async failed(id, u) {
      db.prepare('UPDATE notifications SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?')
        .run(u.dead ? 'dead' : 'queued', u.attempts, u.nextAttemptAt, u.error, id);
    },
    async requeueDead(now) {
      return db.prepare("UPDATE notifications SET state = 'queued', attempts = 0, next_attempt_at = ? WHERE state = 'dead'").run(now).changes;
    },
    async backlog() {
      // Served by the (state, next_attempt_at) index: the delivered rows, the many, are not read.
      const row = db.prepare("SELECT (SELECT COUNT(*) FROM notifications WHERE state = 'queued') AS queued, (SELECT COUNT(*) FROM notifications WHERE state = 'dead') AS dead").get() as { queued: number; dead: number };
      return { queued: row.queued, dead: row.dead };
    },
  };
}
