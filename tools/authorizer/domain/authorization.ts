/**
 * The authorizer's protocol side: enrollment and authorization over the
 * store's ports. Every request its terminal signed is journaled, every
 * decision on one signed and stored; a retried request (same terminal, trace
 * and signed payload, whatever the signature bytes) gets the decision the
 * original got, so a retry or a re-signed copy never charges twice and never
 * looks like a reused trace. A request that proves nothing about its sender
 * (unreadable, unknown terminal, not signed by its terminal's key) is
 * answered, counted and sampled, never journaled: strangers cost O(1) storage.
 *
 * Checks, in order: the request decodes; the terminal is known and signed it;
 * a retry is answered from the journal; the terminal is approved; the request
 * was not reversed by its terminal already; the trace number is higher than
 * any before (a lower or equal one with another payload is a cloned terminal
 * or a replay); the terminal's rate; the charge fits the merchant; the payment
 * code verifies (the same src/paycode verifier the terminal runs); it is not
 * in the replay ledger; its credential's live codes are under the limit.
 */
import { createHash, randomBytes } from 'node:crypto';
import { requestHash, type ListVersions, type Outcome } from '../../../src/authorization/decision';
import { serverSignedBy as signedBy } from '../crypto';
import { FormatError } from '../../../src/authorization/fields';
import { openEnrollmentRequest, provisioningTokenLength, signEnrollmentAnswer, type EnrollmentAnswer, type EnrollmentStatus, type MerchantProfile, type OfflineLimits } from '../../../src/authorization/enrollment';
import { openAdvice } from '../../../src/authorization/advice';
import { batchHash, openBatch, signBatchAck, type BatchEntry } from '../../../src/authorization/offline-batch';
import { readDecision } from '../../../src/authorization/decision';
import { openRequest, type AuthorizationRequest } from '../../../src/authorization/request';
import type { PublicKey, Signer } from '../../../src/authorization/signer';
import { strangerPrefixBytes, type StoredDecision, type StrangerKind, type Store, type TerminalRecord, type Tx } from '../store/ports';
import { mintDecision } from './decisions';
import { merchantAt } from './merchants';
import { refused, signed, type Answer } from './results';
import { defaultEnrollmentLimits, redeemVoucher, tokenHash, type EnrollmentLimits, type EnrollmentMode } from './provisioning';
import { hex } from '../../../src/paycode/hex';
import type { Assessed, JudgementHooks } from './risk/judgement';

export type CodeJudgement =
  /** `credential` names the credential globally (issuer kid hex / credential id hex); ids are hex. */
  | { ok: true; codeId: string; credential: string; account: string; /** ms from which the code fails the expiry check. */ forgetAfter: number }
  | { ok: false; reason: string; detail: string };

/** Verifies a payment code as of `now` (ms) for `amount` against the lists in `tx`; never throws. */
export type CodeJudge = (tx: Tx, text: string, context: { now: number; amount: number }) => Promise<CodeJudgement>;

/**
 * Rates no honest terminal or customer reaches, which bound what any one of
 * them can add to the replay ledger and the journal (docs/security.md).
 */
export interface RateLimits {
  /** Requests a terminal may send in any 60 s (its retries included); beyond, `rate-limited`. */
  perTerminalPerMinute: number;
  /** Live codes (not yet past exp + skew) a credential may hold in the ledger; beyond, `rate-limited`. */
  perCredentialLive: number;
}

export const defaultRateLimits: RateLimits = { perTerminalPerMinute: 60, perCredentialLive: 30 };

