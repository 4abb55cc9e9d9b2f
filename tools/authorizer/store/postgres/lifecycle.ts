/**
 * The payment lifecycle after the decision on PostgreSQL: terminals' reversals,
 * the holds of pre-authorizations, completions, voids, refunds and batch closes
 * (with what each did), the items of every closed batch, and offline losses.
 * Across worker processes: each record is unique by what names it (a
 * terminal's trace, the operator's reference, a batch number, an item, a
 * request), and a conflicting insert reruns the unit of work, which then finds
 * the winner's; a terminal's batch is read and closed by one unit of work at a
 * time (an advisory lock on the terminal's batch), so a void cannot slip a
 * sale out of a batch being closed; an expiring hold is locked with its
 * payment when it is picked.
 */
import type { BatchItemRecord, BatchRecord, HoldRecord, InstructionRecord, LifecyclePort, OfflineLossRecord, ReversalRecord } from '../ports';
import { bytes, ConcurrentChange, type Migration, type Query } from './database';
import { lockKey } from './protocol';

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
  {
    version: 202,
    name: 'lifecycle: holds, completions, voids, refunds, batches',
    sql: `
      CREATE TABLE holds (
        request_id BIGINT PRIMARY KEY REFERENCES payments(request_id),
        expires_at BIGINT NOT NULL
      );
      CREATE INDEX holds_by_expiry ON holds (expires_at);
      -- A terminal's instruction is unique by (terminal, trace), the operator's by its reference.
      CREATE TABLE instructions (
        id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        terminal_id TEXT NOT NULL REFERENCES terminals(id),
        trace BIGINT,
        source TEXT NOT NULL CHECK (source IN ('terminal', 'operator')),
        reference TEXT UNIQUE,
        action TEXT NOT NULL CHECK (action IN ('complete', 'void', 'refund', 'close-batch')),
        target_request_id BIGINT REFERENCES payments(request_id),
        amount BIGINT NOT NULL,
        currency TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('done', 'refused')),
        reason TEXT NOT NULL,
        instruction_hash BYTEA,
        answer BYTEA,
        received_at BIGINT NOT NULL,
        UNIQUE (terminal_id, trace)
      );
      CREATE INDEX instructions_by_target ON instructions (target_request_id, id);
      CREATE TABLE batches (
        terminal_id TEXT NOT NULL REFERENCES terminals(id),
        number BIGINT NOT NULL,
        closed_at BIGINT NOT NULL,
        balanced BOOLEAN NOT NULL,
        differences TEXT NOT NULL,
        items TEXT NOT NULL,
        PRIMARY KEY (terminal_id, number)
      );
      -- Every item of a closed batch, once: what is not here belongs to the terminal's open batch.
      CREATE TABLE batch_items (
        terminal_id TEXT NOT NULL,
        trace BIGINT NOT NULL,
        kind TEXT NOT NULL,
        batch BIGINT NOT NULL,
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        PRIMARY KEY (terminal_id, trace, kind)
      );
    `,
  },
  {
    version: 203,
    name: 'lifecycle: offline losses',
    sql: `
      -- Offline payments declined at their upload (the goods were gone): one per request.
      CREATE TABLE offline_losses (
        request_id BIGINT PRIMARY KEY REFERENCES requests(id),
        terminal_id TEXT NOT NULL,
        merchant_id TEXT NOT NULL,
        trace BIGINT NOT NULL,
        amount BIGINT NOT NULL,
        currency TEXT NOT NULL,
        reason TEXT NOT NULL,
        at BIGINT NOT NULL
      );
    `,
  },
];

function loss(row: Record<string, unknown>): OfflineLossRecord {
  return {
    requestId: row.request_id as number, terminalId: row.terminal_id as string, merchantId: row.merchant_id as string, trace: row.trace as number,
    amount: row.amount as number, currency: row.currency as string, reason: row.reason as string, at: row.at as number,
  };
}

