/**
 * The History port over the judgement's tables on PostgreSQL (payments,
 * terminal_fixes). Only authentic requests whose payment code verified are
 * ever written there, so a forger cannot poison a customer's or a terminal's history.
 *
 * One account's payments are judged one after another, across workers: the
 * first read of an account's history in a unit of work takes a transaction
 * advisory lock on the account, so a phone presenting codes at ten terminals
 * at once is judged with each earlier payment in view (velocity, amounts),
 * as on SQLite. A merchant's volume is read without one: it is a statistic,
 * and a lock on it would make all of a busy merchant's terminals wait for each other.
 */
import type { History, PastFix, PastPayment, Volume } from '../ports';
import type { Query } from './database';

/** States of payments the customer really made or is making (money moved or is about to). */
const acceptedStates = "('captured', 'pending', 'authorized', 'partially-refunded')";

export function postgresHistory(q: Query): History {
  const locked = new Set<string>();
  const account = async (id: string) => {
    if (locked.has(id)) return;
    await q("SELECT pg_advisory_xact_lock(hashtextextended('qrpay.account:' || $1, 0))", [id]);
    locked.add(id);
  };
  return {
    async lastTerminalFix(terminalId) {
      return (await q<PastFix>('SELECT latitude, longitude, accuracy, at FROM terminal_fixes WHERE terminal_id = $1 ORDER BY id DESC LIMIT 1',
        [terminalId])).rows[0];
    },
    async recentAmounts(id, limit) {
      await account(id);
      return (await q<{ amount: number }>(`SELECT amount FROM payments WHERE account = $1 AND state IN ${acceptedStates} ORDER BY at DESC LIMIT $2`,
        [id, limit])).rows.map((row) => row.amount);
    },
    async paymentsSince(id, since) {
      await account(id);
      return (await q<{ n: number }>('SELECT COUNT(*) AS n FROM payments WHERE account = $1 AND at >= $2', [id, since])).rows[0].n;
    },
    async lastPlacedPayment(id) {
      await account(id);
      const row = (await q<{ terminal_id: string; latitude: number; longitude: number; at: number }>(
        `SELECT terminal_id, latitude, longitude, at FROM payments
         WHERE account = $1 AND state IN ${acceptedStates} AND latitude IS NOT NULL ORDER BY at DESC LIMIT 1`,
        [id],
      )).rows[0];
      return row ? ({ terminalId: row.terminal_id, latitude: row.latitude, longitude: row.longitude, at: row.at } satisfies PastPayment) : undefined;
    },
    async credentialKnown(credential) {
      return (await q('SELECT 1 FROM payments WHERE credential = $1 LIMIT 1', [credential])).rows.length > 0;
    },
    async accountPayments(id) {
      await account(id);
      return (await q<{ n: number }>(`SELECT COUNT(*) AS n FROM payments WHERE account = $1 AND state IN ${acceptedStates}`, [id])).rows[0].n;
    },
    async paidMerchantBefore(id, merchantId) {
      await account(id);
      return (await q(`SELECT 1 FROM payments WHERE account = $1 AND merchant_id = $2 AND state IN ${acceptedStates} LIMIT 1`,
        [id, merchantId])).rows.length > 0;
    },
    async merchantVolumes(merchantId, windows) {
      // All windows in one round trip: one pass over the merchant's payments from the earliest start to the latest end.
      const bounds = windows.map((_, i) => `at >= $${2 * i + 2} AND at < $${2 * i + 3}`);
      const columns = bounds.map((bound, i) => `COUNT(*) FILTER (WHERE ${bound}) AS count${i}, COALESCE(SUM(amount) FILTER (WHERE ${bound}), 0) AS total${i}`);
      const row = (await q<Record<string, number>>(
        `SELECT ${columns.join(', ')} FROM payments
         WHERE merchant_id = $1 AND state IN ${acceptedStates}
           AND at >= LEAST(${windows.map((_, i) => `$${2 * i + 2}`).join(', ')}) AND at < GREATEST(${windows.map((_, i) => `$${2 * i + 3}`).join(', ')})`,
        [merchantId, ...windows.flatMap(({ from, to }) => [from, to])],
      )).rows[0];
      return windows.map((_, i) => ({ count: row[`count${i}`], total: row[`total${i}`] }));
    },
  };
}
