/**
 * The schema of the authorizer's judgement and of "accidents will happen":
 * payments as judged, the factors that fired, step-up challenges, the
 * notification outbox, frozen accounts, trusted contacts, reports and
 * compensations. Numbered from 101 so they never collide with the protocol
 * migrations (1, 2, ...) in ../migrations.ts, which always run first. Like
 * those: append-only, never edit a released one.
 */
import type { Migration } from '../migrations';

export const judgementMigrations: Migration[] = [
  {
    version: 101,
    name: 'judgement: payments, terminal fixes, risk assessments, step-ups',
    sql: `
      -- Every request whose payment code verified, as the judgement saw it: the history the factors read.
      CREATE TABLE payments (
        request_id INTEGER PRIMARY KEY REFERENCES requests(id),
        request_hash BLOB NOT NULL UNIQUE,
        account TEXT NOT NULL,           -- issuer kid hex / account hex
        credential TEXT NOT NULL,        -- issuer kid hex / credential id hex
        device_alg TEXT NOT NULL,
        device_key BLOB NOT NULL,        -- the credential's device key (signs step-up answers and reports)
        merchant_id TEXT NOT NULL,
        terminal_id TEXT NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        latitude REAL,                   -- where it happened: the terminal's fix, else its site (fixed terminals)
        longitude REAL,
        at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('captured', 'pending', 'awaiting-confirmation', 'declined', 'reversed', 'disputed'))
      );
      CREATE INDEX payments_by_account ON payments (account, at);
      CREATE INDEX payments_by_merchant ON payments (merchant_id, at);
      CREATE INDEX payments_by_credential ON payments (credential);
      -- Each authentic request's fix, in arrival order: what "jumping" and "moving too fast" compare with.
      CREATE TABLE terminal_fixes (
        id INTEGER PRIMARY KEY,
        terminal_id TEXT NOT NULL,
        request_id INTEGER NOT NULL REFERENCES requests(id),
        latitude REAL NOT NULL,
        longitude REAL NOT NULL,
        accuracy REAL,
        at INTEGER NOT NULL
      );
      CREATE INDEX terminal_fixes_by_terminal ON terminal_fixes (terminal_id, id);
      -- Which factors fired for each decision (the protocol's rule declines included), with the score.
      CREATE TABLE risk_assessments (
        request_id INTEGER PRIMARY KEY REFERENCES requests(id),
        score INTEGER NOT NULL,
        customer_score INTEGER NOT NULL,
        acceptance_score INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL,
        factors TEXT NOT NULL,           -- JSON array of {name, side, points, detail}
        config TEXT NOT NULL,            -- fingerprint of the risk configuration used
        assessed_at INTEGER NOT NULL
      );
      CREATE TABLE step_ups (
        id TEXT PRIMARY KEY,             -- challenge id, hex
        request_id INTEGER NOT NULL UNIQUE REFERENCES requests(id),
        request_hash BLOB NOT NULL UNIQUE,
        account TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'refused', 'expired')),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        resolved_at INTEGER,
        final_outcome TEXT,
        final_reason TEXT,
        final_decision BLOB              -- signed, bound to the same request as the step-up decision
      );
    `,
  },
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
