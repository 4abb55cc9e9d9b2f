/**
 * Payments as judged on PostgreSQL, their journal (payment_events: every
 * state entered, with its cause), the terminals' fixes, the risk assessments
 * and the step-up challenges (created here by 101, as on SQLite).
 */
import type { Payment, PaymentEvent, PaymentsPort, StoredAssessment } from '../ports';
import type { PaymentState } from '../../domain/payment-state';
import { minuteMs } from '../minute-windows';
import { bytes, type Migration, type Query } from './database';

/**
 * The accepted states as migration 107 counts them (store/postgres/history.ts reads the same set): released migrations
 * never change, so a change of the set is a new migration that recreates the trigger function and recounts.
 */
const acceptedStatesList = "'captured', 'pending', 'authorized', 'partially-refunded'";

export const paymentsMigrations: Migration[] = [
  {
    version: 101,
    name: 'judgement: payments, terminal fixes, risk assessments, step-ups',
    sql: `
      -- Every request whose payment code verified, as the judgement saw it: the history the factors read.
      CREATE TABLE payments (
        request_id BIGINT PRIMARY KEY REFERENCES requests(id),
        request_hash BYTEA NOT NULL UNIQUE,
        account TEXT NOT NULL,           -- issuer kid hex / account hex
        credential TEXT NOT NULL,        -- issuer kid hex / credential id hex
        device_alg TEXT NOT NULL,
        device_key BYTEA NOT NULL,       -- the credential's device key (signs step-up answers and reports)
        merchant_id TEXT NOT NULL,
        terminal_id TEXT NOT NULL,
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        latitude DOUBLE PRECISION,       -- where it happened: the terminal's fix, else its site (fixed terminals)
        longitude DOUBLE PRECISION,
        at BIGINT NOT NULL,
        state TEXT NOT NULL CONSTRAINT payments_state CHECK (state IN ('captured', 'pending', 'awaiting-confirmation', 'declined', 'reversed', 'disputed'))
      );
      CREATE INDEX payments_by_account ON payments (account, at);
      CREATE INDEX payments_by_merchant ON payments (merchant_id, at);
      CREATE INDEX payments_by_credential ON payments (credential);
      -- Each authentic request's fix, in arrival order: what "jumping" and "moving too fast" compare with.
      CREATE TABLE terminal_fixes (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        terminal_id TEXT NOT NULL,
        request_id BIGINT NOT NULL REFERENCES requests(id),
        latitude DOUBLE PRECISION NOT NULL,
        longitude DOUBLE PRECISION NOT NULL,
        accuracy DOUBLE PRECISION,
        at BIGINT NOT NULL
      );
      CREATE INDEX terminal_fixes_by_terminal ON terminal_fixes (terminal_id, id);
      -- Which factors fired for each decision (the protocol's rule declines included), with the score.
      CREATE TABLE risk_assessments (
        request_id BIGINT PRIMARY KEY REFERENCES requests(id),
        score INTEGER NOT NULL,
        customer_score INTEGER NOT NULL,
        acceptance_score INTEGER NOT NULL,
        outcome TEXT NOT NULL,
        reason TEXT NOT NULL,
        factors TEXT NOT NULL,           -- JSON array of {name, side, points, detail}
        config TEXT NOT NULL,            -- fingerprint of the risk configuration used
        assessed_at BIGINT NOT NULL
      );
      CREATE TABLE step_ups (
        id TEXT PRIMARY KEY,             -- challenge id, hex
        request_id BIGINT NOT NULL UNIQUE REFERENCES requests(id),
        request_hash BYTEA NOT NULL UNIQUE,
        account TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'refused', 'expired')),
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        resolved_at BIGINT,
        final_outcome TEXT,
        final_reason TEXT,
        final_decision BYTEA             -- signed, bound to the same request as the step-up decision
      );
    `,
  },
  {
    version: 104,
    name: 'payments: the voided state, and the journal of every transition',
    sql: `
      ALTER TABLE payments DROP CONSTRAINT payments_state;
      ALTER TABLE payments ADD CONSTRAINT payments_state
        CHECK (state IN ('captured', 'pending', 'awaiting-confirmation', 'declined', 'reversed', 'disputed', 'voided'));
      -- Written by domain/payment-state.ts transition() in the same transaction as the state change.
      CREATE TABLE payment_events (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        request_id BIGINT NOT NULL REFERENCES payments(request_id),
        from_state TEXT,                 -- NULL when the payment was created
        to_state TEXT NOT NULL,
        cause TEXT NOT NULL,             -- decision | step-up | review | report | reversal
        detail TEXT NOT NULL,
        at BIGINT NOT NULL
      );
      CREATE INDEX payment_events_by_payment ON payment_events (request_id, id);
    `,
  },
  {
    version: 105,
    name: 'payments: the states of pre-authorizations and refunds',
    sql: `
      ALTER TABLE payments DROP CONSTRAINT payments_state;
      ALTER TABLE payments ADD CONSTRAINT payments_state
        CHECK (state IN ('captured', 'pending', 'awaiting-confirmation', 'declined', 'reversed', 'disputed', 'voided',
          'authorized', 'expired', 'partially-refunded', 'refunded'));
      -- A terminal's payments, for its open batch.
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
    // As on SQLite (store/sqlite/payments.ts 107): one row a minute instead of every payment of the day. Here the
    // count is also split over 16 stripes by the payment's terminal: a row being counted is locked until its
    // transaction commits, and one row a minute would make all of a busy merchant's terminals wait for each other
    // (a terminal's own authorizations already run one after another, under its row lock). A payment leaving the
    // accepted states is taken off the stripe it was counted in, as the stripe is its terminal's.
    sql: `
      CREATE TABLE merchant_minutes (
        merchant_id TEXT NOT NULL,
        minute BIGINT NOT NULL,          -- ms since the epoch at the minute's start
        stripe SMALLINT NOT NULL,        -- hashtext(terminal_id) & 15
        payments BIGINT NOT NULL,        -- accepted payments (${acceptedStatesList}) whose at falls in the minute
        amount BIGINT NOT NULL,          -- their amounts, summed
        PRIMARY KEY (merchant_id, minute, stripe)
      );
      INSERT INTO merchant_minutes (merchant_id, minute, stripe, payments, amount)
        SELECT merchant_id, at - at % ${minuteMs}, hashtext(terminal_id) & 15, COUNT(*), SUM(amount) FROM payments
        WHERE state IN (${acceptedStatesList}) GROUP BY 1, 2, 3;
      CREATE FUNCTION payments_count_minutes() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          IF OLD.state IN (${acceptedStatesList}) THEN
            ${addToMinute('OLD', -1)}
          END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          IF NEW.state IN (${acceptedStatesList}) THEN
            ${addToMinute('NEW', 1)}
          END IF;
        END IF;
        RETURN NULL;
      END
      $$;
      CREATE TRIGGER payments_minutes_insert AFTER INSERT ON payments FOR EACH ROW EXECUTE FUNCTION payments_count_minutes();
      CREATE TRIGGER payments_minutes_update AFTER UPDATE OF state, amount, at, merchant_id, terminal_id ON payments FOR EACH ROW
        WHEN ((OLD.state IN (${acceptedStatesList})) IS DISTINCT FROM (NEW.state IN (${acceptedStatesList}))
          OR OLD.amount <> NEW.amount OR OLD.at <> NEW.at OR OLD.merchant_id <> NEW.merchant_id OR OLD.terminal_id <> NEW.terminal_id)
        EXECUTE FUNCTION payments_count_minutes();
      CREATE TRIGGER payments_minutes_delete AFTER DELETE ON payments FOR EACH ROW EXECUTE FUNCTION payments_count_minutes();
    `,
  },
];

/** Adds (sign 1) or takes away (-1) the payment `row` (NEW or OLD) in its merchant's minute and stripe. */
function addToMinute(row: 'NEW' | 'OLD', sign: 1 | -1): string {
  return `INSERT INTO merchant_minutes (merchant_id, minute, stripe, payments, amount)
              VALUES (${row}.merchant_id, ${row}.at - ${row}.at % ${minuteMs}, hashtext(${row}.terminal_id) & 15, ${sign}, ${sign} * ${row}.amount)
              ON CONFLICT (merchant_id, minute, stripe)
              DO UPDATE SET payments = merchant_minutes.payments + excluded.payments, amount = merchant_minutes.amount + excluded.amount;`;
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

export function postgresPayments(q: Query): PaymentsPort {
  return {
    // Written without waiting (Query.send): the payment, its moves and its journal are keyed by a request this
    // unit of work journaled, so nothing another transaction does can make them conflict.
    async insert(p) {
      q.send(
        `INSERT INTO payments (request_id, request_hash, account, credential, device_alg, device_key, merchant_id, terminal_id, amount, currency,
           latitude, longitude, at, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
        [p.requestId, p.requestHash, p.account, p.credential, p.deviceAlg, p.deviceKey, p.merchantId, p.terminalId, p.amount, p.currency,
          p.latitude, p.longitude, p.at, p.state],
      );
    },
    async setState(requestId, state) {
      // The payment was read FOR UPDATE (or made) by this unit of work: the row is this unit's to change.
      q.send('UPDATE payments SET state = $1 WHERE request_id = $2', [state, requestId]);
    },
    async appendEvent(e) {
      q.send('INSERT INTO payment_events (request_id, from_state, to_state, cause, detail, at) VALUES ($1, $2, $3, $4, $5, $6)',
        [e.requestId, e.from, e.to, e.cause, e.detail, e.at]);
    },
    async events(requestId): Promise<PaymentEvent[]> {
      return (await q<{ request_id: number; from_state: PaymentState | null; to_state: PaymentState; cause: string; detail: string; at: number }>(
        'SELECT request_id, from_state, to_state, cause, detail, at FROM payment_events WHERE request_id = $1 ORDER BY id', [requestId],
      )).rows.map((row) => ({ requestId: row.request_id, from: row.from_state, to: row.to_state, cause: row.cause, detail: row.detail, at: row.at }));
    },
    // FOR UPDATE: a payment read is a payment about to be judged or moved (transition() reads its state, then
    // writes the next): a concurrent unit of work on the same payment waits for this one and then reads its result.
    async byRequest(requestId) {
      return payment((await q('SELECT * FROM payments WHERE request_id = $1 FOR UPDATE', [requestId])).rows[0]);
    },
    async byHash(requestHash) {
      return payment((await q('SELECT * FROM payments WHERE request_hash = $1 FOR UPDATE', [requestHash])).rows[0]);
    },
    async deviceKeys(account) {
      return (await q<{ device_alg: Payment['deviceAlg']; device_key: Uint8Array; credential: string }>(
        'SELECT DISTINCT device_alg, device_key, credential FROM payments WHERE account = $1', [account],
      )).rows.map((row) => ({ alg: row.device_alg, publicKey: bytes(row.device_key), credential: row.credential }));
    },
    async recordFix(f) {
      q.send('INSERT INTO terminal_fixes (terminal_id, request_id, latitude, longitude, accuracy, at) VALUES ($1, $2, $3, $4, $5, $6)',
        [f.terminalId, f.requestId, f.latitude, f.longitude, f.accuracy, f.at]);
    },
    async recordAssessment(requestId, a) {
      q.send(
        `INSERT INTO risk_assessments (request_id, score, customer_score, acceptance_score, outcome, reason, factors, config, assessed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [requestId, a.score, a.customerScore, a.acceptanceScore, a.outcome, a.reason, a.factors, a.config, a.assessedAt],
      );
    },
    async assessment(requestId): Promise<StoredAssessment | undefined> {
      const row = (await q('SELECT * FROM risk_assessments WHERE request_id = $1', [requestId])).rows[0];
      if (!row) return undefined;
      return {
        score: row.score as number, customerScore: row.customer_score as number, acceptanceScore: row.acceptance_score as number,
        outcome: row.outcome as StoredAssessment['outcome'], reason: row.reason as string, factors: row.factors as string,
        config: row.config as string, assessedAt: row.assessed_at as number,
      };
    },
  };
}
