/**
 * Payments as judged, their journal (payment_events: every state entered,
 * with its cause), the terminals' fixes and the risk assessments.
 */
import type { Payment, PaymentEvent, PaymentsPort, StoredAssessment } from '../ports';
import type { PaymentState } from '../../domain/payment-state';
import { minuteMs } from '../minute-windows';
import { bytes, type Db, type Migration } from './database';

/**
 * The accepted states as migration 107 counts them (store/sqlite/history.ts reads the same set): released migrations
 * never change, so a change of the set is a new migration that recreates the triggers and recounts.
 */
const acceptedStatesList = "'captured', 'pending', 'authorized', 'partially-refunded'";

export const paymentsMigrations: Migration[] = [
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
    version: 104,
    name: 'payments: the voided state, and the journal of every transition',
    sql: `
      -- SQLite cannot change a CHECK in place: the table is rebuilt with the wider state set.
      CREATE TABLE payments_v2 (
        request_id INTEGER PRIMARY KEY REFERENCES requests(id),
        request_hash BLOB NOT NULL UNIQUE,
        account TEXT NOT NULL,
        credential TEXT NOT NULL,
        device_alg TEXT NOT NULL,
        device_key BLOB NOT NULL,
        merchant_id TEXT NOT NULL,
        terminal_id TEXT NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        latitude REAL,
        longitude REAL,
        at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('captured', 'pending', 'awaiting-confirmation', 'declined', 'reversed', 'disputed', 'voided'))
      );
      INSERT INTO payments_v2 SELECT request_id, request_hash, account, credential, device_alg, device_key, merchant_id, terminal_id,
        amount, currency, latitude, longitude, at, state FROM payments;
      DROP TABLE payments;
      ALTER TABLE payments_v2 RENAME TO payments;
      CREATE INDEX payments_by_account ON payments (account, at);
      CREATE INDEX payments_by_merchant ON payments (merchant_id, at);
      CREATE INDEX payments_by_credential ON payments (credential);
      -- Written by domain/payment-state.ts transition() in the same transaction as the state change.
      CREATE TABLE payment_events (
        id INTEGER PRIMARY KEY,
        request_id INTEGER NOT NULL REFERENCES payments(request_id),
        from_state TEXT,                 -- NULL when the payment was created
        to_state TEXT NOT NULL,
        cause TEXT NOT NULL,             -- decision | step-up | review | report | reversal
        detail TEXT NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE INDEX payment_events_by_payment ON payment_events (request_id, id);
      INSERT INTO payment_events (request_id, from_state, to_state, cause, detail, at)
        SELECT request_id, NULL, state, 'decision', 'recorded before the journal existed', at FROM payments;
    `,
  },
  {
    version: 105,
    name: 'payments: the states of pre-authorizations and refunds',
    // The table is rebuilt (SQLite cannot widen a CHECK in place) while other tables reference it.
    foreignKeysOff: true,
    sql: `
      CREATE TABLE payments_v3 (
        request_id INTEGER PRIMARY KEY REFERENCES requests(id),
        request_hash BLOB NOT NULL UNIQUE,
        account TEXT NOT NULL,
        credential TEXT NOT NULL,
        device_alg TEXT NOT NULL,
        device_key BLOB NOT NULL,
        merchant_id TEXT NOT NULL,
        terminal_id TEXT NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        latitude REAL,
        longitude REAL,
        at INTEGER NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('captured', 'pending', 'awaiting-confirmation', 'declined', 'reversed', 'disputed', 'voided',
          'authorized', 'expired', 'partially-refunded', 'refunded'))
      );
      INSERT INTO payments_v3 SELECT request_id, request_hash, account, credential, device_alg, device_key, merchant_id, terminal_id,
        amount, currency, latitude, longitude, at, state FROM payments;
      DROP TABLE payments;
      ALTER TABLE payments_v3 RENAME TO payments;
      CREATE INDEX payments_by_account ON payments (account, at);
      CREATE INDEX payments_by_merchant ON payments (merchant_id, at);
      CREATE INDEX payments_by_credential ON payments (credential);
      CREATE INDEX payments_by_terminal ON payments (terminal_id, at);
    `,
  },
  {
    version: 106,
    name: 'payments: the merchant volume the risk factors read, from the index alone',
    // merchant-volume-spike and merchant-amount-shift count and sum a merchant's accepted payments over hours:
    // with state and amount in the index, that walk never visits the table. Its prefix serves what the old one did.
    sql: `
      CREATE INDEX payments_by_merchant_volume ON payments (merchant_id, at, state, amount);
      DROP INDEX payments_by_merchant;
    `,
  },
  {
    version: 107,
    name: 'payments: each merchant\'s accepted payments counted and summed per minute, kept by triggers',
    // The merchant factors read a day of a merchant's payments on every authorization: from the index that was a walk
    // over every payment of the day (O(payments), ~18 % of a worker's CPU after 6,000 of them). From here it is one row
    // a minute that had payments (store/minute-windows.ts). Triggers keep it, so no write path can forget it.
    sql: `
      CREATE TABLE merchant_minutes (
        merchant_id TEXT NOT NULL,
        minute INTEGER NOT NULL,         -- ms since the epoch at the minute's start
        payments INTEGER NOT NULL,       -- accepted payments (${acceptedStatesList}) whose at falls in the minute
        amount INTEGER NOT NULL,         -- their amounts, summed
        PRIMARY KEY (merchant_id, minute)
      ) WITHOUT ROWID;
      INSERT INTO merchant_minutes (merchant_id, minute, payments, amount)
        SELECT merchant_id, at - at % ${minuteMs}, COUNT(*), SUM(amount) FROM payments WHERE state IN (${acceptedStatesList})
        GROUP BY merchant_id, at - at % ${minuteMs};
      CREATE TRIGGER payments_minutes_insert AFTER INSERT ON payments WHEN NEW.state IN (${acceptedStatesList})
      BEGIN
        ${addToMinute('NEW', 1)}
      END;
      CREATE TRIGGER payments_minutes_update AFTER UPDATE OF state, amount, at, merchant_id ON payments
        WHEN (OLD.state IN (${acceptedStatesList})) <> (NEW.state IN (${acceptedStatesList}))
          OR OLD.amount <> NEW.amount OR OLD.at <> NEW.at OR OLD.merchant_id <> NEW.merchant_id
      BEGIN
        ${addToMinute('OLD', -1)}
        ${addToMinute('NEW', 1)}
      END;
      CREATE TRIGGER payments_minutes_delete AFTER DELETE ON payments WHEN OLD.state IN (${acceptedStatesList})
      BEGIN
        ${addToMinute('OLD', -1)}
      END;
    `,
  },
];