export interface AuthorizerOptions {
  store: Store;
  /**
   * The authorizer's decision key (keys.ts's DecisionKeyRing): `publicKey` is the one signing now, `rotationsToActive`
   * the rotations leading to it (enrollment answers carry them), `current` re-signs a stored answer an older key signed.
   */
  signer: Signer & { readonly publicKey: PublicKey; rotationsToActive?(): Uint8Array[]; current?(bytes: Uint8Array): Uint8Array };
  judgeCode: CodeJudge;
  /** The signed issuer trust list and deny list handed to terminals, and the operator key that signs them. */
  trustList(tx: Tx): Promise<Uint8Array>;
  denyList(tx: Tx): Promise<Uint8Array>;
  /** The versions those lists are published with now, told in every fresh decision (a terminal with older ones fetches them). */
  listVersions?(tx: Tx): Promise<ListVersions>;
  operator: PublicKey;
  /** The merchant new terminals are enrolled for without a provisioning token ('open' and 'manual'). */
  merchant: MerchantProfile;
  /** The site of `merchant` they are enrolled into (domain/merchants.ts); absent: the merchant's own. */
  defaultSiteId?: string;
  /** How a new key is enrolled (domain/provisioning.ts). Default 'provisioned'. */
  enrollment?: EnrollmentMode;
  now?: () => number;
  /** Scores verified payments and records every decision's factors (risk/judgement.ts); without it, what verifies is approved. */
  judgement?: JudgementHooks;
  limits?: RateLimits;
  /** Enrollment attempts per source and per provisioning credential (domain/provisioning.ts). Default defaultEnrollmentLimits. */
  enrollmentLimits?: EnrollmentLimits;
  /** Records and tells an offline payment declined at its upload (domain/offline.ts). */
  offline?: { lost(tx: Tx, loss: { requestId: number; request: AuthorizationRequest; reason: string; now: number }): Promise<void> };
  /** The offline limits terminals get at enrollment; absent, terminals never approve on their own. */
  offlineLimits?: OfflineLimits;
}

export function problemOf(error: unknown): string {
  return error instanceof FormatError ? `${error.field}: ${error.message}` : String((error as Error)?.message ?? error);
}

const sha256 = (bytes: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(bytes).digest());

export class AuthorizerService {
  readonly #store: Store;
  readonly #options: AuthorizerOptions;
  readonly #now: () => number;
  readonly #limits: RateLimits;

  constructor(options: AuthorizerOptions) {
    this.#store = options.store;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#limits = options.limits ?? defaultRateLimits;
  }

  get publicKey(): PublicKey {
    return this.#options.signer.publicKey;
  }

  /** An enrollment from `source` (the sender's address): see EnrollmentLimits for what is counted. */
  async enroll(bytes: Uint8Array, source: string): Promise<Answer> {
    const limits = this.#options.enrollmentLimits ?? defaultEnrollmentLimits;
    const now = this.#now();
    const fromSource = await this.#store.transaction((tx) => tx.provisioning.countEnrollmentAttempt('source', source, now, limits.windowMs));
    if (fromSource > limits.perSource) return refused('rate-limited', `more than ${limits.perSource} enrollment attempts from ${source} in ${limits.windowMs / 1000} s`);
    let opened;
    try {
      opened = openEnrollmentRequest(bytes);
    } catch (error) {
      return refused('malformed', problemOf(error));
    }
    if (!opened.possession) return refused('malformed', 'signature: the enrollment is not signed by the key it introduces');
    const { request } = opened;
    const mode = this.#options.enrollment ?? 'provisioned';
    return this.#store.transaction(async (tx) => {
      let terminal = await tx.terminals.byKey(request.key.publicKey);
      // Counted per credential the authorizer knows (an enrolled key, an issued token), so a stranger's made-up
      // keys and tokens add no rows: the source's count bounds them.
      const token = request.provisioningToken ? tokenHash(request.provisioningToken) : undefined;
      const credential = terminal ? `key:${hex(request.key.publicKey)}` : token && await tx.provisioning.issued(token) ? `token:${hex(token)}` : undefined;
      if (credential && await tx.provisioning.countEnrollmentAttempt('credential', credential, now, limits.windowMs) > limits.perCredential) {
        return refused('rate-limited', `more than ${limits.perCredential} enrollment attempts with this ${terminal ? 'key' : 'provisioning token'} in ${limits.windowMs / 1000} s`);
      }
      if (!terminal) {
        const id = `T${randomBytes(5).toString('hex').toUpperCase()}`;
        let merchantId = this.#options.merchant.merchantId;
        let siteId = this.#options.defaultSiteId ?? null;
        let status: EnrollmentStatus = mode === 'open' ? 'approved' : 'pending';
        if (request.provisioningToken && request.provisioningToken.length > provisioningTokenLength.max) {
          const redeemed = await redeemVoucher(tx, request.provisioningToken, this.#options.operator, id, now);
          if (!redeemed.ok) return this.#refuseEnrollment(tx, bytes, now, redeemed.reason);
          merchantId = redeemed.merchantId;
          siteId = redeemed.siteId;
          status = 'approved';
        } else if (request.provisioningToken) {
          const consumed = await tx.provisioning.consume(tokenHash(request.provisioningToken), id, now);
          if (!consumed) return this.#refuseEnrollment(tx, bytes, now, 'the provisioning token is unknown, used or expired');
          merchantId = consumed.merchantId;
          siteId = consumed.siteId;
          status = 'approved';
        } else if (mode === 'provisioned') {
          return this.#refuseEnrollment(tx, bytes, now, 'a provisioning token is required (qrpay operator provision)');
        }
        await tx.terminals.insert({ id, merchantId, siteId, alg: request.key.alg, publicKey: request.key.publicKey, device: request.device, status, now });
        terminal = (await tx.terminals.byId(id))!;
      }
      const answer = await this.#enrollmentAnswer(tx, terminal, bytes, now);
      const body = signEnrollmentAnswer(answer, this.#options.signer);
      await tx.terminals.recordEnrollment({ terminalId: terminal.id, now, request: bytes, status: answer.status, answer: body });
      return signed(body);
    });
  }

