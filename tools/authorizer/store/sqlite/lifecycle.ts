/**
 * The payment lifecycle after the decision: terminals' reversals, the holds of
 * pre-authorizations, completions, voids, refunds and batch closes (with what
 * each did), and the items of every closed batch.
 */
import type { BatchItemRecord, BatchRecord, HoldRecord, InstructionRecord, LifecyclePort, OfflineLossRecord, ReversalRecord } from '../ports';
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
  {
    version: 202,
    name: 'lifecycle: holds, completions, voids, refunds, batches',
    sql: `
      CREATE TABLE holds (
        request_id INTEGER PRIMARY KEY REFERENCES payments(request_id),
        expires_at INTEGER NOT NULL
      );
      CREATE INDEX holds_by_expiry ON holds (expires_at);
      -- A terminal's instruction is unique by (terminal, trace), the operator's by its reference.
      CREATE TABLE instructions (
        id INTEGER PRIMARY KEY,
        terminal_id TEXT NOT NULL REFERENCES terminals(id),
        trace INTEGER,
        source TEXT NOT NULL CHECK (source IN ('terminal', 'operator')),
        reference TEXT UNIQUE,
        action TEXT NOT NULL CHECK (action IN ('complete', 'void', 'refund', 'close-batch')),
        target_request_id INTEGER REFERENCES payments(request_id),
        amount INTEGER NOT NULL,
        currency TEXT,
        outcome TEXT NOT NULL CHECK (outcome IN ('done', 'refused')),
        reason TEXT NOT NULL,
        instruction_hash BLOB,
        answer BLOB,
        received_at INTEGER NOT NULL,
        UNIQUE (terminal_id, trace)
      );
      CREATE INDEX instructions_by_target ON instructions (target_request_id, id);
      CREATE TABLE batches (
        terminal_id TEXT NOT NULL REFERENCES terminals(id),
        number INTEGER NOT NULL,
        closed_at INTEGER NOT NULL,
        balanced INTEGER NOT NULL,
        differences TEXT NOT NULL,
        items TEXT NOT NULL,
        PRIMARY KEY (terminal_id, number)
      );
      -- Every item of a closed batch, once: what is not here belongs to the terminal's open batch.
      CREATE TABLE batch_items (
        terminal_id TEXT NOT NULL,
        trace INTEGER NOT NULL,
        kind TEXT NOT NULL,
        batch INTEGER NOT NULL,
        amount INTEGER NOT NULL,
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
        request_id INTEGER PRIMARY KEY REFERENCES requests(id),
        terminal_id TEXT NOT NULL,
        merchant_id TEXT NOT NULL,
        trace INTEGER NOT NULL,
        amount INTEGER NOT NULL,
        currency TEXT NOT NULL,
        reason TEXT NOT NULL,
        at INTEGER NOT NULL
      );
    `,
  },
];

function loss(row: Record<string, unknown> | undefined): OfflineLossRecord | undefined {
  if (!row) return undefined;
  return {
    requestId: row.request_id as number, terminalId: row.terminal_id as string, merchantId: row.merchant_id as string, trace: row.trace as number,
    amount: row.amount as number, currency: row.currency as string, reason: row.reason as string, at: row.at as number,
  };
}

function instruction(row: Record<string, unknown> | undefined): InstructionRecord | undefined {
  if (!row) return undefined;
  return {
    terminalId: row.terminal_id as string, trace: row.trace as number | null, source: row.source as InstructionRecord['source'],
    reference: row.reference as string | null, action: row.action as InstructionRecord['action'], targetRequestId: row.target_request_id as number | null,
    amount: row.amount as number, currency: row.currency as string | null, outcome: row.outcome as InstructionRecord['outcome'], reason: row.reason as string,
    instructionHash: bytes(row.instruction_hash as Uint8Array | null), answer: bytes(row.answer as Uint8Array | null), receivedAt: row.received_at as number,
  };
}

function batch(row: Record<string, unknown> | undefined): BatchRecord | undefined {
  if (!row) return undefined;
  return {
    terminalId: row.terminal_id as string, number: row.number as number, closedAt: row.closed_at as number, balanced: row.balanced === 1,
    differences: row.differences as string, items: row.items as string,
  };
}

