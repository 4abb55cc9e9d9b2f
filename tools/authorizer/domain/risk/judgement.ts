/**
 * The authorizer's judgement: after the protocol checks pass (authentic
 * terminal, fresh trace, verified and never-seen code), the factors score the
 * payment and the score picks the outcome:
 *
 *   total >= thresholds.decline           declined  "risk-too-high"
 *   customer points >= thresholds.stepUp  step-up   "confirm-in-app"  (the wallet answers)
 *   acceptance points >= thresholds.hold  held      "held-for-review" (accepted, funds pending)
 *   otherwise                             approved
 *
 * It records the payment (the history later payments are judged against), the
 * terminal's fix, and the fired factors with the score. `decided` runs after
 * every signed decision, inside the same transaction: it records the rule
 * that decided when no factor scoring ran (unknown terminal, replay, ...), opens
 * the step-up challenge, and queues the customer's notifications.
 */
import type { Outcome } from '../../../../src/authorization/decision';
import type { AuthorizationRequest } from '../../../../src/authorization/request';
import { hex } from '../../../../src/paycode/hex';
import { parsePaymentCode } from '../../../../src/paycode/parse';
import type { Merchant, Payment, TerminalRecord, Tx } from '../../store/ports';
import { enqueue } from '../outbox';
import { openPayment, type PaymentState } from '../payment-state';
import type { StepUps } from '../step-ups';
import { configFingerprint, type RiskConfig } from './config';
import { evaluate, type Fired, type Situation } from './factors';

/** Purposes whose terminals stay at the merchant's site; the others (bike locks) move. */
const fixedPurposes = ['counter-sale', 'arcade-credit'];

export interface Assessment {
  outcome: Outcome;
  reason: string;
  score: number;
  customerScore: number;
  acceptanceScore: number;
  factors: Fired[];
}

export interface AssessInput {
  requestId: number;
  requestHash: Uint8Array;
  request: AuthorizationRequest;
  /** The requesting terminal as this unit of work read it (its trace number may have risen since). */
  terminal: TerminalRecord;
  merchant: Merchant;
  code: { credential: string; account: string };
  now: number;
  /** An offline advice: the goods are gone, so nobody can be asked to confirm; a step-up becomes a hold for review. */
  offline?: true;
}

export interface DecidedInput {
  requestId: number;
  request: AuthorizationRequest;
  outcome: Outcome;
  reason: string;
  approvalCode?: string;
  /** What `assess` worked with and opened, once the authorization got that far: not read again. */
  assessed?: Assessed;
  now: number;
}

/** The merchant a payment was assessed for and the payment the assessment opened, in this unit of work. */
export interface Assessed {
  merchant: Merchant;
  payment: Payment;
}

/** What the authorization calls, inside its transaction; see authorization.ts. */
export interface JudgementHooks {
  assess(tx: Tx, input: AssessInput): Promise<Assessment & { assessed: Assessed }>;
  decided(tx: Tx, input: DecidedInput): Promise<void>;
}

export const reasons = { approved: 'approved', held: 'held-for-review', 'step-up': 'confirm-in-app', declined: 'risk-too-high' } as const;

const states: Record<Outcome, PaymentState> = { approved: 'captured', held: 'pending', 'step-up': 'awaiting-confirmation', declined: 'declined' };

/** A pre-authorization not completed within this time is released (expired). Default 24 h: a day's bike hire. */
export const defaultHoldTtl = 24 * 3_600_000;

/** The state an accepted payment enters: a sale is captured, a pre-authorization only authorized (held). */
export function acceptedState(outcome: Outcome, kind: 'pre-auth' | undefined): PaymentState {
  return outcome === 'approved' && kind === 'pre-auth' ? 'authorized' : states[outcome];
}

/**
 * Points to outcome (the table in this file's header). Protocol-rule entries
 * carry no points. Adding points never makes the outcome milder in the order
 * approved < held < step-up < declined (a property test checks it).
 */
export function scoreOf(factors: Fired[], thresholds: RiskConfig['thresholds']): Assessment {
  let customerScore = 0;
  let acceptanceScore = 0;
  for (const factor of factors) {
    if (factor.side === 'customer') customerScore += factor.points;
    else if (factor.side === 'acceptance') acceptanceScore += factor.points;
  }
  const score = customerScore + acceptanceScore;
  const outcome: Outcome = score >= thresholds.decline ? 'declined'
    : customerScore >= thresholds.stepUp ? 'step-up'
      : acceptanceScore >= thresholds.hold ? 'held' : 'approved';
  return { outcome, reason: reasons[outcome], score, customerScore, acceptanceScore, factors };
}

export class Judgement implements JudgementHooks {
  readonly #config: RiskConfig;
  readonly #fingerprint: string;
  readonly #stepUps: StepUps;
  /** The dispatcher's kick, run after a decision's transaction queued notifications. */
  readonly #kick: () => void;

  /** How long a pre-authorization's hold lasts without a completion, ms. */
  readonly #holdTtl: number;

  constructor(options: { config: RiskConfig; stepUps: StepUps; onQueued?: () => void; holdTtl?: number }) {
    this.#config = options.config;
    this.#holdTtl = options.holdTtl ?? defaultHoldTtl;
    this.#fingerprint = configFingerprint(options.config);
    this.#stepUps = options.stepUps;
    this.#kick = options.onQueued ?? (() => undefined);
  }