  /** A new key without a valid provisioning token: a signed refusal; counted and sampled, nothing else stored. */
  async #refuseEnrollment(tx: Tx, bytes: Uint8Array, now: number, reason: string): Promise<Answer> {
    await this.#noteStranger(tx, 'unprovisioned-enrollment', bytes, requestHash(bytes), reason, now);
    const answer: EnrollmentAnswer = { requestHash: requestHash(bytes), authorizer: this.#options.signer.publicKey, issuedAt: now, status: 'refused', reason, ...this.#rotations() };
    return signed(signEnrollmentAnswer(answer, this.#options.signer));
  }

  /** Field 13 of an enrollment answer: how a terminal pinned to an older decision key reaches the one signing it. */
  #rotations(): { rotations?: Uint8Array[] } {
    const rotations = this.#options.signer.rotationsToActive ? this.#options.signer.rotationsToActive() : [];
    return rotations.length > 0 ? { rotations } : {};
  }

  /** An operator's approval of a pending or suspended terminal (a suspended one restarts above its last trace number). */
  approveTerminal(id: string): Promise<boolean> {
    return this.#store.transaction((tx) => tx.terminals.approve(id, this.#now()));
  }

  async #enrollmentAnswer(tx: Tx, terminal: TerminalRecord, requestBytes: Uint8Array, now: number): Promise<EnrollmentAnswer> {
    const base = { requestHash: requestHash(requestBytes), authorizer: this.#options.signer.publicKey, issuedAt: now, ...this.#rotations() };
    if (terminal.status === 'pending') return { ...base, status: 'pending', reason: 'awaiting operator approval' };
    if (terminal.status === 'refused') return { ...base, status: 'refused', reason: 'refused by the operator' };
    // Suspended for reusing a trace number (a clone, a replay) or by the operator (qrpay operator suspend): either way an operator resumes it.
    if (terminal.status === 'suspended') return { ...base, status: 'refused', reason: 'suspended: an operator must resume it' };
    // The terminal learns its own site's geofence (domain/merchants.ts), as the judgement applies it.
    const { maxAmount, categoryCode: _categoryCode, ...profile } = await merchantAt(tx, terminal);
    return {
      ...base,
      status: 'approved',
      reason: 'enrolled',
      terminalId: terminal.id,
      merchant: profile,
      trustList: await this.#options.trustList(tx),
      denyList: await this.#options.denyList(tx),
      operator: this.#options.operator,
      limits: { maxAmount, ...(this.#options.offlineLimits ? { offline: this.#options.offlineLimits } : {}) },
      nextTrace: terminal.lastTrace + 1,
    };
  }

  authorize(bytes: Uint8Array): Promise<Answer> {
    const hash = requestHash(bytes);
    const now = this.#now();
    return this.#store.transaction(async (tx): Promise<Answer> => {
      let opened;
      try {
        opened = openRequest(bytes);
      } catch (error) {
        await this.#noteStranger(tx, 'unreadable', bytes, hash, problemOf(error), now);
        return refused('malformed', problemOf(error));
      }
      return this.#authorize(tx, bytes, hash, opened, now, false);
    });
  }

  /**
   * An upload of the offline journal (src/authorization/offline-batch.ts): each advice is judged on its own, in
   * its own transaction (a crash midway keeps what was decided; the same advice again gets the same decision), and
   * the signed acknowledgement carries each one's signed decision, or why there is none yet.
   */
  async adviseBatch(bytes: Uint8Array): Promise<Answer> {
    let opened;
    try {
      opened = openBatch(bytes);
    } catch (error) {
      return refused('malformed', problemOf(error));
    }
    const { envelope, batch } = opened;
    const terminal = await this.#store.transaction((tx) => tx.terminals.byId(batch.terminalId));
    if (!terminal || !signedBy(envelope, { alg: terminal.alg, publicKey: terminal.publicKey })) {
      return refused('forbidden', 'an offline batch must be signed by the key of the terminal that made the payments');
    }
    const entries: BatchEntry[] = [];
    for (const advice of batch.advices) {
      const answer = await this.advise(advice);
      if (answer.kind !== 'signed') entries.push(answer.kind === 'refused' && (answer.refusal === 'malformed' || answer.refusal === 'forbidden') ? answer.refusal : 'pending');
      // A step-up asked online before the link dropped waits for the customer: not final yet.
      // A stored decision an older decision key signed is re-signed: the terminal may know only the current key.
      else entries.push(readDecision(answer.body).outcome === 'step-up' ? 'pending' : this.#options.signer.current ? this.#options.signer.current(answer.body) : answer.body);
    }
    return signed(signBatchAck({ terminalId: batch.terminalId, batchHash: batchHash(bytes), entries, issuedAt: this.#now() }, this.#options.signer));
  }

  /**
   * An offline advice (src/authorization/advice.ts): a payment the terminal approved on its own, uploaded now.
   * Judged like a request, with what changes when the goods are gone: an earlier trace number is no clone
   * (the terminal went on online meanwhile), nobody can be asked to confirm (a step-up is held for review), and a
   * decline is late: an offline loss, told to the customer and the merchant, and a copied code (the same code
   * accepted offline elsewhere, or online) suspends its credential.
   */
  advise(bytes: Uint8Array): Promise<Answer> {
    let opened;
    try {
      opened = openAdvice(bytes);
    } catch (error) {
      return Promise.resolve(refused('malformed', problemOf(error)));
    }
    const { envelope, advice, request } = opened;
    const now = this.#now();
    return this.#store.transaction(async (tx): Promise<Answer> => {
      const terminal = await tx.terminals.byId(advice.terminalId);
      if (!terminal || !signedBy(envelope, { alg: terminal.alg, publicKey: terminal.publicKey })) {
        return refused('forbidden', 'an offline advice must be signed by the key of the terminal that made the payment');
      }
      const answer = await this.#authorize(tx, advice.request, requestHash(advice.request), request, now, true);
      const decided = await tx.requests.decidedOriginal(request.request.terminalId, request.request.trace, sha256(request.envelope.sign1.payload));
      if (!decided) return answer;
      let final = { outcome: decided.outcome, reason: decided.reason };
      // Asked online before the link dropped, and stepped up: the customer's answer (or its expiry) decides.
      if (decided.outcome === 'step-up') {
        const stepUp = await tx.stepUps.byRequest(decided.requestId);
        if (!stepUp || stepUp.finalDecision === null) return answer;
        final = { outcome: stepUp.finalOutcome!, reason: stepUp.finalReason! };
        if (final.outcome === 'declined') await this.#options.offline?.lost(tx, { requestId: decided.requestId, request: request.request, reason: final.reason, now });
        return signed(stepUp.finalDecision);
      }
      if (final.outcome === 'declined') await this.#options.offline?.lost(tx, { requestId: decided.requestId, request: request.request, reason: final.reason, now });
      return answer;
    });
  }

  async #authorize(tx: Tx, bytes: Uint8Array, hash: Uint8Array, opened: ReturnType<typeof openRequest>, now: number, offline: boolean): Promise<Answer> {
    const { request, envelope } = opened;
    const terminal = await tx.terminals.byId(request.terminalId);
    if (!terminal) return this.#answerStranger(tx, 'unknown-terminal', bytes, hash, request, now);
    if (!signedBy(envelope, { alg: terminal.alg, publicKey: terminal.publicKey })) return this.#answerStranger(tx, 'bad-terminal-signature', bytes, hash, request, now);

    // The retry identity: what the terminal signed, not the signature's bytes.
    const payloadHash = sha256(envelope.sign1.payload);
    const retried = await tx.requests.decidedOriginal(request.terminalId, request.trace, payloadHash);
    const requestId = await this.#journal(tx, bytes, hash, payloadHash, request, now, retried?.requestId);
    if (retried) return this.#answerRetry(tx, retried, requestId, hash, request);
    const decide = (outcome: Outcome, reason: string) => this.#decide(tx, requestId, request, hash, outcome, reason, now);

    if (terminal.status === 'suspended') return decide('declined', 'terminal-suspended');
    if (terminal.status !== 'approved') return decide('declined', 'terminal-not-approved');
    // The terminal gave this request up before it arrived (a delayed copy): it is never captured.
    if (await tx.lifecycle.reversal(terminal.id, request.trace)) return decide('declined', 'reversed');
    if (offline) {
      // Uploaded late, so below the last trace number; it is still used once (another message under it is a clone's).
      if (await tx.lifecycle.instruction(terminal.id, request.trace) || (await tx.requests.originalByTrace(terminal.id, request.trace))!.requestId !== requestId) {
        return decide('declined', 'trace-reused');
      }
      if (request.trace > terminal.lastTrace) await tx.terminals.setLastTrace(terminal.id, request.trace);
    } else if (request.trace <= terminal.lastTrace) {
      // Another payload under a trace already used: two devices signing with one key, or an old request replayed;
      // neither can be told from the other, so the key is suspended until an operator looks (the payment is declined either way).
      await tx.terminals.suspend(terminal.id, `trace ${request.trace} after ${terminal.lastTrace} (request ${requestId})`);
      return decide('declined', 'trace-reused');
    } else {
      await tx.terminals.setLastTrace(terminal.id, request.trace);
    }
    // The last 60 s, this request included (it is journaled already).
    if (await tx.requests.countSince(terminal.id, now - 60_000 + 1) > this.#limits.perTerminalPerMinute) return decide('declined', 'rate-limited');

    const merchant = await merchantAt(tx, terminal);
    if (request.currency !== merchant.currency) return decide('declined', 'currency-mismatch');
    if (merchant.purposes.indexOf(request.purpose) < 0) return decide('declined', 'purpose-not-allowed');
    if (request.amount > merchant.maxAmount) return decide('declined', 'over-terminal-limit');

    const code = await this.#options.judgeCode(tx, request.paymentCode, { now, amount: request.amount });
    if (!code.ok) return decide('declined', code.reason);
    await tx.requests.setCodeId(requestId, code.codeId);
    // Codes past exp + skew fail the expiry check above, so the ledger need not remember them.
    await tx.codes.prune(now);
    if (await tx.codes.firstUse(code.credential, code.codeId) !== undefined) return decide('declined', 'replayed');
    if (await tx.codes.liveFor(code.credential, now) >= this.#limits.perCredentialLive) return decide('declined', 'rate-limited');
    await tx.codes.record({ credential: code.credential, codeId: code.codeId, requestId, now, forgetAfter: code.forgetAfter });
    const judged = await this.#options.judgement?.assess(tx, { requestId, requestHash: hash, request, terminal, merchant, code, now, ...(offline ? { offline: true as const } : {}) });
    return this.#decide(tx, requestId, request, hash, judged?.outcome ?? 'approved', judged?.reason ?? 'approved', now, judged?.assessed);
  }

  /**
   * A request already decided: the same bytes get the stored decision; a copy
   * of the same payload with other signature bytes (a terminal that re-signed
   * it) gets the same outcome, reason and approval code, bound to its own hash.
   */
  async #answerRetry(tx: Tx, original: StoredDecision, requestId: number, hash: Uint8Array, request: AuthorizationRequest): Promise<Answer> {
    const stored = await tx.requests.bytes(original.requestId);
    if (stored && requestHash(stored).every((b, i) => b === hash[i])) return signed(original.decision);
    const minted = mintDecision(this.#options.signer, {
      requestHash: hash, terminalId: request.terminalId, trace: request.trace, outcome: original.outcome, reason: original.reason, now: original.decidedAt,
      ...(original.approvalCode ? { approvalCode: original.approvalCode } : {}),
    });
    await tx.requests.recordDecision({ ...original, requestId, decision: minted.signed });
    return signed(minted.signed);
  }

  /** A well-formed request that proves nothing about its sender: counted and sampled, answered, not journaled. */
  async #answerStranger(tx: Tx, kind: 'unknown-terminal' | 'bad-terminal-signature', bytes: Uint8Array, hash: Uint8Array, request: AuthorizationRequest, now: number): Promise<Answer> {
    await this.#noteStranger(tx, kind, bytes, hash, `${kind}: terminal ${request.terminalId}, trace ${request.trace}`, now);
    return signed(mintDecision(this.#options.signer, { requestHash: hash, terminalId: request.terminalId, trace: request.trace, outcome: 'declined', reason: kind, now }).signed);
  }

  #noteStranger(tx: Tx, kind: StrangerKind, bytes: Uint8Array, hash: Uint8Array, problem: string, now: number): Promise<void> {
    return tx.requests.noteStranger({ kind, receivedAt: now, size: bytes.length, prefix: bytes.slice(0, strangerPrefixBytes), hash, problem });
  }

  #journal(tx: Tx, bytes: Uint8Array, hash: Uint8Array, payloadHash: Uint8Array, request: AuthorizationRequest, now: number, retryOf: number | undefined): Promise<number> {
    const verdict = request.verdict.status + (request.verdict.reason ? `:${request.verdict.reason}` : '');
    return tx.requests.record({
      receivedAt: now, bytes, hash, payloadHash, terminalId: request.terminalId, trace: request.trace, amount: request.amount, currency: request.currency,
      purpose: request.purpose, reference: request.reference, locationStatus: request.location.status, latitude: request.location.latitude ?? null,
      longitude: request.location.longitude ?? null, terminalVerdict: verdict, retryOf: retryOf ?? null,
    });
  }

  async #decide(tx: Tx, requestId: number, request: AuthorizationRequest, hash: Uint8Array, outcome: Outcome, reason: string, now: number, assessed?: Assessed): Promise<Answer> {
    const lists = this.#options.listVersions ? await this.#options.listVersions(tx) : undefined;
    const minted = mintDecision(this.#options.signer, { requestHash: hash, terminalId: request.terminalId, trace: request.trace, outcome, reason, now, ...(lists ? { lists } : {}) });
    await tx.requests.recordDecision({ requestId, outcome, reason, approvalCode: minted.approvalCode ?? null, decidedAt: now, decision: minted.signed });
    await this.#options.judgement?.decided(tx, { requestId, request, outcome, reason, ...(minted.approvalCode ? { approvalCode: minted.approvalCode } : {}), ...(assessed ? { assessed } : {}), now });
    return signed(minted.signed);
  }
}
