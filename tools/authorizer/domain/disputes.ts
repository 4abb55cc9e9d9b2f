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
import type { Store, Tx } from '../store/ports';
import type { Lists } from './lists';
import { enqueue } from './outbox';
import { transition } from './payment-state';
import { DomainRefusal } from './results';
import type { StepUps } from './step-ups';

export interface ReportResult {
  reportId: number;
  action: 'reversed' | 'disputed';
  compensation: { id: number; kind: 'release' | 'refund'; amount: number; currency: string; state: 'credited' | 'pending-review' };
  suspendedCredential: string;
}

export interface DisputesOptions {
  store: Store;
  lists: Lists;
  stepUps: StepUps;
  now: () => number;
  /** Refunds up to this amount are credited without review (minor units). */
  autoCreditMax: () => number;
  onQueued?: () => void;
}

export class Disputes {
  readonly #store: Store;
  readonly #lists: Lists;
  readonly #stepUps: StepUps;
  readonly #now: () => number;
  readonly #autoCreditMax: () => number;
  readonly #kick: () => void;

  constructor(options: DisputesOptions) {
    this.#store = options.store;
    this.#lists = options.lists;
    this.#stepUps = options.stepUps;
    this.#now = options.now;
    this.#autoCreditMax = options.autoCreditMax;
    this.#kick = options.onQueued ?? (() => undefined);
  }

  /** Reports the payment made by request `requestId` as not the customer's; DomainRefusal when there is nothing to report. */
  report(input: { requestId: number; by: string; note: string; account?: string }): Promise<ReportResult> {
    const now = this.#now();
    return this.#store.transaction(async (tx): Promise<ReportResult> => {
      const payment = await tx.payments.byRequest(input.requestId);
      if (!payment) throw new DomainRefusal('not-found', `no payment for request ${input.requestId}`);
      if (input.account !== undefined && payment.account !== input.account) throw new DomainRefusal('not-found', 'no such payment for this account');
      if (await tx.disputes.reportFor(input.requestId)) throw new DomainRefusal('conflict', 'this payment was already reported');
      if (payment.state !== 'captured' && payment.state !== 'pending' && payment.state !== 'awaiting-confirmation' && payment.state !== 'authorized') {
        throw new DomainRefusal('conflict', `the payment is ${payment.state}: nothing was taken`);
      }
      const held = payment.state !== 'captured';
      const action = held ? 'reversed' : 'disputed';
      // A step-up still waiting ends as refused: the terminal gets a signed decline.
      if (payment.state === 'awaiting-confirmation') await this.#stepUps.cancel(tx, payment.requestId, now);
      await transition(tx, payment, action, 'report', `reported by ${input.by}: ${input.note}`, now);
      const reportId = await tx.disputes.insertReport({
        requestId: payment.requestId, account: payment.account, reportedAt: now, reportedBy: input.by, note: input.note, priorState: payment.state, action,
      });
      const kind = held ? 'release' : 'refund';
      const credited = held || payment.amount <= this.#autoCreditMax();
      const state = credited ? 'credited' : 'pending-review';
      const compensationId = await tx.disputes.insertCompensation({
        reportId, amount: payment.amount, currency: payment.currency, kind, state, createdAt: now, creditedAt: credited ? now : null,
      });
      const [issuerKid, credentialId] = payment.credential.split('/');
      await this.#lists.revokeCredential(tx, unhex(issuerKid)!, unhex(credentialId)!);
      await enqueue(tx, {
        account: payment.account, kind: 'report',
        data: { request: payment.requestId, action, compensation: { kind, amount: payment.amount, currency: payment.currency, state }, suspendedCredential: payment.credential },
        now,
      }, this.#kick);
      return {
        reportId, action, suspendedCredential: payment.credential,
        compensation: { id: compensationId, kind, amount: payment.amount, currency: payment.currency, state },
      };
    });
  }

  /**
   * The review of a held payment: `release` captures it (the merchant is paid),
   * `reverse` returns it (the funds never leave the customer). The customer is told.
   */
  review(requestId: number, verdict: 'release' | 'reverse'): Promise<void> {
    const now = this.#now();
    return this.#store.transaction(async (tx) => {
      const payment = await tx.payments.byRequest(requestId);
      if (!payment) throw new DomainRefusal('not-found', `no payment for request ${requestId}`);
      if (payment.state !== 'pending') throw new DomainRefusal('conflict', `the payment is ${payment.state}, not held for review`);
      // A released pre-authorization goes on holding its funds until its completion.
      const state = verdict === 'reverse' ? 'reversed' : (await tx.lifecycle.hold(requestId)) ? 'authorized' : 'captured';
      await transition(tx, payment, state, 'review', `operator ${verdict}`, now);
      await enqueue(tx, { account: payment.account, kind: 'payment', data: { request: requestId, review: verdict, state, amount: payment.amount, currency: payment.currency }, now }, this.#kick);
    });
  }

  /** An operator credits a refund that waited for review. */
  credit(compensationId: number): Promise<boolean> {
    return this.#store.transaction((tx) => tx.disputes.credit(compensationId, this.#now()));
  }

  /** Freezes `account` ("<issuer kid hex>/<account hex>"). True when it was not frozen before. */
  freeze(account: string, by: string, reason: string): Promise<boolean> {
    const [kid, id] = splitAccount(account);
    const now = this.#now();
    return this.#store.transaction(async (tx) => {
      const fresh = await this.#lists.freezeAccount(tx, kid, id, by, reason);
      if (fresh) await enqueue(tx, { account, kind: 'freeze', data: { by, reason }, now }, this.#kick);
      return fresh;
    });
  }

  unfreeze(account: string): Promise<boolean> {
    const [kid, id] = splitAccount(account);
    return this.#store.transaction((tx) => this.#lists.unfreezeAccount(tx, kid, id));
  }

  /** The owner names a trusted contact who may freeze the account. */
  nameContact(account: string, contact: { name: string; alg: string; publicKey: Uint8Array }): Promise<void> {
    const now = this.#now();
    return this.#store.transaction(async (tx: Tx) => {
      await tx.disputes.upsertContact({ account, ...contact, now });
      await enqueue(tx, { account, kind: 'contact-named', data: { name: contact.name }, now }, this.#kick);
    });
  }
}

function splitAccount(account: string): [Uint8Array, Uint8Array] {
  const [kid, id] = account.split('/');
  const kidBytes = kid ? unhex(kid) : undefined;
  const idBytes = id ? unhex(id) : undefined;
  if (!kidBytes || !idBytes) throw new DomainRefusal('malformed', `account ${account} is not "<issuer kid hex>/<account hex>"`);
  return [kidBytes, idBytes];
}
