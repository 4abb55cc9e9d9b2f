/**
 * The authorizer's protocol side: enrollment and authorization over the
 * store's ports. Every request is journaled, every decision signed and
 * stored; a retried request (same terminal, trace and bytes) gets the very
 * decision it got before, so a retry never charges twice.
 *
 * Checks, in order: the request decodes; the terminal is known and signed it;
 * a retry is answered from the journal; the terminal is approved; the request
 * was not reversed by its terminal already; the trace number is higher than
 * any before (a lower or equal one with other bytes is a cloned terminal or a
 * replay); the charge fits the merchant; the payment code verifies (the same
 * src/paycode verifier the terminal runs); its identifier was never seen
 * before, anywhere.
 */
import { randomBytes } from 'node:crypto';
import { requestHash, type Outcome } from '../../../src/authorization/decision';
import { serverSignedBy as signedBy } from '../crypto';
import { FormatError } from '../../../src/authorization/fields';
import { openEnrollmentRequest, signEnrollmentAnswer, type EnrollmentAnswer, type EnrollmentStatus, type MerchantProfile } from '../../../src/authorization/enrollment';
import { openRequest, type AuthorizationRequest } from '../../../src/authorization/request';
import type { PublicKey, Signer } from '../../../src/authorization/signer';
import type { Store, TerminalRecord, Tx } from '../store/ports';
import { mintDecision } from './decisions';
import { refused, signed, type Answer } from './results';
import type { JudgementHooks } from './risk/judgement';

export type CodeJudgement =
  /** `credential` names the credential globally (issuer kid hex / credential id hex); ids are hex. */
  | { ok: true; codeId: string; credential: string; account: string }
  | { ok: false; reason: string; detail: string };

/** Verifies a payment code as of `now` (ms) for `amount` against the lists in `tx`; never throws. */
export type CodeJudge = (tx: Tx, text: string, context: { now: number; amount: number }) => Promise<CodeJudgement>;

export interface AuthorizerOptions {
  store: Store;
  /** The authorizer's decision key. */
  signer: Signer;
  publicKey: PublicKey;
  judgeCode: CodeJudge;
  /** The signed issuer trust list and deny list handed to terminals, and the operator key that signs them. */
  trustList(tx: Tx): Promise<Uint8Array>;
  denyList(tx: Tx): Promise<Uint8Array>;
  operator: PublicKey;
  /** The merchant new terminals are enrolled for (the simulator has one). */
  merchant: MerchantProfile;
  /** Approve enrollments without an operator (the simulator). Default true. */
  autoApprove?: boolean;
  now?: () => number;
  /** Scores verified payments and records every decision's factors (risk/judgement.ts); without it, what verifies is approved. */
  judgement?: JudgementHooks;
}

export function problemOf(error: unknown): string {
  return error instanceof FormatError ? `${error.field}: ${error.message}` : String((error as Error)?.message ?? error);
}

export class AuthorizerService {
  readonly #store: Store;
  readonly #options: AuthorizerOptions;
  readonly #now: () => number;

