/** The payment lifecycle's messages from terminals on PostgreSQL: reversals (and, with them, what each one did). */
import type { LifecyclePort, ReversalRecord } from '../ports';
import { bytes, ConcurrentChange, type Migration, type Query } from './database';

export const lifecycleMigrations: Migration[] = [
  {
    version: 201,
    name: 'lifecycle: terminal reversals',
    sql: `
      -- One per (terminal, trace): the reversed request may never have arrived, so this is keyed by what the terminal knows.
      CREATE TABLE reversals (
        terminal_id TEXT NOT NULL REFERENCES terminals(id),
        trace BIGINT NOT NULL,
        request_hash BYTEA NOT NULL,
        payload_hash BYTEA NOT NULL,     -- SHA-256 of the signed payload: a retry gets the same answer
        reason TEXT NOT NULL,
        received_at BIGINT NOT NULL,
        effect TEXT NOT NULL,            -- the payment's state before, or 'unknown'
        answer BYTEA NOT NULL,           -- the signed acknowledgement
        PRIMARY KEY (terminal_id, trace)
      );
    `,
  },
];

export function postgresLifecycle(q: Query): LifecyclePort {
  return {
    async reversal(terminalId, trace) {
      const row = (await q('SELECT * FROM reversals WHERE terminal_id = $1 AND trace = $2', [terminalId, trace])).rows[0];
      if (!row) return undefined;
      return {
        terminalId: row.terminal_id as string, trace: row.trace as number, requestHash: bytes(row.request_hash as Uint8Array),
        payloadHash: bytes(row.payload_hash as Uint8Array), reason: row.reason as string, receivedAt: row.received_at as number,
        effect: row.effect as string, answer: bytes(row.answer as Uint8Array),
      } satisfies ReversalRecord;
    },
    async recordReversal(r) {
      const { rowCount } = await q(
        `INSERT INTO reversals (terminal_id, trace, request_hash, payload_hash, reason, received_at, effect, answer)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [r.terminalId, r.trace, r.requestHash, r.payloadHash, r.reason, r.receivedAt, r.effect, r.answer],
      );
      // The same reversal at another worker a moment ago: rerun, and reversal() then finds it (a retry's answer).
      if (rowCount !== 1) throw new ConcurrentChange(`reversal of ${r.terminalId} trace ${r.trace} recorded concurrently`);
    },
  };
}
