/**
 * Protocol tables: settings, merchants, terminals and their enrollments, the
 * request journal with its decisions (authenticated requests only; strangers
 * are counted and sampled), and the payment codes still live.
 */
import type { MerchantProfile } from '../../../../src/authorization/enrollment';
import type { Purpose } from '../../../../src/authorization/charge';
import {
  strangerPrefixBytes, strangerProblemChars, strangerSampleSlots, type CodesPort, type Merchant, type MerchantsPort, type RequestsPort, type SettingsPort,
  type ProvisioningPort, type RecordOrigin, type StoredDecision, type StrangerKind, type StrangerTally, type TerminalRecord, type TerminalsPort,
} from '../ports';
import { bytes, type Db, type Migration } from './database';

export const protocolMigrations: Migration[] = [
  {
    version: 1,
    name: 'terminals, requests, decisions',
    sql: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL
      );
      CREATE TABLE merchants (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        currency TEXT NOT NULL,
        purposes TEXT NOT NULL,          -- comma-separated
        site_latitude REAL NOT NULL,
        site_longitude REAL NOT NULL,
        site_radius INTEGER NOT NULL,    -- metres
        max_amount INTEGER NOT NULL,     -- minor units
        created_at INTEGER NOT NULL
      );
      CREATE TABLE terminals (
        id TEXT PRIMARY KEY,
        merchant_id TEXT NOT NULL REFERENCES merchants(id),
        alg TEXT NOT NULL,
        public_key BLOB NOT NULL UNIQUE,
        model TEXT NOT NULL,
        serial TEXT NOT NULL,
        firmware TEXT NOT NULL,
        board TEXT NOT NULL,
        -- suspended: its key was seen reusing trace numbers (a clone, or a replayed request); an operator decides.
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused', 'suspended')),
        status_reason TEXT,
        last_trace INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        approved_at INTEGER
      );
      CREATE TABLE enrollments (
        id INTEGER PRIMARY KEY,
        terminal_id TEXT REFERENCES terminals(id),
        received_at INTEGER NOT NULL,
        request BLOB NOT NULL,
        status TEXT NOT NULL,
        answer BLOB
      );
      -- Every authorization request as received, including retries and the ones refused.
      CREATE TABLE requests (
        id INTEGER PRIMARY KEY,
        received_at INTEGER NOT NULL,
        request BLOB NOT NULL,
        request_hash BLOB NOT NULL,
        terminal_id TEXT,
        trace INTEGER,
        amount INTEGER,
        currency TEXT,
        purpose TEXT,
        reference TEXT,
        location_status TEXT,
        latitude REAL,
        longitude REAL,
        terminal_verdict TEXT,
        code_id TEXT,                    -- hex, once the code verified
        -- A retry (same bytes) points at the request it repeats and gets that one's decision.
        retry_of INTEGER REFERENCES requests(id),
        problem TEXT                     -- why it could not be read, for garbled requests
      );
      CREATE INDEX requests_by_terminal_trace ON requests (terminal_id, trace);
      CREATE INDEX requests_by_hash ON requests (request_hash);
      CREATE TABLE decisions (
        request_id INTEGER PRIMARY KEY REFERENCES requests(id),
        outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'declined', 'held', 'step-up')),
        reason TEXT NOT NULL,
        approval_code TEXT,
        decided_at INTEGER NOT NULL,
        decision BLOB NOT NULL
      );
      -- Every payment-code identifier ever verified: a code seen twice anywhere is a copy.
      CREATE TABLE codes_seen (
        credential TEXT NOT NULL,        -- issuer kid hex / credential id hex
        code_id TEXT NOT NULL,           -- hex
        first_request_id INTEGER NOT NULL REFERENCES requests(id),
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (credential, code_id)
      );
    `,
  },
  {
    version: 301,
    name: 'hardening: retry identity by payload, a replay ledger bounded by code lifetime, strangers counted and sampled',
    sql: `
      -- SHA-256 of the signed payload: a copy with other signature bytes is the same request (NULL before 301: matched by bytes).
      ALTER TABLE requests ADD COLUMN payload_hash BLOB;
      CREATE INDEX requests_by_terminal_time ON requests (terminal_id, received_at);
      -- When the code can no longer pass the expiry check (exp + skew, ms): the row may be pruned from then on.
      ALTER TABLE codes_seen ADD COLUMN forget_after INTEGER NOT NULL DEFAULT 0;
      UPDATE codes_seen SET forget_after = seen_at + 210000;
      CREATE INDEX codes_by_forget_after ON codes_seen (forget_after);
      -- Requests that prove nothing about their sender: counted, and a ring of samples (first bytes only).
      CREATE TABLE stranger_counts (
        kind TEXT PRIMARY KEY CHECK (kind IN ('unreadable', 'unknown-terminal', 'bad-terminal-signature', 'unprovisioned-enrollment')),
        count INTEGER NOT NULL
      );
      CREATE TABLE stranger_samples (
        slot INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        size INTEGER NOT NULL,
        prefix BLOB NOT NULL,
        hash BLOB NOT NULL,
        problem TEXT NOT NULL
      );
      -- One-time enrollment secrets the operator issued (qrpay operator provision): their SHA-256 only.
      CREATE TABLE provisioning_tokens (
        token_hash BLOB PRIMARY KEY,
        merchant_id TEXT NOT NULL REFERENCES merchants(id),
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER,
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
        subject TEXT NOT NULL,           -- a source address, or the token hash / terminal key (hex)
        window_start INTEGER NOT NULL,   -- ms: the first attempt of this window
        attempts INTEGER NOT NULL,
        PRIMARY KEY (scope, subject)
      );
      CREATE INDEX enrollment_attempts_by_window ON enrollment_attempts (window_start);
    `,
  },
];

export function sqliteProvisioning(db: Db): ProvisioningPort {
  return {
    async insert(t) {
      db.prepare('INSERT INTO provisioning_tokens (token_hash, merchant_id, site_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
        .run(t.tokenHash, t.merchantId, t.siteId ?? null, t.createdAt, t.expiresAt);
    },
    async record(t) {
      db.prepare('INSERT INTO provisioning_tokens (token_hash, merchant_id, site_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (token_hash) DO NOTHING')
        .run(t.tokenHash, t.merchantId, t.siteId ?? null, t.createdAt, t.expiresAt);
    },
    async consume(tokenHash, terminalId, now) {
      const row = db.prepare(
        'UPDATE provisioning_tokens SET used_at = ?, terminal_id = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING merchant_id, site_id',
      ).get(now, terminalId, tokenHash, now) as { merchant_id: string; site_id: string | null } | undefined;
      return row ? { merchantId: row.merchant_id, siteId: row.site_id } : undefined;
    },
    async issued(tokenHash) {
      return db.prepare('SELECT 1 FROM provisioning_tokens WHERE token_hash = ?').get(tokenHash) !== undefined;
    },
    async countEnrollmentAttempt(scope, subject, now, windowMs) {
      db.prepare('DELETE FROM enrollment_attempts WHERE window_start <= ?').run(now - windowMs);
      const row = db.prepare(
        `INSERT INTO enrollment_attempts (scope, subject, window_start, attempts) VALUES (?, ?, ?, 1)
         ON CONFLICT (scope, subject) DO UPDATE SET attempts = attempts + 1 RETURNING attempts`,
      ).get(scope, subject, now) as { attempts: number };
      return row.attempts;
    },
  };
}

export function sqliteSettings(db: Db): SettingsPort {
  return {
    async get(key) {
      const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: Uint8Array } | undefined;
      return row ? bytes(row.value) : undefined;
    },
    async put(key, value) {
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
    },
    async remove(key) {
      db.prepare('DELETE FROM settings WHERE key = ?').run(key);
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

const merchantParams = (merchant: MerchantProfile & { categoryCode?: string | null }, maxAmount: number, now: number, origin: RecordOrigin) => ({
  id: merchant.merchantId, name: merchant.name, currency: merchant.currency, purposes: merchant.purposes.join(','),
  lat: merchant.site.latitude, lon: merchant.site.longitude, radius: merchant.site.radius, max: maxAmount, category: merchant.categoryCode ?? null, now, origin,
});

export function sqliteMerchants(db: Db): MerchantsPort {
  return {
    async upsert(merchant: MerchantProfile & { categoryCode?: string | null }, maxAmount: number, now: number, origin: RecordOrigin = 'config') {
      db.prepare(
        `INSERT INTO merchants (id, name, currency, purposes, site_latitude, site_longitude, site_radius, max_amount, category_code, created_at, origin)
         VALUES (@id, @name, @currency, @purposes, @lat, @lon, @radius, @max, @category, @now, @origin)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, currency = excluded.currency, purposes = excluded.purposes,
           site_latitude = excluded.site_latitude, site_longitude = excluded.site_longitude, site_radius = excluded.site_radius,
           max_amount = excluded.max_amount, category_code = excluded.category_code, origin = excluded.origin`,
      ).run(merchantParams(merchant, maxAmount, now, origin));
    },
    async insert(merchant, maxAmount, now, origin) {
      return db.prepare(
        `INSERT INTO merchants (id, name, currency, purposes, site_latitude, site_longitude, site_radius, max_amount, category_code, created_at, origin)
         VALUES (@id, @name, @currency, @purposes, @lat, @lon, @radius, @max, @category, @now, @origin)
         ON CONFLICT(id) DO NOTHING`,
      ).run(merchantParams(merchant, maxAmount, now, origin)).changes === 1;
    },
    async origin(id) {
      return (db.prepare('SELECT origin FROM merchants WHERE id = ?').get(id) as { origin: RecordOrigin } | undefined)?.origin;
    },
    async get(id): Promise<Merchant | undefined> {
      const row = db.prepare('SELECT * FROM merchants WHERE id = ?').get(id) as MerchantRow | undefined;
      return row ? merchantOf(row) : undefined;
    },
    async list() {
      return (db.prepare('SELECT * FROM merchants ORDER BY id').all() as MerchantRow[]).map(merchantOf);
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

export function sqliteTerminals(db: Db): TerminalsPort {
  return {
    async byId(id) {
      return terminalRecord(db.prepare(`SELECT ${terminalColumns} FROM terminals WHERE id = ?`).get(id) as Record<string, unknown> | undefined);
    },
    async byKey(publicKey) {
      return terminalRecord(db.prepare(`SELECT ${terminalColumns} FROM terminals WHERE public_key = ?`).get(publicKey) as Record<string, unknown> | undefined);
    },
    async insert(t) {
      db.prepare(
        `INSERT INTO terminals (id, merchant_id, alg, public_key, model, serial, firmware, board, status, created_at, approved_at, site_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(t.id, t.merchantId, t.alg, t.publicKey, t.device.model, t.device.serial, t.device.firmware, t.device.board, t.status, t.now,
        t.status === 'approved' ? t.now : null, t.siteId ?? null);
    },
    async approve(id, now) {
      return db.prepare(
        "UPDATE terminals SET status = 'approved', status_reason = NULL, approved_at = ? WHERE id = ? AND status IN ('pending', 'suspended')",
      ).run(now, id).changes === 1;
    },
    async suspend(id, reason) {
      db.prepare("UPDATE terminals SET status = 'suspended', status_reason = ? WHERE id = ?").run(reason, id);
    },
    async setLastTrace(id, trace) {
      db.prepare('UPDATE terminals SET last_trace = ? WHERE id = ?').run(trace, id);
    },
    async count() {
      return (db.prepare('SELECT COUNT(*) AS n FROM terminals').get() as { n: number }).n;
    },
    async recordEnrollment(e) {
      db.prepare('INSERT INTO enrollments (terminal_id, received_at, request, status, answer) VALUES (?, ?, ?, ?, ?)')
        .run(e.terminalId, e.now, e.request, e.status, e.answer);
    },
  };
}

