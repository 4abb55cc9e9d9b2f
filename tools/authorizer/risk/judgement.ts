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
import type { Outcome } from '../../../src/authorization/decision';
import type { AuthorizationRequest } from '../../../src/authorization/request';
import { hex } from '../../../src/paycode/hex';
import { parsePaymentCode } from '../../../src/paycode/parse';
import type { Db } from '../database';
import { enqueue } from '../notify/outbox';
import type { MerchantRow } from '../store';
import { configFingerprint, type RiskConfig } from './config';
import { evaluate, type Fired, type Situation } from './factors';
import type { StepUps } from '../stepup/step-ups';

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
  merchant: MerchantRow;
  code: { credential: string; account: string };
  now: number;
}

export interface DecidedInput {
  requestId: number;
  request: AuthorizationRequest;
  outcome: Outcome;
  reason: string;
  approvalCode?: string;
  now: number;
}

/** What the protocol side calls; see service.ts. */
export interface JudgementHooks {
  assess(input: AssessInput): Assessment;
  decided(input: DecidedInput): void;
}

export const reasons = { approved: 'approved', held: 'held-for-review', 'step-up': 'confirm-in-app', declined: 'risk-too-high' } as const;

const states: Record<Outcome, string> = { approved: 'captured', held: 'pending', 'step-up': 'awaiting-confirmation', declined: 'declined' };

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
  readonly #db: Db;
  readonly #config: RiskConfig;
  readonly #fingerprint: string;
  readonly #stepUps: StepUps;
  /** Called after a decision's transaction queued notifications (the dispatcher's kick). */
  readonly #onQueued: () => void;

  constructor(options: { db: Db; config: RiskConfig; stepUps: StepUps; onQueued?: () => void }) {
    this.#db = options.db;
    this.#config = options.config;
    this.#fingerprint = configFingerprint(options.config);
    this.#stepUps = options.stepUps;
    this.#onQueued = options.onQueued ?? (() => undefined);
  }

  assess(input: AssessInput): Assessment {
    const { request, merchant, now } = input;
    const db = this.#db;
    const issuerKid = input.code.credential.split('/')[0];
    const account = `${issuerKid}/${input.code.account}`;
    const terminal = db.prepare('SELECT id, firmware FROM terminals WHERE id = ?').get(request.terminalId) as { id: string; firmware: string };
    const location = request.location;
    const fix = location.status === 'fix'
      ? { latitude: location.latitude!, longitude: location.longitude!, ...(location.accuracy !== undefined ? { accuracy: location.accuracy } : {}) }
      : undefined;
    const fixed = fixedPurposes.indexOf(request.purpose) >= 0;
    const place = fix ?? (fixed ? { latitude: merchant.site_latitude, longitude: merchant.site_longitude } : undefined);
    const situation: Situation = {
      db, config: this.#config, now, request, merchant, account, credential: input.code.credential, fixed,
      terminal: { id: terminal.id, enrolledFirmware: terminal.firmware },
      ...(fix ? { fix } : {}),
      ...(place ? { place } : {}),
    };
    const factors = evaluate(situation);
    const assessment = scoreOf(factors, this.#config.thresholds);

    // The code verified moments ago, so it parses; its credential names the device key that answers step-ups.
    const device = parsePaymentCode(request.paymentCode).credential.deviceKey;
    db.prepare(
      `INSERT INTO payments (request_id, request_hash, account, credential, device_alg, device_key, merchant_id, terminal_id, amount, currency,
         latitude, longitude, at, state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(input.requestId, input.requestHash, account, input.code.credential, device.alg, device.publicKey, merchant.id, terminal.id,
      request.amount, request.currency, place?.latitude ?? null, place?.longitude ?? null, now, states[assessment.outcome]);
    if (fix) {
      db.prepare('INSERT INTO terminal_fixes (terminal_id, request_id, latitude, longitude, accuracy, at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(terminal.id, input.requestId, fix.latitude, fix.longitude, fix.accuracy ?? null, now);
    }
    this.#record(input.requestId, assessment, now);
    return assessment;
  }

  decided(input: DecidedInput): void {
    const db = this.#db;
    const assessed = db.prepare('SELECT 1 FROM risk_assessments WHERE request_id = ?').get(input.requestId) !== undefined;
    if (!assessed) {
      // A protocol rule decided before any scoring: that rule is the factor that fired.
      const rule: Fired = { name: input.reason, side: 'rule', points: 0, detail: 'protocol rule' };
      this.#record(input.requestId, { outcome: input.outcome, reason: input.reason, score: 0, customerScore: 0, acceptanceScore: 0, factors: [rule] }, input.now);
      if (input.reason === 'replayed') this.#alertCopy(input);
      return;
    }
    const payment = db.prepare('SELECT account, amount, currency, merchant_id, terminal_id, request_hash FROM payments WHERE request_id = ?')
      .get(input.requestId) as { account: string; amount: number; currency: string; merchant_id: string; terminal_id: string; request_hash: Uint8Array };
    const merchant = db.prepare('SELECT name FROM merchants WHERE id = ?').get(payment.merchant_id) as { name: string };
    const data: Record<string, unknown> = {
      payment: hex(new Uint8Array(payment.request_hash)),
      outcome: input.outcome,
      reason: input.reason,
      amount: payment.amount,
      currency: payment.currency,
      merchant: merchant.name,
      terminal: payment.terminal_id,
      ...(input.approvalCode ? { approvalCode: input.approvalCode } : {}),
    };
    if (input.outcome === 'step-up') {
      const challenge = this.#stepUps.open({
        requestId: input.requestId, requestHash: payment.request_hash, account: payment.account, now: input.now, ttlSeconds: this.#config.stepUp.ttlSeconds,
      });
      enqueue(db, { account: payment.account, kind: 'step-up', data: { ...data, challenge: challenge.id, expiresAt: challenge.expires_at }, now: input.now });
    } else {
      enqueue(db, { account: payment.account, kind: 'payment', data, now: input.now });
    }
    // Delivery starts after the transaction commits (the dispatcher reads committed rows).
    setImmediate(this.#onQueued);
  }

  /**
   * A code used before is a copy (a screenshot, a second camera): the customer
   * hears that their code was presented again, where, and where it was first
   * used. The replay check runs before the code's signature is checked, so this
   * also covers a forged code reusing a real code's identifier: either way
   * someone saw the customer's code.
   */
  #alertCopy(input: DecidedInput): void {
    let code;
    try {
      code = parsePaymentCode(input.request.paymentCode);
    } catch {
      return;
    }
    const credential = `${hex(code.credential.issuerKid)}/${hex(code.credential.credentialId)}`;
    const first = this.#db.prepare(
      `SELECT p.account, p.terminal_id, p.at, p.request_hash FROM codes_seen c JOIN payments p ON p.request_id = c.first_request_id
       WHERE c.credential = ? AND c.code_id = ?`,
    ).get(credential, hex(code.codeId)) as { account: string; terminal_id: string; at: number; request_hash: Uint8Array } | undefined;
    if (!first) return;
    enqueue(this.#db, {
      account: first.account, kind: 'copied-code',
      data: {
        code: hex(code.codeId), presentedAt: input.request.terminalId, amount: input.request.amount, currency: input.request.currency,
        firstUsedAt: first.terminal_id, firstUsed: first.at, payment: hex(first.request_hash),
      },
      now: input.now,
    });
    setImmediate(this.#onQueued);
  }

  #record(requestId: number, a: Assessment, now: number): void {
    this.#db.prepare(
      `INSERT INTO risk_assessments (request_id, score, customer_score, acceptance_score, outcome, reason, factors, config, assessed_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(requestId, a.score, a.customerScore, a.acceptanceScore, a.outcome, a.reason, JSON.stringify(a.factors), this.#fingerprint, now);
  }
}
