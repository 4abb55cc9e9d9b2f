/**
 * Protocol tables on PostgreSQL: settings, merchants, terminals and their
 * enrollments, the request journal with its decisions (authenticated requests
 * only; strangers are counted and sampled), the payment codes still live and
 * the one-time provisioning tokens. What must hold across worker processes is
 * the database's: a terminal key enrolls once (UNIQUE), a decision per request
 * (PRIMARY KEY), a code accepted once (PRIMARY KEY, and a conflicting insert
 * reruns the unit of work, which then finds the first use), a trace number
 * only ever rises (a conditional update), a token enrolls once (a conditional
 * update on its locked row), the rate limits count what one unit of work at a
 * time may add to (an advisory lock on the terminal, on the credential).
 */
import type { MerchantProfile } from '../../../../src/authorization/enrollment';
import type { Purpose } from '../../../../src/authorization/charge';
import {
  strangerPrefixBytes, strangerProblemChars, strangerSampleSlots, type CodesPort, type Merchant, type MerchantsPort, type ProvisioningPort, type RecordOrigin,
  type RequestsPort, type SettingsPort, type StoredDecision, type StrangerKind, type StrangerTally, type TerminalRecord, type TerminalsPort,
} from '../ports';
import { bytes, ConcurrentChange, type Migration, type Query } from './database';