/** Adds (sign 1) or takes away (-1) the payment `row` (NEW or OLD) in its merchant's minute, if it is accepted. */
function addToMinute(row: 'NEW' | 'OLD', sign: 1 | -1): string {
  return `INSERT INTO merchant_minutes (merchant_id, minute, payments, amount)
          SELECT ${row}.merchant_id, ${row}.at - ${row}.at % ${minuteMs}, ${sign}, ${sign} * ${row}.amount WHERE ${row}.state IN (${acceptedStatesList})
          ON CONFLICT (merchant_id, minute) DO UPDATE SET payments = payments + excluded.payments, amount = amount + excluded.amount;`;
}

function payment(row: Record<string, unknown> | undefined): Payment | undefined {
  if (!row) return undefined;
  return {
    requestId: row.request_id as number, requestHash: bytes(row.request_hash as Uint8Array), account: row.account as string,
    credential: row.credential as string, deviceAlg: row.device_alg as Payment['deviceAlg'], deviceKey: bytes(row.device_key as Uint8Array),
    merchantId: row.merchant_id as string, terminalId: row.terminal_id as string, amount: row.amount as number, currency: row.currency as string,
    latitude: row.latitude as number | null, longitude: row.longitude as number | null, at: row.at as number, state: row.state as PaymentState,
  };
}

export function sqlitePayments(db: Db): PaymentsPort {
  return {
    async insert(p) {
      db.prepare(
        `INSERT INTO payments (request_id, request_hash, account, credential, device_alg, device_key, merchant_id, terminal_id, amount, currency,
           latitude, longitude, at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(p.requestId, p.requestHash, p.account, p.credential, p.deviceAlg, p.deviceKey, p.merchantId, p.terminalId, p.amount, p.currency,
        p.latitude, p.longitude, p.at, p.state);
    },
    async setState(requestId, state) {
      db.prepare('UPDATE payments SET state = ? WHERE request_id = ?').run(state, requestId);
    },
    async appendEvent(e) {
      db.prepare('INSERT INTO payment_events (request_id, from_state, to_state, cause, detail, at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(e.requestId, e.from, e.to, e.cause, e.detail, e.at);
    },
    async events(requestId): Promise<PaymentEvent[]> {
      return (db.prepare('SELECT request_id, from_state, to_state, cause, detail, at FROM payment_events WHERE request_id = ? ORDER BY id').all(requestId) as
        { request_id: number; from_state: PaymentState | null; to_state: PaymentState; cause: string; detail: string; at: number }[])
        .map((row) => ({ requestId: row.request_id, from: row.from_state, to: row.to_state, cause: row.cause, detail: row.detail, at: row.at }));
    },
    async byRequest(requestId) {
      return payment(db.prepare('SELECT * FROM payments WHERE request_id = ?').get(requestId) as Record<string, unknown> | undefined);
    },
    async byHash(requestHash) {
      return payment(db.prepare('SELECT * FROM payments WHERE request_hash = ?').get(requestHash) as Record<string, unknown> | undefined);
    },
    async deviceKeys(account) {
      return (db.prepare('SELECT DISTINCT device_alg, device_key, credential FROM payments WHERE account = ?').all(account) as
        { device_alg: Payment['deviceAlg']; device_key: Uint8Array; credential: string }[])
        .map((row) => ({ alg: row.device_alg, publicKey: bytes(row.device_key), credential: row.credential }));
    },
    async recordFix(f) {
      db.prepare('INSERT INTO terminal_fixes (terminal_id, request_id, latitude, longitude, accuracy, at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(f.terminalId, f.requestId, f.latitude, f.longitude, f.accuracy, f.at);
    },
    async recordAssessment(requestId, a) {
      db.prepare(
        `INSERT INTO risk_assessments (request_id, score, customer_score, acceptance_score, outcome, reason, factors, config, assessed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(requestId, a.score, a.customerScore, a.acceptanceScore, a.outcome, a.reason, a.factors, a.config, a.assessedAt);
    },
    async assessment(requestId): Promise<StoredAssessment | undefined> {
      const row = db.prepare('SELECT * FROM risk_assessments WHERE request_id = ?').get(requestId) as Record<string, unknown> | undefined;
      if (!row) return undefined;
      return {
        score: row.score as number, customerScore: row.customer_score as number, acceptanceScore: row.acceptance_score as number,
        outcome: row.outcome as StoredAssessment['outcome'], reason: row.reason as string, factors: row.factors as string,
        config: row.config as string, assessedAt: row.assessed_at as number,
      };
    },
  };
}