  async assess(tx: Tx, input: AssessInput): Promise<Assessment & { assessed: Assessed }> {
    const { request, terminal, merchant, now } = input;
    const issuerKid = input.code.credential.split('/')[0];
    const account = `${issuerKid}/${input.code.account}`;
    const location = request.location;
    const fix = location.status === 'fix'
      ? { latitude: location.latitude!, longitude: location.longitude!, ...(location.accuracy !== undefined ? { accuracy: location.accuracy } : {}) }
      : undefined;
    const fixed = fixedPurposes.indexOf(request.purpose) >= 0;
    const place = fix ?? (fixed ? { latitude: merchant.site.latitude, longitude: merchant.site.longitude } : undefined);
    const situation: Situation = {
      history: tx.history, config: this.#config, now, request, merchant, account, credential: input.code.credential, fixed,
      terminal: { id: terminal.id, enrolledFirmware: terminal.firmware },
      ...(fix ? { fix } : {}),
      ...(place ? { place } : {}),
    };
    const factors = await evaluate(situation);
    const scored = scoreOf(factors, this.#config.thresholds);
    const assessment: Assessment = input.offline && scored.outcome === 'step-up' ? { ...scored, outcome: 'held', reason: reasons.held } : scored;

    // The code verified moments ago, so it parses; its credential names the device key that answers step-ups.
    const device = parsePaymentCode(request.paymentCode).credential.deviceKey;
    const payment = await openPayment(tx, {
      requestId: input.requestId, requestHash: input.requestHash, account, credential: input.code.credential, deviceAlg: device.alg,
      deviceKey: device.publicKey, merchantId: merchant.merchantId, terminalId: terminal.id, amount: request.amount, currency: request.currency,
      latitude: place?.latitude ?? null, longitude: place?.longitude ?? null, at: now,
    }, acceptedState(assessment.outcome, request.kind), `${assessment.reason}, score ${assessment.score}${request.kind ? `, ${request.kind}` : ''}`);
    if (request.kind === 'pre-auth') await tx.lifecycle.openHold({ requestId: input.requestId, expiresAt: now + this.#holdTtl });
    if (fix) await tx.payments.recordFix({ terminalId: terminal.id, requestId: input.requestId, latitude: fix.latitude, longitude: fix.longitude, accuracy: fix.accuracy ?? null, at: now });
    await this.#record(tx, input.requestId, assessment, now);
    return { ...assessment, assessed: { merchant, payment } };
  }

  async decided(tx: Tx, input: DecidedInput): Promise<void> {
    const payment = input.assessed?.payment.requestId === input.requestId ? input.assessed.payment : await tx.payments.byRequest(input.requestId);
    if (!payment) {
      // A protocol rule decided before any scoring: that rule is the factor that fired.
      const rule: Fired = { name: input.reason, side: 'rule', points: 0, detail: 'protocol rule' };
      await this.#record(tx, input.requestId, { outcome: input.outcome, reason: input.reason, score: 0, customerScore: 0, acceptanceScore: 0, factors: [rule] }, input.now);
      if (input.reason === 'replayed') await this.#alertCopy(tx, input);
      return;
    }
    const merchant = input.assessed?.merchant.merchantId === payment.merchantId ? input.assessed.merchant : (await tx.merchants.get(payment.merchantId))!;
    const data: Record<string, unknown> = {
      payment: hex(payment.requestHash),
      outcome: input.outcome,
      reason: input.reason,
      amount: payment.amount,
      currency: payment.currency,
      merchant: merchant.name,
      terminal: payment.terminalId,
      ...(input.approvalCode ? { approvalCode: input.approvalCode } : {}),
    };
    if (input.outcome === 'step-up') {
      const challenge = await this.#stepUps.open(tx, {
        requestId: input.requestId, requestHash: payment.requestHash, account: payment.account, now: input.now, ttlSeconds: this.#config.stepUp.ttlSeconds,
      });
      await enqueue(tx, { account: payment.account, kind: 'step-up', data: { ...data, challenge: challenge.id, expiresAt: challenge.expiresAt }, now: input.now }, this.#kick);
    } else {
      await enqueue(tx, { account: payment.account, kind: 'payment', data, now: input.now }, this.#kick);
    }
  }

  /**
   * A code used before is a copy (a screenshot, a second camera): the customer
   * hears that their code was presented again, where, and where it was first
   * used. The replay check runs before the code's signature is checked, so this
   * also covers a forged code reusing a real code's identifier: either way
   * someone saw the customer's code.
   */
  async #alertCopy(tx: Tx, input: DecidedInput): Promise<void> {
    let code;
    try {
      code = parsePaymentCode(input.request.paymentCode);
    } catch {
      return;
    }
    const credential = `${hex(code.credential.issuerKid)}/${hex(code.credential.credentialId)}`;
    const firstRequest = await tx.codes.firstUse(credential, hex(code.codeId));
    const first = firstRequest === undefined ? undefined : await tx.payments.byRequest(firstRequest);
    if (!first) return;
    await enqueue(tx, {
      account: first.account, kind: 'copied-code',
      data: {
        code: hex(code.codeId), presentedAt: input.request.terminalId, amount: input.request.amount, currency: input.request.currency,
        firstUsedAt: first.terminalId, firstUsed: first.at, payment: hex(first.requestHash),
      },
      now: input.now,
    }, this.#kick);
  }

  async #record(tx: Tx, requestId: number, a: Assessment, now: number): Promise<void> {
    await tx.payments.recordAssessment(requestId, {
      score: a.score, customerScore: a.customerScore, acceptanceScore: a.acceptanceScore, outcome: a.outcome, reason: a.reason,
      factors: JSON.stringify(a.factors), config: this.#fingerprint, assessedAt: now,
    });
  }
}
