/**
 * "Accidents will happen": what happens after fraud got through.
 *
 * - report: the customer says a payment was not theirs. A payment still held
 *   (or awaiting its step-up) is reversed: the funds never leave, and the
 *   release is credited at once. A captured payment is disputed and refunded:
 *   at once up to `autoCreditMax`, else after an operator's review. Either way
 *   the credential that paid is suspended (revoked: it reaches terminals with
 *   the next deny list) and the customer is told on both channels. The time
 *   from report to compensation is stored (reports.reported_at ->
 *   compensations.credited_at).
 * - freeze: by the owner, a trusted contact the owner named beforehand (for
 *   when the phone is in the attacker's hands) or the operator. A frozen
 *   account's codes are refused by the authorizer at once and by terminals
 *   with their next deny list.
 */
import { unhex } from '../../../src/paycode/hex';
import type { Db } from '../database';
import { enqueue } from '../notify/outbox';
import type { Operator } from '../operator';
import type { StepUps } from '../stepup/step-ups';

export class DisputeError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = 'DisputeError';
    this.status = status;
  }
}

export interface ReportResult {
  reportId: number;
  action: 'reversed' | 'disputed';
  compensation: { id: number; kind: 'release' | 'refund'; amount: number; currency: string; state: 'credited' | 'pending-review' };
  suspendedCredential: string;
}

export interface DisputesOptions {
  db: Db;
  operator: Operator;
  stepUps: StepUps;
  now: () => number;
  /** Refunds up to this amount are credited without review (minor units). */
  autoCreditMax: () => number;
  onQueued?: () => void;
}

export class Disputes {
  readonly #db: Db;
  readonly #operator: Operator;
  readonly #stepUps: StepUps;
  readonly #now: () => number;
  readonly #autoCreditMax: () => number;
  readonly #onQueued: () => void;

  constructor(options: DisputesOptions) {
    this.#db = options.db;
    this.#operator = options.operator;
    this.#stepUps = options.stepUps;
    this.#now = options.now;
    this.#autoCreditMax = options.autoCreditMax;
    this.#onQueued = options.onQueued ?? (() => undefined);
  }