function instruction(row: Record<string, unknown>): InstructionRecord {
  return {
    terminalId: row.terminal_id as string, trace: row.trace as number | null, source: row.source as InstructionRecord['source'],
    reference: row.reference as string | null, action: row.action as InstructionRecord['action'], targetRequestId: row.target_request_id as number | null,
    amount: row.amount as number, currency: row.currency as string | null, outcome: row.outcome as InstructionRecord['outcome'], reason: row.reason as string,
    instructionHash: bytes(row.instruction_hash as Uint8Array | null), answer: bytes(row.answer as Uint8Array | null), receivedAt: row.received_at as number,
  };
}

function batch(row: Record<string, unknown>): BatchRecord {
  return {
    terminalId: row.terminal_id as string, number: row.number as number, closedAt: row.closed_at as number, balanced: row.balanced as boolean,
    differences: row.differences as string, items: row.items as string,
  };
}

/** Not yet in a closed batch of terminal $1 as `kind`. */
const notClosed = (kind: string, trace: string) =>
  `NOT EXISTS (SELECT 1 FROM batch_items bi WHERE bi.terminal_id = $1 AND bi.trace = ${trace} AND bi.kind ${kind})`;

/** A terminal's batch is read to be closed, or checked before a void, by one unit of work at a time. */
const lockBatch = (q: Query, terminalId: string) => lockKey(q, 'batch', terminalId);

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
    async openHold(h) {
      const { rowCount } = await q('INSERT INTO holds (request_id, expires_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [h.requestId, h.expiresAt]);
      if (rowCount !== 1) throw new ConcurrentChange(`hold of request ${h.requestId} opened concurrently`);
    },
    async hold(requestId) {
      const row = (await q<{ request_id: number; expires_at: number }>('SELECT request_id, expires_at FROM holds WHERE request_id = $1', [requestId])).rows[0];
      return row ? { requestId: row.request_id, expiresAt: row.expires_at } satisfies HoldRecord : undefined;
    },
    async expiredHolds(now, limit) {
      // Locked with their payments as they are picked: a hold being completed (or expired by another worker) right
      // now is skipped, not expired from under the completion; the next sweep sees what became of it.
      return (await q<{ request_id: number; expires_at: number }>(
        `SELECT h.request_id, h.expires_at FROM holds h JOIN payments p ON p.request_id = h.request_id
         WHERE h.expires_at <= $1 AND p.state = 'authorized' ORDER BY h.expires_at LIMIT $2 FOR UPDATE OF p SKIP LOCKED`,
        [now, limit],
      )).rows.map((row) => ({ requestId: row.request_id, expiresAt: row.expires_at }));
    },
    async instruction(terminalId, trace) {
      const row = (await q('SELECT * FROM instructions WHERE terminal_id = $1 AND trace = $2', [terminalId, trace])).rows[0];
      return row ? instruction(row) : undefined;
    },
    async instructionByReference(reference) {
      const row = (await q('SELECT * FROM instructions WHERE reference = $1', [reference])).rows[0];
      return row ? instruction(row) : undefined;
    },
    async recordInstruction(i) {
      const { rowCount } = await q(
        `INSERT INTO instructions (terminal_id, trace, source, reference, action, target_request_id, amount, currency, outcome, reason,
           instruction_hash, answer, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING`,
        [i.terminalId, i.trace, i.source, i.reference, i.action, i.targetRequestId, i.amount, i.currency, i.outcome, i.reason,
          i.instructionHash, i.answer, i.receivedAt],
      );
      // The same instruction (trace, or operator reference) at another worker a moment ago: rerun, and
      // instruction() / instructionByReference() then find it.
      if (rowCount !== 1) throw new ConcurrentChange(`instruction ${i.reference ?? `${i.terminalId} trace ${i.trace}`} recorded concurrently`);
    },
    async doneOn(targetRequestId) {
      return (await q("SELECT * FROM instructions WHERE target_request_id = $1 AND outcome = 'done' ORDER BY id", [targetRequestId])).rows.map(instruction);
    },
    // A sale closed as what it became (its reversal) is closed too.
    async openBatch(terminalId) {
      await lockBatch(q, terminalId);
      const sales = (await q<{ trace: number; amount: number; currency: string }>(
        `SELECT r.trace, p.amount, p.currency FROM payments p JOIN requests r ON r.id = p.request_id
         WHERE p.terminal_id = $1 AND p.state NOT IN ('declined', 'awaiting-confirmation') AND p.request_id NOT IN (SELECT request_id FROM holds)
           AND ${notClosed("IN ('sale', 'reversal')", 'r.trace')} ORDER BY r.trace`,
        [terminalId],
      )).rows;
      const reversals = (await q<{ trace: number; amount: number; currency: string }>(
        `SELECT rv.trace, p.amount, p.currency FROM reversals rv
           JOIN requests r ON r.terminal_id = rv.terminal_id AND r.trace = rv.trace AND r.retry_of IS NULL
           JOIN payments p ON p.request_id = r.id
         WHERE rv.terminal_id = $1 AND rv.effect IN ('voided', 'released') AND ${notClosed("= 'reversal'", 'rv.trace')} ORDER BY rv.trace`,
        [terminalId],
      )).rows;
      const instructions = (await q<{ trace: number; action: 'complete' | 'void' | 'refund'; amount: number; currency: string }>(
        `SELECT i.trace, i.action, i.amount, i.currency FROM instructions i
         WHERE i.terminal_id = $1 AND i.source = 'terminal' AND i.outcome = 'done' AND i.action != 'close-batch'
           AND ${notClosed("IN ('completion', 'void', 'refund')", 'i.trace')} ORDER BY i.trace`,
        [terminalId],
      )).rows;
      return { sales, reversals, instructions };
    },
    async batch(terminalId, number) {
      await lockBatch(q, terminalId);
      const row = (await q('SELECT * FROM batches WHERE terminal_id = $1 AND number = $2', [terminalId, number])).rows[0];
      return row ? batch(row) : undefined;
    },
    async closeBatch(b, items) {
      const closed = await q(
        `INSERT INTO batches (terminal_id, number, closed_at, balanced, differences, items) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
        [b.terminalId, b.number, b.closedAt, b.balanced, b.differences, b.items],
      );
      if (closed.rowCount !== 1) throw new ConcurrentChange(`batch ${b.number} of ${b.terminalId} closed concurrently`);
      for (const item of items) {
        const { rowCount } = await q(
          'INSERT INTO batch_items (terminal_id, trace, kind, batch, amount, currency) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING',
          [b.terminalId, item.trace, item.kind, b.number, item.amount, item.currency],
        );
        // Each item is closed once, ever: another batch took it a moment ago, and the rerun counts without it.
        if (rowCount !== 1) throw new ConcurrentChange(`${item.kind} ${item.trace} of ${b.terminalId} closed in another batch concurrently`);
      }
    },
    async closedIn(terminalId, trace, kind: BatchItemRecord['kind']) {
      // Asked before a void: a close of this terminal's batch under way finishes first, then the answer includes it.
      await lockBatch(q, terminalId);
      const row = (await q<{ batch: number }>('SELECT batch FROM batch_items WHERE terminal_id = $1 AND trace = $2 AND kind = $3', [terminalId, trace, kind])).rows[0];
      return row?.batch;
    },
    async recordOfflineLoss(l) {
      const { rowCount } = await q(
        `INSERT INTO offline_losses (request_id, terminal_id, merchant_id, trace, amount, currency, reason, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`,
        [l.requestId, l.terminalId, l.merchantId, l.trace, l.amount, l.currency, l.reason, l.at],
      );
      if (rowCount !== 1) throw new ConcurrentChange(`offline loss of request ${l.requestId} recorded concurrently`);
    },
    async offlineLoss(requestId) {
      const row = (await q('SELECT * FROM offline_losses WHERE request_id = $1', [requestId])).rows[0];
      return row ? loss(row) : undefined;
    },
    async offlineLosses(limit) {
      return (await q('SELECT * FROM offline_losses ORDER BY at DESC, request_id DESC LIMIT $1', [limit])).rows.map(loss);
    },
    async batches(filter) {
      const rows = (await q(
        `SELECT b.*, t.merchant_id FROM batches b JOIN terminals t ON t.id = b.terminal_id
         WHERE ($1::text IS NULL OR b.terminal_id = $1) ORDER BY b.closed_at DESC LIMIT $2`,
        [filter.terminal ?? null, filter.limit],
      )).rows;
      return rows.map((row) => ({ ...batch(row), merchantId: row.merchant_id as string }));
    },
  };
}
