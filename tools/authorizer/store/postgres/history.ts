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
import { windowPieces } from '../minute-windows';
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
    async accountFacts({ account: id, credential, merchantId, since, recentLimit }) {
      // The lock first, in a statement of its own: a statement's snapshot is taken when it starts, so a read in the
      // same statement as the lock could miss the payment of the unit of work that held it.
      await account(id);
      const row = (await q<{
        recent_amounts: (string | number)[]; since_count: number; accepted_count: number; paid_merchant: boolean; credential_known: boolean;
        terminal_id: string | null; latitude: number | null; longitude: number | null; at: number | null;
      }>(
        `SELECT
           ARRAY(SELECT amount FROM payments WHERE account = $1 AND state IN ${acceptedStates} ORDER BY at DESC LIMIT $5) AS recent_amounts,
           (SELECT COUNT(*) FROM payments WHERE account = $1 AND at >= $4) AS since_count,
           (SELECT COUNT(*) FROM payments WHERE account = $1 AND state IN ${acceptedStates}) AS accepted_count,
           EXISTS (SELECT 1 FROM payments WHERE account = $1 AND merchant_id = $3 AND state IN ${acceptedStates}) AS paid_merchant,
           EXISTS (SELECT 1 FROM payments WHERE credential = $2) AS credential_known,
           last.terminal_id, last.latitude, last.longitude, last.at
         FROM (SELECT 1) AS one LEFT JOIN LATERAL (
           SELECT terminal_id, latitude, longitude, at FROM payments
           WHERE account = $1 AND state IN ${acceptedStates} AND latitude IS NOT NULL ORDER BY at DESC LIMIT 1
         ) AS last ON true`,
        [id, credential, merchantId, since, recentLimit],
      )).rows[0];
      return {
        // BIGINT[] arrives as text elements (the pool's number parser covers scalars only).
        recentAmounts: row.recent_amounts.map(Number),
        paymentsSince: row.since_count,
        lastPlacedPayment: row.terminal_id === null ? undefined
          : ({ terminalId: row.terminal_id, latitude: row.latitude!, longitude: row.longitude!, at: row.at! } satisfies PastPayment),
        credentialKnown: row.credential_known,
        accountPayments: row.accepted_count,
        paidMerchantBefore: row.paid_merchant,
      };
    },
    async merchantVolumes(merchantId, windows) {
      // Every window's pieces in one statement: its whole minutes from merchant_minutes (migration 107, all stripes),
      // the edges of a window that does not fall on minutes from the payments themselves (store/minute-windows.ts).
      const parts: string[] = [];
      const params: unknown[] = [merchantId];
      const param = (value: number) => `$${params.push(value)}`;
      windows.forEach((window, i) => {
        const { minutes, edges } = windowPieces(window);
        if (minutes) {
          parts.push(`SELECT ${i} AS w, COALESCE(SUM(payments), 0) AS count, COALESCE(SUM(amount), 0) AS total FROM merchant_minutes
                      WHERE merchant_id = $1 AND minute >= ${param(minutes.from)} AND minute < ${param(minutes.to)}`);
        }
        for (const { from, to } of edges) {
          parts.push(`SELECT ${i} AS w, COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM payments
                      WHERE merchant_id = $1 AND state IN ${acceptedStates} AND at >= ${param(from)} AND at < ${param(to)}`);
        }
      });
      const volumes: Volume[] = windows.map(() => ({ count: 0, total: 0 }));
      if (parts.length === 0) return volumes;
      for (const row of (await q<{ w: number } & Volume>(parts.join(' UNION ALL '), params)).rows) {
        volumes[row.w].count += row.count;
        volumes[row.w].total += row.total;
      }
      return volumes;
    },
  };
}
