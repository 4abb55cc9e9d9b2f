/**
 * The History port over the judgement's tables (payments, terminal_fixes).
 * Only authentic requests whose payment code verified are ever written
 * there, so a forger cannot poison a customer's or a terminal's history.
 */
import type { History, PastFix, PastPayment, Volume } from '../ports';
import { windowPieces } from '../minute-windows';
import type { Db } from './database';

/** States of payments the customer really made or is making (money moved or is about to). */
const acceptedStates = "('captured', 'pending', 'authorized', 'partially-refunded')";

export function sqliteHistory(db: Db): History {
  return {
    async lastTerminalFix(terminalId) {
      return db.prepare('SELECT latitude, longitude, accuracy, at FROM terminal_fixes WHERE terminal_id = ? ORDER BY id DESC LIMIT 1')
        .get(terminalId) as PastFix | undefined;
    },
    // In-process: one statement per fact costs no round trip here.
    async accountFacts({ account, credential, merchantId, since, recentLimit }) {
      const last = db.prepare(
        `SELECT terminal_id, latitude, longitude, at FROM payments
         WHERE account = ? AND state IN ${acceptedStates} AND latitude IS NOT NULL ORDER BY at DESC LIMIT 1`,
      ).get(account) as { terminal_id: string; latitude: number; longitude: number; at: number } | undefined;
      return {
        recentAmounts: (db.prepare(`SELECT amount FROM payments WHERE account = ? AND state IN ${acceptedStates} ORDER BY at DESC LIMIT ?`)
          .all(account, recentLimit) as { amount: number }[]).map((row) => row.amount),
        paymentsSince: (db.prepare('SELECT COUNT(*) AS n FROM payments WHERE account = ? AND at >= ?').get(account, since) as { n: number }).n,
        lastPlacedPayment: last ? ({ terminalId: last.terminal_id, latitude: last.latitude, longitude: last.longitude, at: last.at } satisfies PastPayment) : undefined,
        credentialKnown: db.prepare('SELECT 1 FROM payments WHERE credential = ? LIMIT 1').get(credential) !== undefined,
        accountPayments: (db.prepare(`SELECT COUNT(*) AS n FROM payments WHERE account = ? AND state IN ${acceptedStates}`).get(account) as { n: number }).n,
        paidMerchantBefore: db.prepare(`SELECT 1 FROM payments WHERE account = ? AND merchant_id = ? AND state IN ${acceptedStates} LIMIT 1`)
          .get(account, merchantId) !== undefined,
      };
    },
    async merchantVolumes(merchantId, windows) {
      // Whole minutes from merchant_minutes (migration 107), the edges of a window that does not fall on minutes from
      // the payments themselves (store/minute-windows.ts).
      const inMinutes = db.prepare(
        'SELECT COALESCE(SUM(payments), 0) AS count, COALESCE(SUM(amount), 0) AS total FROM merchant_minutes WHERE merchant_id = ? AND minute >= ? AND minute < ?',
      );
      const inPayments = db.prepare(
        `SELECT COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM payments
         WHERE merchant_id = ? AND state IN ${acceptedStates} AND at >= ? AND at < ?`,
      );
      return windows.map((window) => {
        const { minutes, edges } = windowPieces(window);
        const parts = edges.map(({ from, to }) => inPayments.get(merchantId, from, to) as Volume);
        if (minutes) parts.push(inMinutes.get(merchantId, minutes.from, minutes.to) as Volume);
        return parts.reduce((sum, part) => ({ count: sum.count + part.count, total: sum.total + part.total }), { count: 0, total: 0 });
      });
    },
  };
}