  constructor(options: AuthorizerOptions) {
    this.#store = options.store;
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  get publicKey(): PublicKey {
    return this.#options.publicKey;
  }

  enroll(bytes: Uint8Array): Promise<Answer> {
    let opened;
    try {
      opened = openEnrollmentRequest(bytes);
    } catch (error) {
      return Promise.resolve(refused('malformed', problemOf(error)));
    }
    if (!opened.possession) return Promise.resolve(refused('malformed', 'signature: the enrollment is not signed by the key it introduces'));
    const { request } = opened;
    const now = this.#now();
    return this.#store.transaction(async (tx) => {
      let terminal = await tx.terminals.byKey(request.key.publicKey);
      if (!terminal) {
        const id = `T${randomBytes(5).toString('hex').toUpperCase()}`;
        const status: EnrollmentStatus = this.#options.autoApprove === false ? 'pending' : 'approved';
        await tx.terminals.insert({ id, merchantId: this.#options.merchant.merchantId, alg: request.key.alg, publicKey: request.key.publicKey, device: request.device, status, now });
        terminal = (await tx.terminals.byId(id))!;
      }
      const answer = await this.#enrollmentAnswer(tx, terminal, bytes, now);
      const body = signEnrollmentAnswer(answer, this.#options.signer);
      await tx.terminals.recordEnrollment({ terminalId: terminal.id, now, request: bytes, status: answer.status, answer: body });
      return signed(body);
    });
  }

  /** An operator's approval of a pending or suspended terminal (a suspended one restarts above its last trace number). */
  approveTerminal(id: string): Promise<boolean> {
    return this.#store.transaction((tx) => tx.terminals.approve(id, this.#now()));
  }

  async #enrollmentAnswer(tx: Tx, terminal: TerminalRecord, requestBytes: Uint8Array, now: number): Promise<EnrollmentAnswer> {
    const base = { requestHash: requestHash(requestBytes), authorizer: this.#options.publicKey, issuedAt: now };
    if (terminal.status === 'pending') return { ...base, status: 'pending', reason: 'awaiting operator approval' };
    if (terminal.status === 'refused') return { ...base, status: 'refused', reason: 'refused by the operator' };
    if (terminal.status === 'suspended') return { ...base, status: 'refused', reason: 'suspended: the key reused trace numbers' };
    const merchant = (await tx.merchants.get(terminal.merchantId))!;
    const { maxAmount, ...profile } = merchant;
    return {
      ...base,
      status: 'approved',
      reason: 'enrolled',
      terminalId: terminal.id,
      merchant: profile,
      trustList: await this.#options.trustList(tx),
      denyList: await this.#options.denyList(tx),
      operator: this.#options.operator,
      limits: { maxAmount },
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
        await tx.requests.recordUnreadable({ receivedAt: now, bytes, hash, problem: (error as Error).message });
        return refused('malformed', problemOf(error));
      }
      const { request, envelope } = opened;
      const terminal = await tx.terminals.byId(request.terminalId);
      const authentic = terminal !== undefined && signedBy(envelope, { alg: terminal.alg, publicKey: terminal.publicKey });
      const retried = authentic ? await tx.requests.decidedOriginal(request.terminalId, request.trace, hash) : undefined;
      const requestId = await this.#journal(tx, bytes, hash, request, now, retried?.requestId);
      if (retried) return signed(retried.decision);
      const decide = (outcome: Outcome, reason: string) => this.#decide(tx, requestId, request, hash, outcome, reason, now);

      if (!terminal) return decide('declined', 'unknown-terminal');
      if (!authentic) return decide('declined', 'bad-terminal-signature');
      if (terminal.status === 'suspended') return decide('declined', 'terminal-suspended');
      if (terminal.status !== 'approved') return decide('declined', 'terminal-not-approved');
      // The terminal gave this request up before it arrived (a delayed copy): it is never captured.
      if (await tx.lifecycle.reversal(terminal.id, request.trace)) return decide('declined', 'reversed');
      if (request.trace <= terminal.lastTrace) {
        // Two devices signing with one key, or an old request replayed: neither can be told from the other,
        // so the key is suspended until an operator looks (the payment is declined either way).
        await tx.terminals.suspend(terminal.id, `trace ${request.trace} after ${terminal.lastTrace} (request ${requestId})`);
        return decide('declined', 'trace-reused');
      }
      await tx.terminals.setLastTrace(terminal.id, request.trace);

      const merchant = (await tx.merchants.get(terminal.merchantId))!;
      if (request.currency !== merchant.currency) return decide('declined', 'currency-mismatch');
      if (merchant.purposes.indexOf(request.purpose) < 0) return decide('declined', 'purpose-not-allowed');
      if (request.amount > merchant.maxAmount) return decide('declined', 'over-terminal-limit');

      const code = await this.#options.judgeCode(tx, request.paymentCode, { now, amount: request.amount });
      if (!code.ok) return decide('declined', code.reason);
      await tx.requests.setCodeId(requestId, code.codeId);
      if (await tx.codes.firstUse(code.credential, code.codeId) !== undefined) return decide('declined', 'replayed');
      await tx.codes.record(code.credential, code.codeId, requestId, now);
      const judged = await this.#options.judgement?.assess(tx, { requestId, requestHash: hash, request, merchant, code, now });
      return decide(judged?.outcome ?? 'approved', judged?.reason ?? 'approved');
    });
  }

  #journal(tx: Tx, bytes: Uint8Array, hash: Uint8Array, request: AuthorizationRequest, now: number, retryOf: number | undefined): Promise<number> {
    const verdict = request.verdict.status + (request.verdict.reason ? `:${request.verdict.reason}` : '');
    return tx.requests.record({
      receivedAt: now, bytes, hash, terminalId: request.terminalId, trace: request.trace, amount: request.amount, currency: request.currency,
      purpose: request.purpose, reference: request.reference, locationStatus: request.location.status, latitude: request.location.latitude ?? null,
      longitude: request.location.longitude ?? null, terminalVerdict: verdict, retryOf: retryOf ?? null,
    });
  }

  async #decide(tx: Tx, requestId: number, request: AuthorizationRequest, hash: Uint8Array, outcome: Outcome, reason: string, now: number): Promise<Answer> {
    const minted = mintDecision(this.#options.signer, { requestHash: hash, terminalId: request.terminalId, trace: request.trace, outcome, reason, now });
    await tx.requests.recordDecision({ requestId, outcome, reason, approvalCode: minted.approvalCode ?? null, decidedAt: now, decision: minted.signed });
    await this.#options.judgement?.decided(tx, { requestId, request, outcome, reason, ...(minted.approvalCode ? { approvalCode: minted.approvalCode } : {}), now });
    return signed(minted.signed);
  }
}
