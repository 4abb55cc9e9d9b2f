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
import { randomBytes } from 'node:crypto';
import { sameBytes } from '../../../src/authorization/bytes';
import { readDecision, type Outcome } from '../../../src/authorization/decision';
import { serverSignedBy as signedBy } from '../crypto';
import { openRequest } from '../../../src/authorization/request';
import type { Signer } from '../../../src/authorization/signer';
import type { OpenedWalletMessage } from '../../../src/authorization/wallet-message';
import { hex } from '../../../src/paycode/hex';
import type { StepUpRecord, Store, Tx } from '../store/ports';
import { mintDecision } from './decisions';
import { enqueue } from './outbox';
import { credentialInGoodStanding } from './owner-authority';
import { transition } from './payment-state';
import { acceptedState } from './risk/judgement';
import { refused, value, type Answer } from './results';

export interface StepUpAnswer {
  ok: true;
  state: StepUpRecord['state'];
  outcome: Outcome;
  reason: string;
}


export class StepUps {
  readonly #store: Store;
  readonly #signer: Signer;
  readonly #holdThreshold: () => number;
  readonly #kick: () => void;

  constructor(options: { store: Store; signer: Signer; holdThreshold: () => number; onQueued?: () => void }) {
    this.#store = options.store;
    this.#signer = options.signer;
    this.#holdThreshold = options.holdThreshold;
    this.#kick = options.onQueued ?? (() => undefined);
  }

  async open(tx: Tx, input: { requestId: number; requestHash: Uint8Array; account: string; now: number; ttlSeconds: number }): Promise<StepUpRecord> {
    const record: StepUpRecord = {
      id: randomBytes(16).toString('hex'), requestId: input.requestId, requestHash: input.requestHash, account: input.account, state: 'pending',
      createdAt: input.now, expiresAt: input.now + input.ttlSeconds * 1000, resolvedAt: null, finalOutcome: null, finalReason: null, finalDecision: null,
    };
    await tx.stepUps.insert(record);
    return record;
  }

  /**
   * The terminal's poll: the final signed decision for the request with this
   * hash; pending while the customer has not answered; not-found for no such
   * step-up. An expired challenge is settled as declined here, so the
   * terminal always gets an end.
   *
   * The step-up belongs to the request that was decided first. When a copy of
   * it with other signature bytes (a re-signed retry) arrived first, the
   * terminal still polls with the hash of its own bytes: that hash names a
   * retry of the decided request, and gets the same final decision (outcome,
   * reason, approval code, time) bound to it, as the retry's first answer was
   * (authorization.ts). Polling changes nothing but what expiry changes
   * anyway, and tells only the holder of a journaled request's bytes the
   * decision the authorizer would send them.
   */
  final(requestHash: Uint8Array, now: number): Promise<Answer> {
    return this.#store.transaction(async (tx): Promise<Answer> => {
      let row = await tx.stepUps.byHash(requestHash);
      if (!row) {
        const original = await tx.requests.originalOfRetry(requestHash);
        if (original !== undefined) row = await tx.stepUps.byRequest(original);
      }
      if (!row) return refused('not-found', 'no step-up for this request');
      const final = row.state === 'pending' && now >= row.expiresAt ? await this.#settle(tx, row, 'expired', now) : row.finalDecision;
      if (!final) return refused('pending', 'the customer has not answered yet');
      if (sameBytes(row.requestHash, requestHash)) return { kind: 'signed', body: final };
      const decided = readDecision(final);
      return {
        kind: 'signed',
        body: mintDecision(this.#signer, {
          requestHash, terminalId: decided.terminalId, trace: decided.trace, outcome: decided.outcome, reason: decided.reason, now: decided.issuedAt,
          ...(decided.approvalCode ? { approvalCode: decided.approvalCode } : {}),
        }).signed,
      };
    });
  }

  /** The wallet's answer: it must be signed by the paying credential's device key (freshness: http/wallet-routes.ts). */
  answer(opened: OpenedWalletMessage, now: number): Promise<Answer<StepUpAnswer>> {
    const { message } = opened;
    if (message.action !== 'step-up-confirm' && message.action !== 'step-up-refuse') return Promise.resolve(refused('malformed', 'not a step-up answer'));
    const id = hex(message.subject);
    return this.#store.transaction(async (tx): Promise<Answer<StepUpAnswer>> => {
      const row = await tx.stepUps.byId(id);
      if (!row || row.account !== message.account) return refused('not-found', 'no such challenge for this account');
      const payment = (await tx.payments.byRequest(row.requestId))!;
      if (!signedBy(opened.envelope, { alg: payment.deviceAlg, publicKey: payment.deviceKey })) {
        return refused('forbidden', 'not signed by the device key of the credential that paid');
      }
      if (!(await credentialInGoodStanding(tx, payment.credential))) return refused('forbidden', 'the credential that paid is revoked');
      if (row.state !== 'pending') return refused('conflict', `challenge already ${row.state}`);
      if (now >= row.expiresAt) {
        await this.#settle(tx, row, 'expired', now);
        return refused('expired', 'challenge expired');
      }
      await this.#settle(tx, row, message.action === 'step-up-confirm' ? 'confirmed' : 'refused', now);
      const settled = (await tx.stepUps.byId(id))!;
      return value({ ok: true, state: settled.state, outcome: settled.finalOutcome!, reason: settled.finalReason! });
    });
  }

  /**
   * Ends a pending step-up as refused without moving the payment (the caller
   * moves it: a report or a reversal); the waiting terminal gets a signed
   * decline. False when none is pending.
   */
  async cancel(tx: Tx, requestId: number, now: number): Promise<boolean> {
    const row = await tx.stepUps.byRequest(requestId);
    if (!row || row.state !== 'pending') return false;
    await this.#settle(tx, row, 'refused', now, { movePayment: false });
    return true;
  }

  async #settle(tx: Tx, row: StepUpRecord, state: 'confirmed' | 'refused' | 'expired', now: number, options = { movePayment: true }): Promise<Uint8Array> {
    const { request } = openRequest((await tx.requests.bytes(row.requestId))!);
    let outcome: Outcome = 'declined';
    let reason = state === 'refused' ? 'step-up-refused' : 'step-up-expired';
    if (state === 'confirmed') {
      const assessment = (await tx.payments.assessment(row.requestId))!;
      const hold = assessment.acceptanceScore >= this.#holdThreshold();
      outcome = hold ? 'held' : 'approved';
      reason = hold ? 'held-for-review' : 'approved';
    }
    const minted = mintDecision(this.#signer, { requestHash: row.requestHash, terminalId: request.terminalId, trace: request.trace, outcome, reason, now });
    await tx.stepUps.settle(row.id, { state, resolvedAt: now, finalOutcome: outcome, finalReason: reason, finalDecision: minted.signed });
    if (options.movePayment) {
      const payment = (await tx.payments.byRequest(row.requestId))!;
      await transition(tx, payment, acceptedState(outcome, request.kind), 'step-up', `challenge ${state}`, now);
    }
    await enqueue(tx, {
      account: row.account, kind: 'step-up-result',
      data: { payment: hex(row.requestHash), challenge: row.id, state, outcome, reason, ...(minted.approvalCode ? { approvalCode: minted.approvalCode } : {}) },
      now,
    }, this.#kick);
    return minted.signed;
  }
}
