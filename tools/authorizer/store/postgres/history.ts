/**
 * The History port over the judgement's tables on PostgreSQL (payments,
 * terminal_fixes). Only authentic requests whose payment code verified are
 * ever written there, so a forger cannot poison a customer's or a terminal's history.
 */
import type { History, PastFix, PastPayment, Volume } from '../ports';
import type { Query } from './database';

/** States of payments the customer really made or is making (money moved or is about to). */
const acceptedStates = "('captured', 'pending')";

export function postgresHistory(q: Query): History {
  return {
    async lastTerminalFix(terminalId) {
      return (await q<PastFix>('SELECT latitude, longitude, accuracy, at FROM terminal_fixes WHERE terminal_id = $1 ORDER BY id DESC LIMIT 1',
        [terminalId])).rows[0];
    },
    async recentAmounts(account, limit) {
      return (await q<{ amount: number }>(`SELECT amount FROM payments WHERE account = $1 AND state IN ${acceptedStates} ORDER BY at DESC LIMIT $2`,
        [account, limit])).rows.map((row) => row.amount);
    },
    async paymentsSince(account, since) {
      return (await q<{ n: number }>('SELECT COUNT(*) AS n FROM payments WHERE account = $1 AND at >= $2', [account, since])).rows[0].n;
    },
    async lastPlacedPayment(account) {
      const row = (await q<{ terminal_id: string; latitude: number; longitude: number; at: number }>(
        `SELECT terminal_id, latitude, longitude, at FROM payments
         WHERE account = $1 AND state IN ${acceptedStates} AND latitude IS NOT NULL ORDER BY at DESC LIMIT 1`,
        [account],
      )).rows[0];
      return row ? ({ terminalId: row.terminal_id, latitude: row.latitude, longitude: row.longitude, at: row.at } satisfies PastPayment) : undefined;
    },
    async credentialKnown(credential) {
      return (await q('SELECT 1 FROM payments WHERE credential = $1 LIMIT 1', [credential])).rows.length > 0;
    },
    async accountPayments(account) {
      return (await q<{ n: number }>(`SELECT COUNT(*) AS n FROM payments WHERE account = $1 AND state IN ${acceptedStates}`, [account])).rows[0].n;
    },
    async paidMerchantBefore(account, merchantId) {
      return (await q(`SELECT 1 FROM payments WHERE account = $1 AND merchant_id = $2 AND state IN ${acceptedStates} LIMIT 1`,
        [account, merchantId])).rows.length > 0;
    },
    async merchantVolume(merchantId, from, to) {
      return (await q<Volume>(
        `SELECT COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM payments
         WHERE merchant_id = $1 AND state IN ${acceptedStates} AND at >= $2 AND at < $3`,
        [merchantId, from, to],
      )).rows[0];
    },
  };
}
