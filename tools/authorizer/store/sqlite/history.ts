/**
 * The History port over the judgement's tables (payments, terminal_fixes).
 * Only authentic requests whose payment code verified are ever written
 * there, so a forger cannot poison a customer's or a terminal's history.
 */
import type { History, PastFix, PastPayment, Volume } from '../ports';
import type { Db } from './database';

/** States of payments the customer really made or is making (money moved or is about to). */
const acceptedStates = "('captured', 'pending', 'authorized', 'partially-refunded')";

export function sqliteHistory(db: Db): History {
  return {
    async lastTerminalFix(terminalId) {
      return db.prepare('SELECT latitude, longitude, accuracy, at FROM terminal_fixes WHERE terminal_id = ? ORDER BY id DESC LIMIT 1')
        .get(terminalId) as PastFix | undefined;
    },
    async recentAmounts(account, limit) {
      return (db.prepare(`SELECT amount FROM payments WHERE account = ? AND state IN ${acceptedStates} ORDER BY at DESC LIMIT ?`)
        .all(account, limit) as { amount: number }[]).map((row) => row.amount);
    },
    async paymentsSince(account, since) {
      return (db.prepare('SELECT COUNT(*) AS n FROM payments WHERE account = ? AND at >= ?').get(account, since) as { n: number }).n;
    },
    async lastPlacedPayment(account) {
      const row = db.prepare(
        `SELECT terminal_id, latitude, longitude, at FROM payments
         WHERE account = ? AND state IN ${acceptedStates} AND latitude IS NOT NULL ORDER BY at DESC LIMIT 1`,
      ).get(account) as { terminal_id: string; latitude: number; longitude: number; at: number } | undefined;
      return row ? ({ terminalId: row.terminal_id, latitude: row.latitude, longitude: row.longitude, at: row.at } satisfies PastPayment) : undefined;
    },
    async credentialKnown(credential) {
      return db.prepare('SELECT 1 FROM payments WHERE credential = ? LIMIT 1').get(credential) !== undefined;
    },
    async accountPayments(account) {
      return (db.prepare(`SELECT COUNT(*) AS n FROM payments WHERE account = ? AND state IN ${acceptedStates}`).get(account) as { n: number }).n;
    },
    async paidMerchantBefore(account, merchantId) {
      return db.prepare(`SELECT 1 FROM payments WHERE account = ? AND merchant_id = ? AND state IN ${acceptedStates} LIMIT 1`)
        .get(account, merchantId) !== undefined;
    },
    async merchantVolumes(merchantId, windows) {
      const volume = db.prepare(
        `SELECT COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM payments
         WHERE merchant_id = ? AND state IN ${acceptedStates} AND at >= ? AND at < ?`,
      );
      return windows.map(({ from, to }) => volume.get(merchantId, from, to) as Volume);
    },
  };
}
