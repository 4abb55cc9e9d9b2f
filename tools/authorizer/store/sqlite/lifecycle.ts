/** The payment lifecycle's messages from terminals: reversals (and, with them, what each one did). */
import type { LifecyclePort, ReversalRecord } from '../ports';
import { bytes, type Db, type Migration } from './database';

export const lifecycleMigrations: Migration[] = [
  {
    version: 201,
    name: 'lifecycle: terminal reversals',
    sql: `
      -- One per (terminal, trace): the reversed request may never have arrived, so this is keyed by what the terminal knows.
      CREATE TABLE reversals (
        terminal_id TEXT NOT NULL REFERENCES terminals(id),
        trace INTEGER NOT NULL,
        request_hash BLOB NOT NULL,
        payload_hash BLOB NOT NULL,      -- SHA-256 of the signed payload: a retry gets the same answer
        reason TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        effect TEXT NOT NULL,            -- the payment's state before, or 'unknown'
        answer BLOB NOT NULL,            -- the signed acknowledgement
        PRIMARY KEY (terminal_id, trace)
      );
    `,
  },
];

export function sqliteLifecycle(db: Db): LifecyclePort {
  return {
    async reversal(terminalId, trace) {
      const row = db.prepare('SELECT * FROM reversals WHERE terminal_id = ? AND trace = ?').get(terminalId, trace) as Record<string, unknown> | undefined;
      if (!row) return undefined;
      return {
        terminalId: row.terminal_id as string, trace: row.trace as number, requestHash: bytes(row.request_hash as Uint8Array),
        payloadHash: bytes(row.payload_hash as Uint8Array), reason: row.reason as string, receivedAt: row.received_at as number,
        effect: row.effect as string, answer: bytes(row.answer as Uint8Array),
      } satisfies ReversalRecord;
    },
    async recordReversal(r) {
      db.prepare(
        'INSERT INTO reversals (terminal_id, trace, request_hash, payload_hash, reason, received_at, effect, answer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      ).run(r.terminalId, r.trace, r.requestHash, r.payloadHash, r.reason, r.receivedAt, r.effect, r.answer);
    },
  };
}