export const protocolMigrations: Migration[] = [
  {
    version: 1,
    name: 'terminals, requests, decisions',
    sql: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value BYTEA NOT NULL
      );
      CREATE TABLE merchants (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        currency TEXT NOT NULL,
        purposes TEXT NOT NULL,          -- comma-separated
        site_latitude DOUBLE PRECISION NOT NULL,
        site_longitude DOUBLE PRECISION NOT NULL,
        site_radius INTEGER NOT NULL,    -- metres
        max_amount BIGINT NOT NULL,      -- minor units
        created_at BIGINT NOT NULL
      );
      CREATE TABLE terminals (
        id TEXT PRIMARY KEY,
        enrolled_seq BIGINT GENERATED ALWAYS AS IDENTITY, -- enrollment order for the operator's list
        merchant_id TEXT NOT NULL REFERENCES merchants(id),
        alg TEXT NOT NULL,
        public_key BYTEA NOT NULL UNIQUE,
        model TEXT NOT NULL,
        serial TEXT NOT NULL,
        firmware TEXT NOT NULL,
        board TEXT NOT NULL,
        -- suspended: its key was seen reusing trace numbers (a clone, or a replayed request); an operator decides.
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused', 'suspended')),
        status_reason TEXT,
        last_trace BIGINT NOT NULL DEFAULT 0,
        created_at BIGINT NOT NULL,
        approved_at BIGINT
      );
      CREATE TABLE enrollments (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        terminal_id TEXT REFERENCES terminals(id),
        received_at BIGINT NOT NULL,
        request BYTEA NOT NULL,
        status TEXT NOT NULL,
        answer BYTEA
      );
      -- Every authorization request as received, including retries and the ones refused.
      CREATE TABLE requests (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        received_at BIGINT NOT NULL,
        request BYTEA NOT NULL,
        request_hash BYTEA NOT NULL,
        terminal_id TEXT,
        trace BIGINT,
        amount BIGINT,
        currency TEXT,
        purpose TEXT,
        reference TEXT,
        location_status TEXT,
        latitude DOUBLE PRECISION,
        longitude DOUBLE PRECISION,
        terminal_verdict TEXT,
        code_id TEXT,                    -- hex, once the code verified
        -- A retry (same bytes) points at the request it repeats and gets that one's decision.
        retry_of BIGINT REFERENCES requests(id),
        problem TEXT                     -- why it could not be read, for garbled requests
      );
      CREATE INDEX requests_by_terminal_trace ON requests (terminal_id, trace);
      CREATE INDEX requests_by_hash ON requests (request_hash);
      CREATE TABLE decisions (
        request_id BIGINT PRIMARY KEY REFERENCES requests(id),
        outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'declined', 'held', 'step-up')),
        reason TEXT NOT NULL,
        approval_code TEXT,
        decided_at BIGINT NOT NULL,
        decision BYTEA NOT NULL
      );
      -- Every payment-code identifier ever verified: a code seen twice anywhere, by any worker, is a copy.
      CREATE TABLE codes_seen (
        credential TEXT NOT NULL,        -- issuer kid hex / credential id hex
        code_id TEXT NOT NULL,           -- hex
        first_request_id BIGINT NOT NULL REFERENCES requests(id),
        seen_at BIGINT NOT NULL,
        PRIMARY KEY (credential, code_id)
      );
    `,
  },
  {
    version: 301,
    name: 'hardening: retry identity by payload, a replay ledger bounded by code lifetime, strangers counted and sampled',
    sql: `
      -- SHA-256 of the signed payload: a copy with other signature bytes is the same request (NULL before 301: matched by bytes).
      ALTER TABLE requests ADD COLUMN payload_hash BYTEA;
      CREATE INDEX requests_by_terminal_time ON requests (terminal_id, received_at);
      -- When the code can no longer pass the expiry check (exp + skew, ms): the row may be pruned from then on.
      ALTER TABLE codes_seen ADD COLUMN forget_after BIGINT NOT NULL DEFAULT 0;
      UPDATE codes_seen SET forget_after = seen_at + 210000;
      CREATE INDEX codes_by_forget_after ON codes_seen (forget_after);
      -- Requests that prove nothing about their sender: counted, and a ring of samples (first bytes only).
      CREATE TABLE stranger_counts (
        kind TEXT PRIMARY KEY CHECK (kind IN ('unreadable', 'unknown-terminal', 'bad-terminal-signature', 'unprovisioned-enrollment')),
        count BIGINT NOT NULL
      );
      CREATE TABLE stranger_samples (
        slot INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        size INTEGER NOT NULL,
        prefix BYTEA NOT NULL,
        hash BYTEA NOT NULL,
        problem TEXT NOT NULL
      );
      -- The sample ring's position: every stranger takes the next slot (SQLite counts them under its one writer).
      CREATE SEQUENCE stranger_sample_seq;
      -- One-time enrollment secrets the operator issued (qrpay operator provision): their SHA-256 only.
      CREATE TABLE provisioning_tokens (
        token_hash BYTEA PRIMARY KEY,
        merchant_id TEXT NOT NULL REFERENCES merchants(id),
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        used_at BIGINT,
        terminal_id TEXT
      );
    `,
  },
  {
    version: 302,
    name: 'hardening: enrollment attempts counted per source and per provisioning credential, in the database (every worker sees them)',
    sql: `
      CREATE TABLE enrollment_attempts (
        scope TEXT NOT NULL CHECK (scope IN ('source', 'credential')),
        subject TEXT NOT NULL,
        window_start BIGINT NOT NULL,
        attempts INTEGER NOT NULL,
        PRIMARY KEY (scope, subject)
      );
      CREATE INDEX enrollment_attempts_by_window ON enrollment_attempts (window_start);
    `,
  },
];

/** One unit of work at a time on `key` (in namespace `what`) until this transaction ends, across every process. */
export async function lockKey(q: Query, what: string, key: string): Promise<void> {
  await q('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`qrpay.${what}:${key}`]);
}

/** lock_not_available: the row is another unit of work's right now (FOR UPDATE NOWAIT). */
const lockNotAvailable = '55P03';

export function postgresProvisioning(q: Query): ProvisioningPort {
  return {
    async insert(t) {
      await q('INSERT INTO provisioning_tokens (token_hash, merchant_id, site_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)',
        [t.tokenHash, t.merchantId, t.siteId ?? null, t.createdAt, t.expiresAt]);
    },
    async record(t) {
      // ON CONFLICT DO NOTHING waits for a worker inserting the same hash to finish, then leaves its row.
      await q('INSERT INTO provisioning_tokens (token_hash, merchant_id, site_id, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (token_hash) DO NOTHING',
        [t.tokenHash, t.merchantId, t.siteId ?? null, t.createdAt, t.expiresAt]);
    },
    async consume(tokenHash, terminalId, now) {
      // A token another worker is consuming right now may be this very enrollment sent twice: rerun once it is
      // decided, and the rerun finds the terminal it enrolled (byKey) or the token used by another key (refused).
      try {
        await q('SELECT 1 FROM provisioning_tokens WHERE token_hash = $1 FOR UPDATE NOWAIT', [tokenHash]);
      } catch (error) {
        if ((error as { code?: string }).code === lockNotAvailable) throw new ConcurrentChange('provisioning token being consumed elsewhere');
        throw error;
      }
      const row = (await q<{ merchant_id: string; site_id: string | null }>(
        'UPDATE provisioning_tokens SET used_at = $1, terminal_id = $2 WHERE token_hash = $3 AND used_at IS NULL AND expires_at > $1 RETURNING merchant_id, site_id',
        [now, terminalId, tokenHash],
      )).rows[0];
      return row ? { merchantId: row.merchant_id, siteId: row.site_id } : undefined;
    },
    async issued(tokenHash) {
      return (await q('SELECT 1 FROM provisioning_tokens WHERE token_hash = $1', [tokenHash])).rows.length > 0;
    },
    async countEnrollmentAttempt(scope, subject, now, windowMs) {
      await q('DELETE FROM enrollment_attempts WHERE window_start <= $1', [now - windowMs]);
      // ON CONFLICT DO UPDATE locks the subject's row: two workers counting at once add up, neither count is lost.
      const row = (await q<{ attempts: number }>(
        `INSERT INTO enrollment_attempts (scope, subject, window_start, attempts) VALUES ($1, $2, $3, 1)
         ON CONFLICT (scope, subject) DO UPDATE SET attempts = enrollment_attempts.attempts + 1 RETURNING attempts`,
        [scope, subject, now],
      )).rows[0];
      return Number(row.attempts);
    },
  };
}

export function postgresSettings(q: Query): SettingsPort {
  return {
    async get(key) {
      // Read-then-create (the authorizer's keys on first start) by one process at a time: the second reads the first's.
      await q("SELECT pg_advisory_xact_lock(hashtextextended('qrpay.settings:' || $1, 0))", [key]);
      const { rows } = await q<{ value: Uint8Array }>('SELECT value FROM settings WHERE key = $1', [key]);
      return rows[0] ? bytes(rows[0].value) : undefined;
    },
    async put(key, value) {
      await q('INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, value]);
    },
    async remove(key) {
      await q('DELETE FROM settings WHERE key = $1', [key]);
    },
  };
}

interface MerchantRow {
  id: string;
  name: string;
  currency: string;
  purposes: string;
  site_latitude: number;
  site_longitude: number;
  site_radius: number;
  max_amount: number;
  category_code: string | null;
}

const merchantOf = (row: MerchantRow): Merchant => ({
  merchantId: row.id, name: row.name, currency: row.currency, purposes: row.purposes.split(',') as Purpose[],
  site: { latitude: row.site_latitude, longitude: row.site_longitude, radius: row.site_radius }, maxAmount: row.max_amount, categoryCode: row.category_code,
});

const merchantParams = (merchant: MerchantProfile & { categoryCode?: string | null }, maxAmount: number, now: number, origin: RecordOrigin) => [
  merchant.merchantId, merchant.name, merchant.currency, merchant.purposes.join(','), merchant.site.latitude, merchant.site.longitude,
  merchant.site.radius, maxAmount, merchant.categoryCode ?? null, now, origin,
];

export function postgresMerchants(q: Query): MerchantsPort {
  return {
    async upsert(merchant: MerchantProfile & { categoryCode?: string | null }, maxAmount: number, now: number, origin: RecordOrigin = 'config') {
      await q(
        `INSERT INTO merchants (id, name, currency, purposes, site_latitude, site_longitude, site_radius, max_amount, category_code, created_at, origin)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, currency = excluded.currency, purposes = excluded.purposes,
           site_latitude = excluded.site_latitude, site_longitude = excluded.site_longitude, site_radius = excluded.site_radius,
           max_amount = excluded.max_amount, category_code = excluded.category_code, origin = excluded.origin`,
        merchantParams(merchant, maxAmount, now, origin),
      );
    },
    async insert(merchant, maxAmount, now, origin) {
      const { rowCount } = await q(
        `INSERT INTO merchants (id, name, currency, purposes, site_latitude, site_longitude, site_radius, max_amount, category_code, created_at, origin)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         ON CONFLICT (id) DO NOTHING`,
        merchantParams(merchant, maxAmount, now, origin),
      );
      return rowCount === 1;
    },
    async origin(id) {
      return (await q<{ origin: RecordOrigin }>('SELECT origin FROM merchants WHERE id = $1', [id])).rows[0]?.origin;
    },
    async get(id): Promise<Merchant | undefined> {
      const row = (await q<MerchantRow>('SELECT * FROM merchants WHERE id = $1', [id])).rows[0];
      return row ? merchantOf(row) : undefined;
    },
    async list() {
      return (await q<MerchantRow>('SELECT * FROM merchants ORDER BY id')).rows.map(merchantOf);
    },
  };
}

const terminalColumns = 'id, merchant_id, alg, public_key, firmware, status, last_trace, site_id';

function terminalRecord(row: Record<string, unknown> | undefined): TerminalRecord | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string, merchantId: row.merchant_id as string, alg: row.alg as TerminalRecord['alg'], publicKey: bytes(row.public_key as Uint8Array),
    firmware: row.firmware as string, status: row.status as TerminalRecord['status'], lastTrace: row.last_trace as number,
    siteId: (row.site_id as string | null) ?? null,
  };
}

export function postgresTerminals(q: Query): TerminalsPort {
  return {
    async byId(id) {
      return terminalRecord((await q(`SELECT ${terminalColumns} FROM terminals WHERE id = $1`, [id])).rows[0]);
    },
    async byKey(publicKey) {
      return terminalRecord((await q(`SELECT ${terminalColumns} FROM terminals WHERE public_key = $1`, [publicKey])).rows[0]);
    },
    async insert(t) {
      const { rowCount } = await q(
        `INSERT INTO terminals (id, merchant_id, alg, public_key, model, serial, firmware, board, status, created_at, approved_at, site_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT DO NOTHING`,
        [t.id, t.merchantId, t.alg, t.publicKey, t.device.model, t.device.serial, t.device.firmware, t.device.board, t.status, t.now,
          t.status === 'approved' ? t.now : null, t.siteId ?? null],
      );
      // The same key enrolling at another worker a moment ago: rerun, and byKey then finds that terminal.
      if (rowCount !== 1) throw new ConcurrentChange(`terminal key enrolled concurrently (${t.id})`);
    },
    async approve(id, now) {
      return (await q(
        "UPDATE terminals SET status = 'approved', status_reason = NULL, approved_at = $1 WHERE id = $2 AND status IN ('pending', 'suspended')",
        [now, id],
      )).rowCount === 1;
    },
    async suspend(id, reason) {
      await q("UPDATE terminals SET status = 'suspended', status_reason = $1 WHERE id = $2", [reason, id]);
    },
    async setLastTrace(id, trace) {
      // Only upwards: a worker that read an older last_trace than another worker committed loses and reruns (and then sees the reuse).
      const { rowCount } = await q('UPDATE terminals SET last_trace = $1 WHERE id = $2 AND last_trace < $1', [trace, id]);
      if (rowCount !== 1) throw new ConcurrentChange(`terminal ${id} already used trace ${trace}`);
    },
    async count() {
      return (await q<{ n: number }>('SELECT COUNT(*) AS n FROM terminals')).rows[0].n;
    },
    async recordEnrollment(e) {
      await q('INSERT INTO enrollments (terminal_id, received_at, request, status, answer) VALUES ($1, $2, $3, $4, $5)',
        [e.terminalId, e.now, e.request, e.status, e.answer]);
    },
  };
}

export function postgresRequests(q: Query): RequestsPort {
  return {
    async noteStranger(e) {
      // The count row's lock orders strangers of one kind; the sample slot comes from a sequence, so strangers of
      // every kind at every worker take distinct slots without waiting on each other.
      await q('INSERT INTO stranger_counts (kind, count) VALUES ($1, 1) ON CONFLICT (kind) DO UPDATE SET count = stranger_counts.count + 1', [e.kind]);
      await q(
        `INSERT INTO stranger_samples (slot, kind, received_at, size, prefix, hash, problem)
         VALUES ((nextval('stranger_sample_seq') - 1) % $1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (slot) DO UPDATE SET kind = excluded.kind, received_at = excluded.received_at, size = excluded.size,
           prefix = excluded.prefix, hash = excluded.hash, problem = excluded.problem`,
        [strangerSampleSlots, e.kind, e.receivedAt, e.size, e.prefix.subarray(0, strangerPrefixBytes), e.hash, e.problem.slice(0, strangerProblemChars)],
      );
    },
    async strangers() {
      const counts: StrangerTally['counts'] = {};
      for (const row of (await q<{ kind: StrangerKind; count: number }>('SELECT kind, count FROM stranger_counts')).rows) counts[row.kind] = row.count;
      const rows = (await q('SELECT * FROM stranger_samples ORDER BY received_at DESC, slot DESC')).rows;
      return {
        counts,
        samples: rows.map((r) => ({
          kind: r.kind as StrangerKind, receivedAt: r.received_at as number, size: r.size as number, prefix: bytes(r.prefix as Uint8Array),
          hash: bytes(r.hash as Uint8Array), problem: r.problem as string,
        })),
      };
    },
    async record(e) {
      return (await q<{ id: number }>(
        `INSERT INTO requests (received_at, request, request_hash, payload_hash, terminal_id, trace, amount, currency, purpose, reference,
           location_status, latitude, longitude, terminal_verdict, retry_of)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id`,
        [e.receivedAt, e.bytes, e.hash, e.payloadHash, e.terminalId, e.trace, e.amount, e.currency, e.purpose, e.reference,
          e.locationStatus, e.latitude, e.longitude, e.terminalVerdict, e.retryOf],
      )).rows[0].id;
    },
    async countSince(terminalId, since) {
      // Counted to decide whether one more may be added: two requests of one terminal at two workers count in turn.
      await lockKey(q, 'rate.terminal', terminalId);
      return (await q<{ n: number }>('SELECT COUNT(*) AS n FROM requests WHERE terminal_id = $1 AND received_at >= $2', [terminalId, since])).rows[0].n;
    },
    async setCodeId(requestId, codeId) {
      // This unit of work's own request row: written without waiting (Query.send).
      q.send('UPDATE requests SET code_id = $1 WHERE id = $2', [codeId, requestId]);
    },
    async bytes(requestId) {
      const row = (await q<{ request: Uint8Array }>('SELECT request FROM requests WHERE id = $1', [requestId])).rows[0];
      return row ? bytes(row.request) : undefined;
    },
    async decidedOriginal(terminalId, trace, payloadHash) {
      const row = (await q(
        `SELECT d.request_id, d.outcome, d.reason, d.approval_code, d.decided_at, d.decision FROM requests r JOIN decisions d ON d.request_id = r.id
         WHERE r.terminal_id = $1 AND r.trace = $2 AND r.payload_hash = $3 AND r.retry_of IS NULL ORDER BY r.id LIMIT 1`,
        [terminalId, trace, payloadHash],
      )).rows[0];
      return row ? decisionRecord(row) : undefined;
    },
    async originalByTrace(terminalId, trace) {
      const row = (await q<{ id: number; request_hash: Uint8Array }>(
        'SELECT id, request_hash FROM requests WHERE terminal_id = $1 AND trace = $2 AND retry_of IS NULL ORDER BY id LIMIT 1', [terminalId, trace],
      )).rows[0];
      return row ? { requestId: row.id, hash: bytes(row.request_hash) } : undefined;
    },
    async recordDecision(d) {
      // Keyed by a request this unit of work journaled: nothing can conflict, so written without waiting (Query.send).
      q.send('INSERT INTO decisions (request_id, outcome, reason, approval_code, decided_at, decision) VALUES ($1, $2, $3, $4, $5, $6)',
        [d.requestId, d.outcome, d.reason, d.approvalCode, d.decidedAt, d.decision]);
    },
    async originalOfRetry(hash) {
      const row = (await q<{ retry_of: number }>(
        'SELECT retry_of FROM requests WHERE request_hash = $1 AND retry_of IS NOT NULL ORDER BY id LIMIT 1', [hash],
      )).rows[0];
      return row ? Number(row.retry_of) : undefined;
    },
    async count() {
      return (await q<{ n: number }>('SELECT COUNT(*) AS n FROM requests')).rows[0].n;
    },
  };
}

function decisionRecord(row: Record<string, unknown>): StoredDecision {
  return {
    requestId: row.request_id as number, outcome: row.outcome as StoredDecision['outcome'], reason: row.reason as string,
    approvalCode: (row.approval_code as string | null) ?? null, decidedAt: row.decided_at as number, decision: bytes(row.decision as Uint8Array),
  };
}

export function postgresCodes(q: Query): CodesPort {
  return {
    async firstUse(credential, codeId) {
      const row = (await q<{ first_request_id: number }>('SELECT first_request_id FROM codes_seen WHERE credential = $1 AND code_id = $2',
        [credential, codeId])).rows[0];
      return row?.first_request_id;
    },
    async record(e) {
      // The same code accepted at another worker a moment ago: rerun, and firstUse then names that request.
      const { rowCount } = await q(
        'INSERT INTO codes_seen (credential, code_id, first_request_id, seen_at, forget_after) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        [e.credential, e.codeId, e.requestId, e.now, e.forgetAfter],
      );
      if (rowCount !== 1) throw new ConcurrentChange(`code ${e.codeId} of ${e.credential} was just accepted elsewhere`);
    },
    async liveFor(credential, now) {
      // Counted to decide whether one more may be added: one credential's codes at two workers count in turn.
      await lockKey(q, 'rate.credential', credential);
      return (await q<{ n: number }>('SELECT COUNT(*) AS n FROM codes_seen WHERE credential = $1 AND forget_after > $2', [credential, now])).rows[0].n;
    },
    async prune(now) {
      // Every authorization prunes: rows another worker is deleting right now are skipped, not waited for (nor
      // deadlocked on); they are gone when it commits, or the next prune takes them.
      return (await q(
        'DELETE FROM codes_seen WHERE ctid IN (SELECT ctid FROM codes_seen WHERE forget_after <= $1 FOR UPDATE SKIP LOCKED)', [now],
      )).rowCount;
    },
    async count() {
      return (await q<{ n: number }>('SELECT COUNT(*) AS n FROM codes_seen')).rows[0].n;
    },
  };
}
