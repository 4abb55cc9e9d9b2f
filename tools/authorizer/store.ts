/**
 * The authorizer's data access: one small function per question the protocol
 * asks, over the SQLite schema in migrations.ts. Everything is synchronous
 * (better-sqlite3), so a whole decision runs inside one transaction.
 */
import type { Db } from './database';
import type { Purpose } from '../../src/authorization/charge';
import type { MerchantProfile } from '../../src/authorization/enrollment';
import type { SignatureAlgorithm } from '../../hal/keystore';

export interface TerminalRow {
  id: string;
  merchant_id: string;
  alg: SignatureAlgorithm;
  public_key: Uint8Array;
  status: 'pending' | 'approved' | 'refused' | 'suspended';
  last_trace: number;
}

export interface MerchantRow {
  id: string;
  name: string;
  currency: string;
  purposes: string;
  site_latitude: number;
  site_longitude: number;
  site_radius: number;
  max_amount: number;
}

export interface StoredDecision {
  request_id: number;
  outcome: string;
  reason: string;
  decision: Uint8Array;
}

export function getSetting(db: Db, key: string): Uint8Array | undefined {
  const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(key) as { value: Uint8Array } | undefined;
  return row ? new Uint8Array(row.value) : undefined;
}

export function putSetting(db: Db, key: string, value: Uint8Array): void {
  db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run(key, value);
}

export function upsertMerchant(db: Db, merchant: MerchantProfile, maxAmount: number, now: number): void {
  db.prepare(
    `INSERT INTO merchants (id, name, currency, purposes, site_latitude, site_longitude, site_radius, max_amount, created_at)
     VALUES (@id, @name, @currency, @purposes, @lat, @lon, @radius, @max, @now)
     ON CONFLICT(id) DO UPDATE SET name = excluded.name, currency = excluded.currency, purposes = excluded.purposes,
       site_latitude = excluded.site_latitude, site_longitude = excluded.site_longitude, site_radius = excluded.site_radius,
       max_amount = excluded.max_amount`,
  ).run({
    id: merchant.merchantId, name: merchant.name, currency: merchant.currency, purposes: merchant.purposes.join(','),
    lat: merchant.site.latitude, lon: merchant.site.longitude, radius: merchant.site.radius, max: maxAmount, now,
  });
}

export function getMerchant(db: Db, id: string): MerchantRow | undefined {
  return db.prepare('SELECT * FROM merchants WHERE id = ?').get(id) as MerchantRow | undefined;
}

export function merchantProfile(row: MerchantRow): MerchantProfile {
  return {
    merchantId: row.id,
    name: row.name,
    currency: row.currency,
    purposes: row.purposes.split(',') as Purpose[],
    site: { latitude: row.site_latitude, longitude: row.site_longitude, radius: row.site_radius },
  };
}

export function terminalById(db: Db, id: string): TerminalRow | undefined {
  return db.prepare('SELECT id, merchant_id, alg, public_key, status, last_trace FROM terminals WHERE id = ?').get(id) as TerminalRow | undefined;
}

export function terminalByKey(db: Db, publicKey: Uint8Array): TerminalRow | undefined {
  return db.prepare('SELECT id, merchant_id, alg, public_key, status, last_trace FROM terminals WHERE public_key = ?').get(publicKey) as TerminalRow | undefined;
}

/** An operator's approval of a pending or suspended terminal (a suspended one restarts above its last trace number). */
export function approveTerminal(db: Db, id: string, now: number): boolean {
  return db.prepare(
    "UPDATE terminals SET status = 'approved', status_reason = NULL, approved_at = ? WHERE id = ? AND status IN ('pending', 'suspended')",
  ).run(now, id).changes === 1;
}

export function suspendTerminal(db: Db, id: string, reason: string): void {
  db.prepare("UPDATE terminals SET status = 'suspended', status_reason = ? WHERE id = ?").run(reason, id);
}

export function countTerminals(db: Db): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM terminals').get() as { n: number }).n;
}

/** The request a retry repeats: same terminal, trace and bytes, with its decision. */
export function decidedRequest(db: Db, terminalId: string, trace: number, hash: Uint8Array): StoredDecision | undefined {
  return db.prepare(
    `SELECT d.request_id, d.outcome, d.reason, d.decision FROM requests r JOIN decisions d ON d.request_id = r.id
     WHERE r.terminal_id = ? AND r.trace = ? AND r.request_hash = ? AND r.retry_of IS NULL`,
  ).get(terminalId, trace, hash) as StoredDecision | undefined;
}

export function codeSeen(db: Db, credential: string, codeId: string): { first_request_id: number } | undefined {
  return db.prepare('SELECT first_request_id FROM codes_seen WHERE credential = ? AND code_id = ?').get(credential, codeId) as
    | { first_request_id: number }
    | undefined;
}
