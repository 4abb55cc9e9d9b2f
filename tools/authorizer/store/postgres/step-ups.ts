/** Step-up challenges on PostgreSQL (table step_ups, created by migration 101 in payments.ts, as on SQLite). */
import type { StepUpRecord, StepUpsPort } from '../ports';
import { bytes, type Query } from './database';

function stepUp(row: Record<string, unknown> | undefined): StepUpRecord | undefined {
  if (!row) return undefined;
  return {
    id: row.id as string, requestId: row.request_id as number, requestHash: bytes(row.request_hash as Uint8Array), account: row.account as string,
    state: row.state as StepUpRecord['state'], createdAt: row.created_at as number, expiresAt: row.expires_at as number,
    resolvedAt: row.resolved_at as number | null, finalOutcome: row.final_outcome as StepUpRecord['finalOutcome'],
    finalReason: row.final_reason as string | null, finalDecision: bytes(row.final_decision as Uint8Array | null),
  };
}

export function postgresStepUps(q: Query): StepUpsPort {
  return {
    async insert(s) {
      await q('INSERT INTO step_ups (id, request_id, request_hash, account, state, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)',
        [s.id, s.requestId, s.requestHash, s.account, s.state, s.createdAt, s.expiresAt]);
    },
    // FOR UPDATE: a challenge is read to be settled; two answers to it at two workers settle it once.
    async byId(id) {
      return stepUp((await q('SELECT * FROM step_ups WHERE id = $1 FOR UPDATE', [id])).rows[0]);
    },
    async byHash(requestHash) {
      return stepUp((await q('SELECT * FROM step_ups WHERE request_hash = $1 FOR UPDATE', [requestHash])).rows[0]);
    },
    async byRequest(requestId) {
      return stepUp((await q('SELECT * FROM step_ups WHERE request_id = $1 FOR UPDATE', [requestId])).rows[0]);
    },
    async settle(id, s) {
      await q('UPDATE step_ups SET state = $1, resolved_at = $2, final_outcome = $3, final_reason = $4, final_decision = $5 WHERE id = $6',
        [s.state, s.resolvedAt, s.finalOutcome, s.finalReason, s.finalDecision, id]);
    },
  };
}
