/** Reports, compensations and trusted contacts ("accidents will happen"). */
import type { CompensationRecord, DisputesPort, ReportRecord } from '../ports';
import { bytes, type Db, type Migration } from './database';

/** 103 also creates frozen_accounts, which lists.ts now serves. */
export const disputesMigrations: Migration[] = [
  {
    version: 103,
    name: 'disputes: frozen accounts, trusted contacts, reports, compensations',
    sql: `
      CREATE TABLE frozen_accounts (
        issuer_kid TEXT NOT NULL,        -- hex
        account TEXT NOT NULL,           -- hex
        frozen_at INTEGER NOT NULL,
        frozen_by TEXT NOT NULL,         -- 'owner', 'contact:<name>', 'operator'
        reason TEXT NOT NULL,
        PRIMARY KEY (issuer_kid, account)
      );
      CREATE TABLE trusted_contacts (
        account TEXT NOT NULL,           -- issuer kid hex / account hex
        name TEXT NOT NULL,
        alg TEXT NOT NULL,
        public_key BLOB NOT NULL,
        named_at INTEGER NOT NULL,
        PRIMARY KEY (account, public_key)
      );
      CREATE TABLE reports (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL UNIQUE REFERENCES requests(id),
        account TEXT NOT NULL,
        reported_at INTEGER NOT NULL,
        reported_by TEXT NOT NULL,
        note TEXT NOT NULL,
        prior_state TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('reversed', 'disputed'))
      );
      CREATE TABLE compensations (
        id INTEGER PRIMARY KEY,
        report_id INTEGER NOT NULL UNIQUE REFERENCES reports(id),
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('release', 'refund')),
        state TEXT NOT NULL CHECK (state IN ('credited', 'pending-review')),
        created_at INTEGER NOT NULL,
        credited_at INTEGER
      );
    `,
  },
];

export function sqliteDisputes(db: Db): DisputesPort {
  return {
    async reportFor(requestId) {
      const row = db.prepare('SELECT * FROM reports WHERE request_id = ?').get(requestId) as Record<string, unknown> | undefined;
      if (!row) return undefined;
      return {
        id: row.id as number, requestId: row.request_id as number, account: row.account as string, reportedAt: row.reported_at as number,
        reportedBy: row.reported_by as string, note: row.note as string, priorState: row.prior_state as ReportRecord['priorState'],
        action: row.action as ReportRecord['action'],
      };
    },
    async insertReport(r) {
      return Number(db.prepare(
        'INSERT INTO reports (request_id, account, reported_at, reported_by, note, prior_state, action) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(r.requestId, r.account, r.reportedAt, r.reportedBy, r.note, r.priorState, r.action).lastInsertRowid);
    },
    async insertCompensation(c) {
      return Number(db.prepare(
        'INSERT INTO compensations (report_id, amount, currency, kind, state, created_at, credited_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(c.reportId, c.amount, c.currency, c.kind, c.state, c.createdAt, c.creditedAt).lastInsertRowid);
    },
    async compensationFor(reportId) {
      const row = db.prepare('SELECT * FROM compensations WHERE report_id = ?').get(reportId) as Record<string, unknown> | undefined;
      if (!row) return undefined;
      return {
        id: row.id as number, reportId: row.report_id as number, amount: row.amount as number, currency: row.currency as string,
        kind: row.kind as CompensationRecord['kind'], state: row.state as CompensationRecord['state'], createdAt: row.created_at as number,
        creditedAt: row.credited_at as number | null,
      };
    },
    async credit(compensationId, now) {
      return db.prepare("UPDATE compensations SET state = 'credited', credited_at = ? WHERE id = ? AND state = 'pending-review'")
        .run(now, compensationId).changes === 1;
    },
    async upsertContact(c) {
      db.prepare(
        `INSERT INTO trusted_contacts (account, name, alg, public_key, named_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(account, public_key) DO UPDATE SET name = excluded.name, alg = excluded.alg`,
      ).run(c.account, c.name, c.alg, c.publicKey, c.now);
    },
    async contacts(account) {
      return (db.prepare('SELECT name, alg, public_key FROM trusted_contacts WHERE account = ?').all(account) as
        { name: string; alg: 'ES256' | 'EdDSA'; public_key: Uint8Array }[]).map((row) => ({ name: row.name, alg: row.alg, publicKey: bytes(row.public_key) }));
    },
  };
}
