/** The notification outbox on PostgreSQL (written with the event it reports, delivered later by notify/dispatcher.ts). */
import type { OutboxEntry, OutboxPort } from '../ports';
import type { Migration, Query } from './database';

export const outboxMigrations: Migration[] = [
  {
    version: 102,
    name: 'notification outbox',
    sql: `
      -- Written in the same transaction as the event it reports, so no notification is ever lost;
      -- delivered at least once (message_id lets receivers drop duplicates), retried with backoff.
      CREATE TABLE notifications (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        message_id TEXT NOT NULL UNIQUE,
        channel TEXT NOT NULL,           -- 'wallet-push' (webhook) | 'message' (SMS / e-mail gateway)
        account TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload TEXT NOT NULL,           -- JSON
        created_at BIGINT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'delivered', 'dead')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        delivered_at BIGINT,
        last_error TEXT
      );
      CREATE INDEX notifications_due ON notifications (state, next_attempt_at);
    `,
  },
];

export function postgresOutbox(q: Query): OutboxPort {
  return {
    async insert(entries) {
      // One round trip for all of an event's channels: the columns as arrays, unnested in order.
      const column = <K extends keyof (typeof entries)[number]>(key: K) => entries.map((e) => e[key]);
      // New rows under fresh message ids: written without waiting (Query.send), committed with the unit of work.
      q.send(
        `INSERT INTO notifications (message_id, channel, account, kind, payload, created_at, state, next_attempt_at)
         SELECT message_id, channel, account, kind, payload, created_at, 'queued', next_attempt_at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
           AS e (message_id, channel, account, kind, payload, created_at, next_attempt_at)`,
        [column('messageId'), column('channel'), column('account'), column('kind'), column('payload'), column('createdAt'), column('nextAttemptAt')],
      );
    },
    async due(now, limit) {
      return (await q("SELECT * FROM notifications WHERE state = 'queued' AND next_attempt_at <= $1 ORDER BY id LIMIT $2", [now, limit])).rows
        .map((row) => ({
          id: row.id as number, messageId: row.message_id as string, channel: row.channel as OutboxEntry['channel'], account: row.account as string,
          kind: row.kind as OutboxEntry['kind'], payload: row.payload as string, createdAt: row.created_at as number, state: row.state as OutboxEntry['state'],
          attempts: row.attempts as number, nextAttemptAt: row.next_attempt_at as number, deliveredAt: row.delivered_at as number | null,
          lastError: row.last_error as string | null,
        }));
    },
    async delivered(deliveries) {
      await q(
        `UPDATE notifications AS n SET state = 'delivered', attempts = n.attempts + 1, delivered_at = d.delivered_at, last_error = NULL
         FROM unnest($1::bigint[], $2::bigint[]) AS d (id, delivered_at) WHERE n.id = d.id`,
        [deliveries.map((d) => d.id), deliveries.map((d) => d.deliveredAt)],
      );
    },
    async failed(id, u) {
      await q('UPDATE notifications SET state = $1, attempts = $2, next_attempt_at = $3, last_error = $4 WHERE id = $5',
        [u.dead ? 'dead' : 'queued', u.attempts, u.nextAttemptAt, u.error, id]);
    },
    async requeueDead(now) {
      return (await q("UPDATE notifications SET state = 'queued', attempts = 0, next_attempt_at = $1 WHERE state = 'dead'", [now])).rowCount;
    },
    async backlog() {
      // Served by the (state, next_attempt_at) index: the delivered rows, the many, are not read.
      const row = (await q("SELECT (SELECT COUNT(*) FROM notifications WHERE state = 'queued') AS queued, (SELECT COUNT(*) FROM notifications WHERE state = 'dead') AS dead")).rows[0];
      return { queued: Number(row.queued), dead: Number(row.dead) };
    },
  };
}
