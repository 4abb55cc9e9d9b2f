/** Step-up challenges (table step_ups, created by migration 101 in payments.ts, released before this split). */
import type { StepUpRecord, StepUpsPort } from '../ports';
import { bytes, type Db } from './database';

function stepUp(row: Record<string, unknown> | undefined): StepUpRecord | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string, requestId: row.request_id as number, requestHash: bytes(row.request_hash as Uint8Array), account: row.account as string,
    state: row.state as StepUpRecord['state'], createdAt: row.created_at as number, expiresAt: row.expires_at as number,
    resolvedAt: row.resolved_at as number | null, finalOutcome: row.final_outcome as StepUpRecord['finalOutcome'],
    finalReason: row.final_reason as string | null, finalDecision: bytes(row.final_decision as Uint8Array | null),
  };
}

export function sqliteStepUps(db: Db): StepUpsPort {
  return {
    async insert(s) {
      db.prepare('INSERT INTO step_ups (id, request_id, request_hash, account, state, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(s.id, s.requestId, s.requestHash, s.account, s.state, s.createdAt, s.expiresAt);
    },
    async byId(id) {
      return stepUp(db.prepare('SELECT * FROM step_ups WHERE id = ?').get(id) as Record<string, unknown> | undefined);
    },
    async byHash(requestHash) {
      return stepUp(db.prepare('SELECT * FROM step_ups WHERE request_hash = ?').get(requestHash) as Record<string, unknown> | undefined);
    },
    async byRequest(requestId) {
      return stepUp(db.prepare('SELECT * FROM step_ups WHERE request_id = ?').get(requestId) as Record<string, unknown> | undefined);
    },
    async settle(id, s) {
      db.prepare('UPDATE step_ups SET state = ?, resolved_at = ?, final_outcome = ?, final_reason = ?, final_decision = ? WHERE id = ?')
        .run(s.state, s.resolvedAt, s.finalOutcome, s.finalReason, s.finalDecision, id);
    },
  };
}