export function sqliteRequests(db: Db): RequestsPort {
  return {
    async noteStranger(e) {
      const total = (db.prepare('SELECT COALESCE(SUM(count), 0) AS n FROM stranger_counts').get() as { n: number }).n + 1;
      db.prepare('INSERT INTO stranger_counts (kind, count) VALUES (?, 1) ON CONFLICT(kind) DO UPDATE SET count = count + 1').run(e.kind);
      db.prepare(
        `INSERT INTO stranger_samples (slot, kind, received_at, size, prefix, hash, problem) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(slot) DO UPDATE SET kind = excluded.kind, received_at = excluded.received_at, size = excluded.size,
           prefix = excluded.prefix, hash = excluded.hash, problem = excluded.problem`,
      ).run((total - 1) % strangerSampleSlots, e.kind, e.receivedAt, e.size, e.prefix.subarray(0, strangerPrefixBytes), e.hash,
        e.problem.slice(0, strangerProblemChars));
    },
    async strangers() {
      const counts: StrangerTally['counts'] = {};
      for (const row of db.prepare('SELECT kind, count FROM stranger_counts').all() as { kind: StrangerKind; count: number }[]) counts[row.kind] = row.count;
      const rows = db.prepare('SELECT * FROM stranger_samples ORDER BY received_at DESC, slot DESC').all() as Record<string, unknown>[];
      return {
        counts,
        samples: rows.map((r) => ({
          kind: r.kind as StrangerKind, receivedAt: r.received_at as number, size: r.size as number, prefix: bytes(r.prefix as Uint8Array),
          hash: bytes(r.hash as Uint8Array), problem: r.problem as string,
        })),
      };
    },
    async record(e) {
      return Number(db.prepare(
        `INSERT INTO requests (received_at, request, request_hash, payload_hash, terminal_id, trace, amount, currency, purpose, reference,
           location_status, latitude, longitude, terminal_verdict, retry_of)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(e.receivedAt, e.bytes, e.hash, e.payloadHash, e.terminalId, e.trace, e.amount, e.currency, e.purpose, e.reference,
        e.locationStatus, e.latitude, e.longitude, e.terminalVerdict, e.retryOf).lastInsertRowid);
    },
    async countSince(terminalId, since) {
      return (db.prepare('SELECT COUNT(*) AS n FROM requests WHERE terminal_id = ? AND received_at >= ?').get(terminalId, since) as { n: number }).n;
    },
    async setCodeId(requestId, codeId) {
      db.prepare('UPDATE requests SET code_id = ? WHERE id = ?').run(codeId, requestId);
    },
    async bytes(requestId) {
      const row = db.prepare('SELECT request FROM requests WHERE id = ?').get(requestId) as { request: Uint8Array } | undefined;
      return row ? bytes(row.request) : undefined;
    },
    async decidedOriginal(terminalId, trace, payloadHash) {
      const row = db.prepare(
        `SELECT d.request_id, d.outcome, d.reason, d.approval_code, d.decided_at, d.decision FROM requests r JOIN decisions d ON d.request_id = r.id
         WHERE r.terminal_id = ? AND r.trace = ? AND r.payload_hash = ? AND r.retry_of IS NULL`,
      ).get(terminalId, trace, payloadHash) as Record<string, unknown> | undefined;
      return row ? decisionRecord(row) : undefined;
    },
    async originalByTrace(terminalId, trace) {
      const row = db.prepare('SELECT id, request_hash FROM requests WHERE terminal_id = ? AND trace = ? AND retry_of IS NULL ORDER BY id LIMIT 1')
        .get(terminalId, trace) as { id: number; request_hash: Uint8Array } | undefined;
      return row ? { requestId: row.id, hash: bytes(row.request_hash) } : undefined;
    },
    async recordDecision(d) {
      db.prepare('INSERT INTO decisions (request_id, outcome, reason, approval_code, decided_at, decision) VALUES (?, ?, ?, ?, ?, ?)')
        .run(d.requestId, d.outcome, d.reason, d.approvalCode, d.decidedAt, d.decision);
    },
    async originalOfRetry(hash) {
      const row = db.prepare('SELECT retry_of FROM requests WHERE request_hash = ? AND retry_of IS NOT NULL ORDER BY id LIMIT 1')
        .get(hash) as { retry_of: number } | undefined;
      return row?.retry_of;
    },
    async count() {
      return (db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n;
    },
  };
}

function decisionRecord(row: Record<string, unknown>): StoredDecision {
  return {
    requestId: row.request_id as number, outcome: row.outcome as StoredDecision['outcome'], reason: row.reason as string,
    approvalCode: (row.approval_code as string | null) ?? null, decidedAt: row.decided_at as number, decision: bytes(row.decision as Uint8Array),
  };
}

export function sqliteCodes(db: Db): CodesPort {
  return {
    async firstUse(credential, codeId) {
      const row = db.prepare('SELECT first_request_id FROM codes_seen WHERE credential = ? AND code_id = ?').get(credential, codeId) as
        { first_request_id: number } | undefined;
      return row?.first_request_id;
    },
    async record(e) {
      db.prepare('INSERT INTO codes_seen (credential, code_id, first_request_id, seen_at, forget_after) VALUES (?, ?, ?, ?, ?)')
        .run(e.credential, e.codeId, e.requestId, e.now, e.forgetAfter);
    },
    async liveFor(credential, now) {
      return (db.prepare('SELECT COUNT(*) AS n FROM codes_seen WHERE credential = ? AND forget_after > ?').get(credential, now) as { n: number }).n;
    },
    async prune(now) {
      return db.prepare('DELETE FROM codes_seen WHERE forget_after <= ?').run(now).changes;
    },
    async count() {
      return (db.prepare('SELECT COUNT(*) AS n FROM codes_seen').get() as { n: number }).n;
    },
  };
}