  /** Reports the payment made by request `requestId` as not the customer's. */
  report(input: { requestId: number; by: string; note: string; account?: string }): ReportResult {
    const db = this.#db;
    const now = this.#now();
    const result = db.transaction((): ReportResult => {
      const payment = db.prepare('SELECT request_id, account, credential, amount, currency, state FROM payments WHERE request_id = ?').get(input.requestId) as
        { request_id: number; account: string; credential: string; amount: number; currency: string; state: string } | undefined;
      if (!payment) throw new DisputeError(404, `no payment for request ${input.requestId}`);
      if (input.account !== undefined && payment.account !== input.account) throw new DisputeError(404, 'no such payment for this account');
      if (db.prepare('SELECT 1 FROM reports WHERE request_id = ?').get(input.requestId)) throw new DisputeError(409, 'this payment was already reported');
      if (payment.state === 'declined' || payment.state === 'reversed') throw new DisputeError(409, `the payment is ${payment.state}: nothing was taken`);
      const held = payment.state === 'pending' || payment.state === 'awaiting-confirmation';
      const action = held ? 'reversed' : 'disputed';
      // A step-up still waiting ends as refused: the terminal gets a signed decline.
      if (payment.state === 'awaiting-confirmation') this.#stepUps.cancel(payment.request_id, now);
      db.prepare('UPDATE payments SET state = ? WHERE request_id = ?').run(action, payment.request_id);
      const reportId = Number(db.prepare(
        'INSERT INTO reports (request_id, account, reported_at, reported_by, note, prior_state, action) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(payment.request_id, payment.account, now, input.by, input.note, payment.state, action).lastInsertRowid);
      const kind = held ? 'release' : 'refund';
      const credited = held || payment.amount <= this.#autoCreditMax();
      const state = credited ? 'credited' : 'pending-review';
      const compensationId = Number(db.prepare(
        'INSERT INTO compensations (report_id, amount, currency, kind, state, created_at, credited_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(reportId, payment.amount, payment.currency, kind, state, now, credited ? now : null).lastInsertRowid);
      const [issuerKid, credentialId] = payment.credential.split('/');
      this.#operator.revokeCredential(unhex(issuerKid)!, unhex(credentialId)!);
      enqueue(db, {
        account: payment.account, kind: 'report',
        data: { request: payment.request_id, action, compensation: { kind, amount: payment.amount, currency: payment.currency, state }, suspendedCredential: payment.credential },
        now,
      });
      return {
        reportId, action, suspendedCredential: payment.credential,
        compensation: { id: compensationId, kind, amount: payment.amount, currency: payment.currency, state },
      };
    })();
    setImmediate(this.#onQueued);
    return result;
  }

  /**
   * The review of a held payment: `release` captures it (the merchant is paid),
   * `reverse` returns it (the funds never leave the customer). The customer is told.
   */
  review(requestId: number, verdict: 'release' | 'reverse'): void {
    const now = this.#now();
    this.#db.transaction(() => {
      const payment = this.#db.prepare('SELECT account, amount, currency, state FROM payments WHERE request_id = ?').get(requestId) as
        { account: string; amount: number; currency: string; state: string } | undefined;
      if (!payment) throw new DisputeError(404, `no payment for request ${requestId}`);
      if (payment.state !== 'pending') throw new DisputeError(409, `the payment is ${payment.state}, not held for review`);
      const state = verdict === 'release' ? 'captured' : 'reversed';
      this.#db.prepare('UPDATE payments SET state = ? WHERE request_id = ?').run(state, requestId);
      enqueue(this.#db, { account: payment.account, kind: 'payment', data: { request: requestId, review: verdict, state, amount: payment.amount, currency: payment.currency }, now });
    })();
    setImmediate(this.#onQueued);
  }

  /** An operator credits a refund that waited for review. */
  credit(compensationId: number): boolean {
    return this.#db.prepare("UPDATE compensations SET state = 'credited', credited_at = ? WHERE id = ? AND state = 'pending-review'")
      .run(this.#now(), compensationId).changes === 1;
  }

  /** Freezes `account` ("<issuer kid hex>/<account hex>"). True when it was not frozen before. */
  freeze(account: string, by: string, reason: string): boolean {
    const [kid, id] = splitAccount(account);
    const now = this.#now();
    const changed = this.#db.transaction(() => {
      const fresh = this.#operator.freezeAccount(kid, id, by, reason);
      if (fresh) enqueue(this.#db, { account, kind: 'freeze', data: { by, reason }, now });
      return fresh;
    })();
    setImmediate(this.#onQueued);
    return changed;
  }

  unfreeze(account: string): boolean {
    const [kid, id] = splitAccount(account);
    return this.#operator.unfreezeAccount(kid, id);
  }

  /** The owner names a trusted contact who may freeze the account. */
  nameContact(account: string, contact: { name: string; alg: string; publicKey: Uint8Array }): void {
    const now = this.#now();
    this.#db.transaction(() => {
      this.#db.prepare(
        `INSERT INTO trusted_contacts (account, name, alg, public_key, named_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(account, public_key) DO UPDATE SET name = excluded.name, alg = excluded.alg`,
      ).run(account, contact.name, contact.alg, contact.publicKey, now);
      enqueue(this.#db, { account, kind: 'contact-named', data: { name: contact.name }, now });
    })();
    setImmediate(this.#onQueued);
  }
}

function splitAccount(account: string): [Uint8Array, Uint8Array] {
  const [kid, id] = account.split('/');
  const kidBytes = kid ? unhex(kid) : undefined;
  const idBytes = id ? unhex(id) : undefined;
  if (!kidBytes || !idBytes) throw new DisputeError(400, `account ${account} is not "<issuer kid hex>/<account hex>"`);
  return [kidBytes, idBytes];
}