const notClosed = (kind: string, trace: string) =>
  `NOT EXISTS (SELECT 1 FROM batch_items bi WHERE bi.terminal_id = ? AND bi.trace = ${trace} AND bi.kind ${kind})`;

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
    async openHold(h) {
      db.prepare('INSERT INTO holds (request_id, expires_at) VALUES (?, ?)').run(h.requestId, h.expiresAt);
    },
    async hold(requestId) {
      const row = db.prepare('SELECT request_id, expires_at FROM holds WHERE request_id = ?').get(requestId) as { request_id: number; expires_at: number } | undefined;
      return row ? { requestId: row.request_id, expiresAt: row.expires_at } satisfies HoldRecord : undefined;
    },
    async expiredHolds(now, limit) {
      return (db.prepare(
        `SELECT h.request_id, h.expires_at FROM holds h JOIN payments p ON p.request_id = h.request_id
         WHERE h.expires_at <= ? AND p.state = 'authorized' ORDER BY h.expires_at LIMIT ?`,
      ).all(now, limit) as { request_id: number; expires_at: number }[]).map((row) => ({ requestId: row.request_id, expiresAt: row.expires_at }));
    },
    async instruction(terminalId, trace) {
      return instruction(db.prepare('SELECT * FROM instructions WHERE terminal_id = ? AND trace = ?').get(terminalId, trace) as Record<string, unknown> | undefined);
    },
    async instructionByReference(reference) {
      return instruction(db.prepare('SELECT * FROM instructions WHERE reference = ?').get(reference) as Record<string, unknown> | undefined);
    },
    async recordInstruction(i) {
      db.prepare(
        `INSERT INTO instructions (terminal_id, trace, source, reference, action, target_request_id, amount, currency, outcome, reason, instruction_hash, answer, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(i.terminalId, i.trace, i.source, i.reference, i.action, i.targetRequestId, i.amount, i.currency, i.outcome, i.reason, i.instructionHash, i.answer, i.receivedAt);
    },
    async doneOn(targetRequestId) {
      return (db.prepare("SELECT * FROM instructions WHERE target_request_id = ? AND outcome = 'done' ORDER BY id").all(targetRequestId) as Record<string, unknown>[])
        .map((row) => instruction(row)!);
    },
    // A sale closed as what it became (its reversal) is closed too.
    async openBatch(terminalId) {
      const sales = db.prepare(
        `SELECT r.trace, p.amount, p.currency FROM payments p JOIN requests r ON r.id = p.request_id
         WHERE p.terminal_id = ? AND p.state NOT IN ('declined', 'awaiting-confirmation') AND p.request_id NOT IN (SELECT request_id FROM holds)
           AND ${notClosed("IN ('sale', 'reversal')", 'r.trace')} ORDER BY r.trace`,
      ).all(terminalId, terminalId) as { trace: number; amount: number; currency: string }[];
      const reversals = db.prepare(
        `SELECT rv.trace, p.amount, p.currency FROM reversals rv
           JOIN requests r ON r.terminal_id = rv.terminal_id AND r.trace = rv.trace AND r.retry_of IS NULL
           JOIN payments p ON p.request_id = r.id
         WHERE rv.terminal_id = ? AND rv.effect IN ('voided', 'released') AND ${notClosed("= 'reversal'", 'rv.trace')} ORDER BY rv.trace`,
      ).all(terminalId, terminalId) as { trace: number; amount: number; currency: string }[];
      const instructions = db.prepare(
        `SELECT i.trace, i.action, i.amount, i.currency FROM instructions i
         WHERE i.terminal_id = ? AND i.source = 'terminal' AND i.outcome = 'done' AND i.action != 'close-batch'
           AND ${notClosed("IN ('completion', 'void', 'refund')", 'i.trace')} ORDER BY i.trace`,
      ).all(terminalId, terminalId) as { trace: number; action: 'complete' | 'void' | 'refund'; amount: number; currency: string }[];
      return { sales, reversals, instructions };
    },
    async batch(terminalId, number) {
      return batch(db.prepare('SELECT * FROM batches WHERE terminal_id = ? AND number = ?').get(terminalId, number) as Record<string, unknown> | undefined);
    },
    async closeBatch(b, items) {
      db.prepare('INSERT INTO batches (terminal_id, number, closed_at, balanced, differences, items) VALUES (?, ?, ?, ?, ?, ?)')
        .run(b.terminalId, b.number, b.closedAt, b.balanced ? 1 : 0, b.differences, b.items);
      const insert = db.prepare('INSERT INTO batch_items (terminal_id, trace, kind, batch, amount, currency) VALUES (?, ?, ?, ?, ?, ?)');
      for (const item of items) insert.run(b.terminalId, item.trace, item.kind, b.number, item.amount, item.currency);
    },
    async closedIn(terminalId, trace, kind: BatchItemRecord['kind']) {
      const row = db.prepare('SELECT batch FROM batch_items WHERE terminal_id = ? AND trace = ? AND kind = ?').get(terminalId, trace, kind) as { batch: number } | undefined;
      return row?.batch;
    },
    async recordOfflineLoss(l) {
      db.prepare('INSERT INTO offline_losses (request_id, terminal_id, merchant_id, trace, amount, currency, reason, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(l.requestId, l.terminalId, l.merchantId, l.trace, l.amount, l.currency, l.reason, l.at);
    },
    async offlineLoss(requestId) {
      return loss(db.prepare('SELECT * FROM offline_losses WHERE request_id = ?').get(requestId) as Record<string, unknown> | undefined);
    },
    async offlineLosses(limit) {
      return (db.prepare('SELECT * FROM offline_losses ORDER BY at DESC, request_id DESC LIMIT ?').all(limit) as Record<string, unknown>[]).map((row) => loss(row)!);
    },
    async batches(filter) {
      const rows = db.prepare(
        `SELECT b.*, t.merchant_id FROM batches b JOIN terminals t ON t.id = b.terminal_id
         WHERE (? IS NULL OR b.terminal_id = ?) ORDER BY b.closed_at DESC LIMIT ?`,
      ).all(filter.terminal ?? null, filter.terminal ?? null, filter.limit) as Record<string, unknown>[];
      return rows.map((row) => ({ ...batch(row)!, merchantId: row.merchant_id as string }));
    },
  };
}
