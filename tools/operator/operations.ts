/**
 * The operator's acts and read models over a composed authorizer: what
 * `qrpay operator` runs for each command, and what the browser simulator's
 * operator panel (tools/sim) calls, so both do exactly the same thing.
 */
import type { Authorizer } from '../authorizer/composition';
import type { Settled } from '../authorizer/domain/instructions';
import type { ReportResult } from '../authorizer/domain/disputes';
import type { DecisionDetail, OperatorViews, OutboxLine, TerminalLine, TransactionLine } from '../authorizer/store/ports';

export interface OperatorOperations {
  terminals(): Promise<TerminalLine[]>;
  transactions(filter: { terminal?: string; account?: string; limit: number }): Promise<TransactionLine[]>;
  decision(requestId: number): Promise<DecisionDetail | undefined>;
  notifications(state: string | undefined, limit: number): Promise<OutboxLine[]>;
  /** True when the account's state changed (false: it already was frozen / not frozen). */
  freeze(account: string, reason: string): Promise<boolean>;
  unfreeze(account: string): Promise<boolean>;
  /** Reports a payment as not the customer's, on their behalf. */
  report(requestId: number, note: string): Promise<ReportResult>;
  /** Ends the review of a held payment: `release` captures it, `reverse` returns it. */
  review(requestId: number, verdict: 'release' | 'reverse'): Promise<void>;
  /** Cancels a sale of an open batch, or gives back `amount` of a capture; `reference` makes it idempotent. */
  instruct(input: { action: 'void' | 'refund'; requestId: number; amount?: number; reference: string }): Promise<Settled>;
}

export function operatorOperations(authorizer: Pick<Authorizer, 'store' | 'disputes' | 'instructions'>): OperatorOperations {
  const { store, disputes, instructions } = authorizer;
  const views = <T>(read: (v: OperatorViews) => Promise<T>) => store.transaction((tx) => read(tx.views));
  return {
    terminals: () => views((v) => v.terminals()),
    transactions: (filter) => views((v) => v.transactions(filter)),
    decision: (requestId) => views((v) => v.decision(requestId)),
    notifications: (state, limit) => views((v) => v.notifications(state, limit)),
    freeze: (account, reason) => disputes.freeze(account, 'operator', reason),
    unfreeze: (account) => disputes.unfreeze(account),
    report: (requestId, note) => disputes.report({ requestId, by: 'operator', note }),
    review: (requestId, verdict) => disputes.review(requestId, verdict),
    instruct: (input) => instructions.operator(input),
  };
}
