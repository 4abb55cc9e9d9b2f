/**
 * A payment's states and the one function that moves it between them.
 *
 *   from \ cause        decision  step-up   review    report    reversal
 *   (none)              captured, pending, awaiting-confirmation, declined
 *   awaiting-confirm.   -         captured, pending, declined     reversed  reversed
 *   pending (held)      -         -         captured, reversed    reversed  reversed
 *   captured            -         -         -         disputed  voided
 *   declined, reversed, disputed, voided: final
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
  /** Captured, then cancelled by the terminal's reversal: the funds went back to the customer. */
  | 'voided';

export type TransitionCause = 'decision' | 'step-up' | 'review' | 'report' | 'reversal';

type Table = Record<TransitionCause, Partial<Record<PaymentState | 'new', readonly PaymentState[]>>>;

/** The table in this file's header, as data (docs/authorizer.md shows it too; a test keeps them equal). */
export const transitions: Table = {
  decision: { new: ['captured', 'pending', 'awaiting-confirmation', 'declined'] },
  'step-up': { 'awaiting-confirmation': ['captured', 'pending', 'declined'] },
  review: { pending: ['captured', 'reversed'] },
  report: { 'awaiting-confirmation': ['reversed'], pending: ['reversed'], captured: ['disputed'] },
  reversal: { 'awaiting-confirmation': ['reversed'], pending: ['reversed'], captured: ['voided'] },
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
