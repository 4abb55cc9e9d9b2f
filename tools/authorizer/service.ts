/**
 * The authorizer's protocol side, independent of HTTP: enrollment and
 * authorization over the SQLite store. Every request is journaled, every
 * decision signed and stored; a retried request (same terminal, trace and
 * bytes) gets the very decision it got before, so a retry never charges twice.
 *
 * Checks, in order: the request decodes; the terminal is known and signed it;
 * a retry is answered from the journal; the terminal is approved; the trace
 * number is higher than any before (a lower or equal one with other bytes is a
 * cloned terminal or a replay); the charge fits the merchant; the payment code
 * verifies (the same src/paycode verifier the terminal runs); its identifier was
 * never seen before, anywhere.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { requestHash, signDecision, type Outcome } from '../../src/authorization/decision';
import { signedBy } from '../../src/authorization/envelope';
import { FormatError } from '../../src/authorization/fields';
import { openEnrollmentRequest, signEnrollmentAnswer, type EnrollmentAnswer, type EnrollmentStatus, type MerchantProfile } from '../../src/authorization/enrollment';
import { openRequest, type AuthorizationRequest } from '../../src/authorization/request';
import type { PublicKey, Signer } from '../../src/authorization/signer';
import type { Db } from './database';
import type { JudgementHooks } from './risk/judgement';
import {
  approveTerminal, codeSeen, decidedRequest, getMerchant, merchantProfile, suspendTerminal, terminalById, terminalByKey, upsertMerchant,
  type TerminalRow,
} from './store';

export type CodeJudgement =
  /** `credential` names the credential globally (issuer kid hex / credential id hex); ids are hex. */
  | { ok: true; codeId: string; credential: string; account: string }
  | { ok: false; reason: string; detail: string };

/** Verifies a payment code as of `now` (ms) for `amount`; never throws. */
export type CodeJudge = (text: string, context: { now: number; amount: number }) => CodeJudgement;

export interface AuthorizerOptions {
  db: Db;
  /** The authorizer's decision key. */
  signer: Signer;
  publicKey: PublicKey;
  judgeCode: CodeJudge;
  /** The signed issuer trust list and deny list handed to terminals, and the operator key that signs them. */
  trustList(): Uint8Array;
  denyList(): Uint8Array;
  operator: PublicKey;
  /** The merchant new terminals are enrolled for (the simulator has one). */
  merchant: MerchantProfile;
  maxAmount: number;
  /** Approve enrollments without an operator (the simulator). Default true. */
  autoApprove?: boolean;
  now?: () => number;
  /** Scores verified payments and records every decision's factors (risk/judgement.ts); without it, what verifies is approved. */
  judgement?: JudgementHooks;
}

/** What the HTTP layer sends back. */
export interface Reply {
  status: number;
  contentType: string;
  body: Uint8Array;
}

const display: Record<string, string> = {
  approved: 'Approved',
  'unknown-terminal': 'Terminal unknown',
  'bad-terminal-signature': 'Terminal not trusted',
  'terminal-not-approved': 'Terminal not approved',
  'trace-reused': 'Terminal suspended',
  'terminal-suspended': 'Terminal suspended',
  'currency-mismatch': 'Wrong currency',
  'purpose-not-allowed': 'Not allowed here',
  'over-terminal-limit': 'Amount over limit',
  replayed: 'Code already used',
  'held-for-review': 'Accepted, under review',
  'confirm-in-app': 'Confirm in your wallet app',
  'risk-too-high': 'Declined: unusual payment',
};

export class AuthorizerService {
  readonly #db: Db;
  readonly #options: AuthorizerOptions;
  readonly #now: () => number;

