/**
 * A payment's states and the one function that moves it between them. A sale
 * is captured when accepted; a pre-authorization is `authorized` (the funds
 * held) and captured by its completion. The table `transitions` below lists
 * every allowed move per cause (docs/authorizer.md shows it as a table):
 *
 *   decision    (new) → captured, authorized, pending, awaiting-confirmation, declined
 *   step-up     awaiting-confirmation → captured, authorized, pending, declined
 *   review      pending → captured, authorized, reversed
 *   report      awaiting-confirmation, pending, authorized → reversed; captured → disputed
 *   reversal    awaiting-confirmation, pending, authorized → reversed; captured → voided
 *   completion  authorized → captured
 *   expiry      authorized → expired
 *   void        captured → voided; pending → reversed
 *   refund      captured, partially-refunded → partially-refunded, refunded
 *   declined, reversed, disputed, voided, expired, refunded: final
 *
 * `transition` is the only writer of a payment's state (store/ports.ts
 * PaymentsPort is written nowhere else): it checks the move against this
 * table, journals it with its cause in the same transaction, and throws a
 * typed `IllegalTransition` for any other move, so a bug can never capture a
 * reversed payment or reverse a disputed one.
 */
import type { Payment, PaymentEvent, Tx } from '../store/ports';

export type PaymentState =
  /** A step-up is open: the customer confirms in the wallet app. */
  | 'awaiting-confirmation'
  /** Accepted and held for review: the funds are reserved, not yet with the merchant. */
  | 'pending'
  | 'captured'
  | 'declined'
  /** The funds never left the customer: a held payment released back, or reversed by the terminal before capture. */
  | 'reversed'
  /** Captured, then reported by the customer and refunded. */
  | 'disputed'
  /** Captured, then cancelled (the terminal's reversal, or the merchant's void before batch close): the funds went back. */
  | 'voided'
  /** A pre-authorization accepted: `amount` is held until a completion captures what the goods cost. */
  | 'authorized'
  /** A pre-authorization never completed in time: the hold is released. */
  | 'expired'
  /** Captured, and part of it refunded by the merchant (more refunds may follow, never above the capture). */
  | 'partially-refunded'
  /** Captured, and all of it refunded by the merchant. */
  | 'refunded';

export type TransitionCause = 'decision' | 'step-up' | 'review' | 'report' | 'reversal' | 'completion' | 'expiry' | 'void' | 'refund';

type Table = Record<TransitionCause, Partial<Record<PaymentState | 'new', readonly PaymentState[]>>>;

/** The table in this file's header, as data (docs/authorizer.md shows it too; a test keeps them equal). */
export const transitions: Table = {
  decision: { new: ['captured', 'authorized', 'pending', 'awaiting-confirmation', 'declined'] },
  'step-up': { 'awaiting-confirmation': ['captured', 'authorized', 'pending', 'declined'] },
  review: { pending: ['captured', 'authorized', 'reversed'] },
  report: { 'awaiting-confirmation': ['reversed'], pending: ['reversed'], authorized: ['reversed'], captured: ['disputed'] },
  reversal: { 'awaiting-confirmation': ['reversed'], pending: ['reversed'], authorized: ['reversed'], captured: ['voided'] },
  completion: { authorized: ['captured'] },
  expiry: { authorized: ['expired'] },
  void: { captured: ['voided'], pending: ['reversed'] },
  refund: { captured: ['partially-refunded', 'refunded'], 'partially-refunded': ['partially-refunded', 'refunded'] },
};

export function allowed(from: PaymentState | 'new', to: PaymentState, cause: TransitionCause): boolean {
  return transitions[cause][from]?.includes(to) ?? false;
}

export class IllegalTransition extends Error {
  readonly from: PaymentState | 'new';
  readonly to: PaymentState;
  override readonly cause: TransitionCause;
  readonly requestId: number;
  constructor(requestId: number, from: PaymentState | 'new', to: PaymentState, cause: TransitionCause) {
    super(`payment ${requestId}: ${from} → ${to} is not allowed by a ${cause}`);
    this.requestId = requestId;
    this.from = from;
    this.to = to;
    this.cause = cause;
  }
}
Object.defineProperty(IllegalTransition.prototype, 'name', { value: 'IllegalTransition' });

/** Creates a payment in its first state (cause: the decision), journaled. */
export async function openPayment(tx: Tx, payment: Omit<Payment, 'state'>, state: PaymentState, detail: string): Promise<Payment> {
  if (!allowed('new', state, 'decision')) throw new IllegalTransition(payment.requestId, 'new', state, 'decision');
  const created: Payment = { ...payment, state };
  await tx.payments.insert(created);
  await journal(tx, { requestId: payment.requestId, from: null, to: state, cause: 'decision', detail, at: payment.at });
  return created;
}

/** Moves a payment to `to` for `cause`, journaled with `detail`; throws IllegalTransition for a move the table does not allow. */
export async function transition(tx: Tx, payment: Payment, to: PaymentState, cause: TransitionCause, detail: string, now: number): Promise<Payment> {
  if (!allowed(payment.state, to, cause)) throw new IllegalTransition(payment.requestId, payment.state, to, cause);
  await tx.payments.setState(payment.requestId, to);
  await journal(tx, { requestId: payment.requestId, from: payment.state, to, cause, detail, at: now });
  return { ...payment, state: to };
}

function journal(tx: Tx, event: PaymentEvent): Promise<void> {
  return tx.payments.appendEvent(event);
}
