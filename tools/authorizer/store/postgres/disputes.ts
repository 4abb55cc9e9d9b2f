/** Reports, compensations and trusted contacts on PostgreSQL ("accidents will happen"). */
import type { CompensationRecord, DisputesPort, ReportRecord } from '../ports';
import { bytes, ConcurrentChange, type Migration, type Query } from './database';

/** 103 also creates frozen_accounts, which lists.ts serves (as on SQLite). */
export const disputesMigrations: Migration[] = [
  {
    version: 103,
    name: 'disputes: frozen accounts, trusted contacts, reports, compensations',
    sql: `
      CREATE TABLE frozen_accounts (
        issuer_kid TEXT NOT NULL,        -- hex
        account TEXT NOT NULL,           -- hex
        frozen_at BIGINT NOT NULL,
        frozen_by TEXT NOT NULL,         -- 'owner', 'contact:<name>', 'operator'
        reason TEXT NOT NULL,
        PRIMARY KEY (issuer_kid, account)
      );
      CREATE TABLE trusted_contacts (
        account TEXT NOT NULL,           -- issuer kid hex / account hex
        name TEXT NOT NULL,
        alg TEXT NOT NULL,
        public_key BYTEA NOT NULL,
        named_at BIGINT NOT NULL,
        PRIMARY KEY (account, public_key)
      );
      CREATE TABLE reports (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id BIGINT NOT NULL UNIQUE REFERENCES requests(id),
        account TEXT NOT NULL,
        reported_at BIGINT NOT NULL,
        reported_by TEXT NOT NULL,
        note TEXT NOT NULL,
        prior_state TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('reversed', 'disputed'))
      );
      CREATE TABLE compensations (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        report_id BIGINT NOT NULL UNIQUE REFERENCES reports(id),
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('release', 'refund')),
        state TEXT NOT NULL CHECK (state IN ('credited', 'pending-review')),
        created_at BIGINT NOT NULL,
        credited_at BIGINT
      );
    `,
  },
];

export function postgresDisputes(q: Query): DisputesPort {
  return {
    async reportFor(requestId) {
      const row = (await q('SELECT * FROM reports WHERE request_id = $1', [requestId])).rows[0];
      if (!row) return undefined;
      return {
        id: row.id as number, requestId: row.request_id as number, account: row.account as string, reportedAt: row.reported_at as number,
        reportedBy: row.reported_by as string, note: row.note as string, priorState: row.prior_state as ReportRecord['priorState'],
        action: row.action as ReportRecord['action'],
      };
    },
    async insertReport(r) {
      const row = (await q<{ id: number }>(
        `INSERT INTO reports (request_id, account, reported_at, reported_by, note, prior_state, action) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT DO NOTHING RETURNING id`,
        [r.requestId, r.account, r.reportedAt, r.reportedBy, r.note, r.priorState, r.action],
      )).rows[0];
      // Reported at another worker a moment ago: rerun, and reportFor() then finds that report.
      if (!row) throw new ConcurrentChange(`request ${r.requestId} reported concurrently`);
      return row.id;
    },
    async insertCompensation(c) {
      const row = (await q<{ id: number }>(
        `INSERT INTO compensations (report_id, amount, currency, kind, state, created_at, credited_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT DO NOTHING RETURNING id`,
        [c.reportId, c.amount, c.currency, c.kind, c.state, c.createdAt, c.creditedAt],
      )).rows[0];
      if (!row) throw new ConcurrentChange(`report ${c.reportId} compensated concurrently`);
      return row.id;
    },
    async compensationFor(reportId) {
      const row = (await q('SELECT * FROM compensations WHERE report_id = $1', [reportId])).rows[0];
      if (!row) return undefined;
      return {
        id: row.id as number, reportId: row.report_id as number, amount: row.amount as number, currency: row.currency as string,
        kind: row.kind as CompensationRecord['kind'], state: row.state as CompensationRecord['state'], createdAt: row.created_at as number,
        creditedAt: row.credited_at as number | null,
      };
    },
    async credit(compensationId, now) {
      return (await q("UPDATE compensations SET state = 'credited', credited_at = $1 WHERE id = $2 AND state = 'pending-review'",
        [now, compensationId])).rowCount === 1;
    },
    async upsertContact(c) {
      await q(
        `INSERT INTO trusted_contacts (account, name, alg, public_key, named_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (account, public_key) DO UPDATE SET name = excluded.name, alg = excluded.alg`,
        [c.account, c.name, c.alg, c.publicKey, c.now],
      );
    },
    async contacts(account) {
      return (await q<{ name: string; alg: 'ES256' | 'EdDSA'; public_key: Uint8Array }>(
        'SELECT name, alg, public_key FROM trusted_contacts WHERE account = $1', [account],
      )).rows.map((row) => ({ name: row.name, alg: row.alg, publicKey: bytes(row.public_key) }));
    },
  };
}
