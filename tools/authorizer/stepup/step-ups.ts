/**
 * Step-up: the payment waits while the customer confirms it in the wallet app.
 * The authorizer opens a challenge (random id, expiry) when it signs a
 * "step-up" decision; the challenge reaches the wallet through the
 * notification channels; the wallet answers with a message signed by the
 * credential's device key (src/authorization/wallet-message.ts); the terminal
 * polls for the final decision, which the authorizer signs for the very same
 * request (same request hash, terminal and trace) the step-up answered:
 *
 *   confirmed  approved (or held when acceptance-side factors reached the hold threshold)
 *   refused    declined "step-up-refused"
 *   no answer  declined "step-up-expired" once the challenge expires
 *
 * Only the device key of the credential that made the payment code can
 * answer: a thief holding a copied QR code cannot.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { signDecision, type Outcome } from '../../../src/authorization/decision';
import { signedBy } from '../../../src/authorization/envelope';
import { openRequest } from '../../../src/authorization/request';
import type { Signer } from '../../../src/authorization/signer';
import type { OpenedWalletMessage } from '../../../src/authorization/wallet-message';
import type { SignatureAlgorithm } from '../../../hal/keystore';
import type { Db } from '../database';
import { enqueue } from '../notify/outbox';

export interface StepUpRow {
  id: string;
  request_id: number;
  request_hash: Uint8Array;
  account: string;
  state: 'pending' | 'confirmed' | 'refused' | 'expired';
  created_at: number;
  expires_at: number;
  resolved_at: number | null;
  final_outcome: Outcome | null;
  final_reason: string | null;
  final_decision: Uint8Array | null;
}

export type AnswerResult =
  | { ok: true; state: StepUpRow['state']; outcome: Outcome; reason: string }
  | { ok: false; status: number; problem: string };

const display: Record<string, string> = {
  approved: 'Approved (confirmed in app)',
  'held-for-review': 'Accepted, under review',
  'step-up-refused': 'Declined in the app',
  'step-up-expired': 'Not confirmed in time',
};

export class StepUps {
  readonly #db: Db;
  readonly #signer: Signer;
  readonly #holdThreshold: () => number;
  readonly #onQueued: () => void;

  constructor(options: { db: Db; signer: Signer; holdThreshold: () => number; onQueued?: () => void }) {
    this.#db = options.db;
    this.#signer = options.signer;
    this.#holdThreshold = options.holdThreshold;
    this.#onQueued = options.onQueued ?? (() => undefined);
  }

  open(input: { requestId: number; requestHash: Uint8Array; account: string; now: number; ttlSeconds: number }): StepUpRow {
    const id = randomBytes(16).toString('hex');
    this.#db.prepare(
      "INSERT INTO step_ups (id, request_id, request_hash, account, state, created_at, expires_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)",
    ).run(id, input.requestId, input.requestHash, input.account, input.now, input.now + input.ttlSeconds * 1000);
    return this.byId(id)!;
  }

  byId(id: string): StepUpRow | undefined {
    return this.#db.prepare('SELECT * FROM step_ups WHERE id = ?').get(id) as StepUpRow | undefined;
  }

  /**
   * The terminal's poll: the final signed decision for the request with this
   * hash, or undefined while the customer has not answered. An expired
   * challenge is settled as declined here, so the terminal always gets an end.
   */
  final(requestHash: Uint8Array, now: number): Uint8Array | undefined {
    return this.#db.transaction(() => {
      const row = this.#db.prepare('SELECT * FROM step_ups WHERE request_hash = ?').get(requestHash) as StepUpRow | undefined;
      if (!row) return undefined;
      if (row.state === 'pending' && now >= row.expires_at) return this.#settle(row, 'expired', now);
      return row.final_decision ? new Uint8Array(row.final_decision) : undefined;
    })();
  }

  /** Whether a request hash has a step-up at all (unknown ones get 404, pending ones 202). */
  exists(requestHash: Uint8Array): boolean {
    return this.#db.prepare('SELECT 1 FROM step_ups WHERE request_hash = ?').get(requestHash) !== undefined;
  }

  /** The wallet's answer: it must be signed by the paying credential's device key (freshness: wallet-api.ts). */
  answer(opened: OpenedWalletMessage, now: number): AnswerResult {
    const { message } = opened;
    if (message.action !== 'step-up-confirm' && message.action !== 'step-up-refuse') return { ok: false, status: 400, problem: 'not a step-up answer' };
    const id = Buffer.from(message.subject).toString('hex');
    return this.#db.transaction((): AnswerResult => {
      const row = this.byId(id);
      if (!row || row.account !== message.account) return { ok: false, status: 404, problem: 'no such challenge for this account' };
      const device = this.#db.prepare('SELECT device_alg, device_key FROM payments WHERE request_id = ?').get(row.request_id) as
        { device_alg: SignatureAlgorithm; device_key: Uint8Array };
      if (!signedBy(opened.envelope, { alg: device.device_alg, publicKey: new Uint8Array(device.device_key) })) {
        return { ok: false, status: 403, problem: 'not signed by the device key of the credential that paid' };
      }
      if (row.state !== 'pending') return { ok: false, status: 409, problem: `challenge already ${row.state}` };
      if (now >= row.expires_at) {
        this.#settle(row, 'expired', now);
        return { ok: false, status: 410, problem: 'challenge expired' };
      }
      this.#settle(row, message.action === 'step-up-confirm' ? 'confirmed' : 'refused', now);
      const settled = this.byId(id)!;
      return { ok: true, state: settled.state, outcome: settled.final_outcome!, reason: settled.final_reason! };
    })();
  }

  /**
   * Ends a pending step-up as refused (the payment was reported meanwhile):
   * the waiting terminal gets a signed decline. False when none is pending.
   */
  cancel(requestId: number, now: number): boolean {
    const row = this.#db.prepare("SELECT * FROM step_ups WHERE request_id = ? AND state = 'pending'").get(requestId) as StepUpRow | undefined;
    if (!row) return false;
    this.#settle(row, 'refused', now);
    return true;
  }

  #settle(row: StepUpRow, state: 'confirmed' | 'refused' | 'expired', now: number): Uint8Array {
    const db = this.#db;
    const stored = db.prepare('SELECT request FROM requests WHERE id = ?').get(row.request_id) as { request: Uint8Array };
    const { request } = openRequest(new Uint8Array(stored.request));
    let outcome: Outcome = 'declined';
    let reason = state === 'refused' ? 'step-up-refused' : 'step-up-expired';
    if (state === 'confirmed') {
      const assessment = db.prepare('SELECT acceptance_score FROM risk_assessments WHERE request_id = ?').get(row.request_id) as { acceptance_score: number };
      const hold = assessment.acceptance_score >= this.#holdThreshold();
      outcome = hold ? 'held' : 'approved';
      reason = hold ? 'held-for-review' : 'approved';
    }
    const approvalCode = outcome === 'approved' ? newApprovalCode() : undefined;
    const signed = signDecision(
      {
        requestHash: new Uint8Array(row.request_hash), terminalId: request.terminalId, trace: request.trace, outcome, reason,
        ...(approvalCode ? { approvalCode } : {}), display: display[reason] ?? 'Declined', issuedAt: now,
      },
      this.#signer,
    );
    db.prepare('UPDATE step_ups SET state = ?, resolved_at = ?, final_outcome = ?, final_reason = ?, final_decision = ? WHERE id = ?')
      .run(state, now, outcome, reason, signed, row.id);
    const paymentState = outcome === 'approved' ? 'captured' : outcome === 'held' ? 'pending' : 'declined';
    db.prepare('UPDATE payments SET state = ? WHERE request_id = ?').run(paymentState, row.request_id);
    enqueue(db, {
      account: row.account, kind: 'step-up-result',
      data: { payment: Buffer.from(row.request_hash).toString('hex'), challenge: row.id, state, outcome, reason, ...(approvalCode ? { approvalCode } : {}) },
      now,
    });
    setImmediate(this.#onQueued);
    return signed;
  }
}

const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newApprovalCode(): string {
  let code = '';
  for (let i = 0; i < 6; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}