  constructor(options: AuthorizerOptions) {
    this.#db = options.db;
    this.#options = options;
    this.#now = options.now ?? Date.now;
    upsertMerchant(this.#db, options.merchant, options.maxAmount, this.#now());
  }

  get publicKey(): PublicKey {
    return this.#options.publicKey;
  }

  enroll(bytes: Uint8Array): Reply {
    let opened;
    try {
      opened = openEnrollmentRequest(bytes);
    } catch (error) {
      return badRequest(error);
    }
    if (!opened.possession) return badRequest(new FormatError('signature', 'the enrollment is not signed by the key it introduces'));
    const { request } = opened;
    const now = this.#now();
    return this.#db.transaction((): Reply => {
      let terminal = terminalByKey(this.#db, request.key.publicKey);
      if (!terminal) {
        const id = `T${randomBytes(5).toString('hex').toUpperCase()}`;
        const status: EnrollmentStatus = this.#options.autoApprove === false ? 'pending' : 'approved';
        this.#db.prepare(
          `INSERT INTO terminals (id, merchant_id, alg, public_key, model, serial, firmware, board, status, created_at, approved_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        ).run(id, this.#options.merchant.merchantId, request.key.alg, request.key.publicKey, request.device.model,
          request.device.serial, request.device.firmware, request.device.board, status, now, status === 'approved' ? now : null);
        terminal = terminalById(this.#db, id)!;
      }
      const answer = this.#enrollmentAnswer(terminal, bytes, now);
      const signed = signEnrollmentAnswer(answer, this.#options.signer);
      this.#db.prepare('INSERT INTO enrollments (terminal_id, received_at, request, status, answer) VALUES (?, ?, ?, ?, ?)')
        .run(terminal.id, now, bytes, answer.status, signed);
      return cose(signed);
    })();
  }

  /** An operator's approval of a pending or suspended terminal. */
  approveTerminal(id: string): boolean {
    return approveTerminal(this.#db, id, this.#now());
  }

  #enrollmentAnswer(terminal: TerminalRow, requestBytes: Uint8Array, now: number): EnrollmentAnswer {
    const base = { requestHash: requestHash(requestBytes), authorizer: this.#options.publicKey, issuedAt: now };
    if (terminal.status === 'pending') return { ...base, status: 'pending', reason: 'awaiting operator approval' };
    if (terminal.status === 'refused') return { ...base, status: 'refused', reason: 'refused by the operator' };
    if (terminal.status === 'suspended') return { ...base, status: 'refused', reason: 'suspended: the key reused trace numbers' };
    const merchant = getMerchant(this.#db, terminal.merchant_id)!;
    return {
      ...base,
      status: 'approved',
      reason: 'enrolled',
      terminalId: terminal.id,
      merchant: merchantProfile(merchant),
      trustList: this.#options.trustList(),
      denyList: this.#options.denyList(),
      operator: this.#options.operator,
      limits: { maxAmount: merchant.max_amount },
      nextTrace: terminal.last_trace + 1,
    };
  }

  authorize(bytes: Uint8Array): Reply {
    const hash = requestHash(bytes);
    const now = this.#now();
    return this.#db.transaction((): Reply => {
      let opened;
      try {
        opened = openRequest(bytes);
      } catch (error) {
        this.#db.prepare('INSERT INTO requests (received_at, request, request_hash, problem) VALUES (?, ?, ?, ?)')
          .run(now, bytes, hash, (error as Error).message);
        return badRequest(error);
      }
      const { request, envelope } = opened;
      const terminal = terminalById(this.#db, request.terminalId);
      const authentic = terminal !== undefined && signedBy(envelope, { alg: terminal.alg, publicKey: new Uint8Array(terminal.public_key) });
      const retried = authentic ? decidedRequest(this.#db, request.terminalId, request.trace, hash) : undefined;
      const requestId = this.#journal(bytes, hash, request, now, retried?.request_id);
      if (retried) return cose(new Uint8Array(retried.decision));
      const decide = (outcome: Outcome, reason: string): Reply => this.#decide(requestId, request, hash, outcome, reason, now);

      if (!terminal) return decide('declined', 'unknown-terminal');
      if (!authentic) return decide('declined', 'bad-terminal-signature');
      if (terminal.status === 'suspended') return decide('declined', 'terminal-suspended');
      if (terminal.status !== 'approved') return decide('declined', 'terminal-not-approved');
      if (request.trace <= terminal.last_trace) {
        // Two devices signing with one key, or an old request replayed: neither can be told from the other,
        // so the key is suspended until an operator looks (the payment is declined either way).
        suspendTerminal(this.#db, terminal.id, `trace ${request.trace} after ${terminal.last_trace} (request ${requestId})`);
        return decide('declined', 'trace-reused');
      }
      this.#db.prepare('UPDATE terminals SET last_trace = ? WHERE id = ?').run(request.trace, terminal.id);

      const merchant = getMerchant(this.#db, terminal.merchant_id)!;
      if (request.currency !== merchant.currency) return decide('declined', 'currency-mismatch');
      if (merchant.purposes.split(',').indexOf(request.purpose) < 0) return decide('declined', 'purpose-not-allowed');
      if (request.amount > merchant.max_amount) return decide('declined', 'over-terminal-limit');

      const code = this.#options.judgeCode(request.paymentCode, { now, amount: request.amount });
      if (!code.ok) return decide('declined', code.reason);
      this.#db.prepare('UPDATE requests SET code_id = ? WHERE id = ?').run(code.codeId, requestId);
      if (codeSeen(this.#db, code.credential, code.codeId)) return decide('declined', 'replayed');
      this.#db.prepare('INSERT INTO codes_seen (credential, code_id, first_request_id, seen_at) VALUES (?, ?, ?, ?)')
        .run(code.credential, code.codeId, requestId, now);
      const judged = this.#options.judgement?.assess({ requestId, requestHash: hash, request, merchant, code, now });
      return decide(judged?.outcome ?? 'approved', judged?.reason ?? 'approved');
    })();
  }

  #journal(bytes: Uint8Array, hash: Uint8Array, request: AuthorizationRequest, now: number, retryOf: number | undefined): number {
    const verdict = request.verdict.status + (request.verdict.reason ? `:${request.verdict.reason}` : '');
    const result = this.#db.prepare(
      `INSERT INTO requests (received_at, request, request_hash, terminal_id, trace, amount, currency, purpose, reference,
         location_status, latitude, longitude, terminal_verdict, retry_of)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(now, bytes, hash, request.terminalId, request.trace, request.amount, request.currency, request.purpose, request.reference,
      request.location.status, request.location.latitude ?? null, request.location.longitude ?? null, verdict, retryOf ?? null);
    return Number(result.lastInsertRowid);
  }

  #decide(requestId: number, request: AuthorizationRequest, hash: Uint8Array, outcome: Outcome, reason: string, now: number): Reply {
    const approvalCode = outcome === 'approved' ? newApprovalCode() : undefined;
    const signed = signDecision(
      {
        requestHash: hash,
        terminalId: request.terminalId,
        trace: request.trace,
        outcome,
        reason,
        ...(approvalCode ? { approvalCode } : {}),
        display: display[reason] ?? `Declined: ${reason}`,
        issuedAt: now,
      },
      this.#options.signer,
    );
    this.#db.prepare('INSERT INTO decisions (request_id, outcome, reason, approval_code, decided_at, decision) VALUES (?, ?, ?, ?, ?, ?)')
      .run(requestId, outcome, reason, approvalCode ?? null, now, signed);
    this.#options.judgement?.decided({ requestId, request, outcome, reason, ...(approvalCode ? { approvalCode } : {}), now });
    return cose(signed);
  }
}

const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function newApprovalCode(): string {
  let code = '';
  for (let i = 0; i < 6; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}

function cose(body: Uint8Array): Reply {
  return { status: 200, contentType: 'application/cose', body };
}

function badRequest(error: unknown): Reply {
  const message = error instanceof FormatError ? `${error.field}: ${error.message}` : String((error as Error)?.message ?? error);
  return { status: 400, contentType: 'text/plain; charset=utf-8', body: new TextEncoder().encode(`${message}\n`) };
}
