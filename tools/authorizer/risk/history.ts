/**
 * What the factors know about the past: small queries over the judgement's
 * own tables (payments, terminal_fixes). Only authentic requests whose
 * payment code verified are ever written there, so a forger cannot poison a
 * customer's or a terminal's history with requests it merely claims.
 */
import type { Db } from '../database';
import type { Place } from './geo';

export interface PastFix extends Place {
  at: number;
  accuracy: number | null;
}

export interface PastPayment extends Place {
  terminal_id: string;
  at: number;
}

/** States of payments the customer really made or is making (money moved or is about to). */
const acceptedStates = "('captured', 'pending')";

export function lastTerminalFix(db: Db, terminalId: string): PastFix | undefined {
  return db.prepare('SELECT latitude, longitude, accuracy, at FROM terminal_fixes WHERE terminal_id = ? ORDER BY id DESC LIMIT 1')
    .get(terminalId) as PastFix | undefined;
}

/** The customer's recent accepted amounts, newest first. */
export function recentAmounts(db: Db, account: string, limit: number): number[] {
  return (db.prepare(`SELECT amount FROM payments WHERE account = ? AND state IN ${acceptedStates} ORDER BY at DESC LIMIT ?`)
    .all(account, limit) as { amount: number }[]).map((row) => row.amount);
}

/** Payments the customer attempted since `since` (declined ones too: a thief retrying counts). */
export function paymentsSince(db: Db, account: string, since: number): number {
  return (db.prepare('SELECT COUNT(*) AS n FROM payments WHERE account = ? AND at >= ?').get(account, since) as { n: number }).n;
}

/** The customer's latest accepted payment with a known place. */
export function lastPlacedPayment(db: Db, account: string): PastPayment | undefined {
  return db.prepare(
    `SELECT terminal_id, latitude, longitude, at FROM payments
     WHERE account = ? AND state IN ${acceptedStates} AND latitude IS NOT NULL ORDER BY at DESC LIMIT 1`,
  ).get(account) as PastPayment | undefined;
}

export function credentialKnown(db: Db, credential: string): boolean {
  return db.prepare('SELECT 1 FROM payments WHERE credential = ? LIMIT 1').get(credential) !== undefined;
}

export function accountPayments(db: Db, account: string): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM payments WHERE account = ? AND state IN ${acceptedStates}`).get(account) as { n: number }).n;
}

export function paidMerchantBefore(db: Db, account: string, merchantId: string): boolean {
  return db.prepare(`SELECT 1 FROM payments WHERE account = ? AND merchant_id = ? AND state IN ${acceptedStates} LIMIT 1`)
    .get(account, merchantId) !== undefined;
}

export interface Volume {
  count: number;
  total: number;
}

/** The merchant's accepted payments with `from <= at < to`. */
export function merchantVolume(db: Db, merchantId: string, from: number, to: number): Volume {
  const row = db.prepare(
    `SELECT COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM payments
     WHERE merchant_id = ? AND state IN ${acceptedStates} AND at >= ? AND at < ?`,
  ).get(merchantId, from, to) as Volume;
  return row;
}
