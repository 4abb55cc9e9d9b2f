/**
 * Where every decision the authorizer signs is minted: the authorization's
 * first answer and a step-up's final one alike. One table of texts for the
 * terminal's display, one approval-code generator.
 */
import { randomInt } from 'node:crypto';
import { signDecision, type ListVersions, type Outcome } from '../../../src/authorization/decision';
import type { Signer } from '../../../src/authorization/signer';

/** What the terminal shows for each reason; a reason without an entry shows "Declined: <reason>". */
export const displayTexts: Readonly<Record<string, string>> = {
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
  revoked: 'Card revoked',
  frozen: 'Account frozen',
  'rate-limited': 'Busy: show the code again',
  reversed: 'Cancelled by the terminal',
  'held-for-review': 'Accepted, under review',
  'confirm-in-app': 'Confirm in your wallet app',
  'risk-too-high': 'Declined: unusual payment',
  'step-up-refused': 'Declined in the app',
  'step-up-expired': 'Not confirmed in time',
};

export function displayFor(reason: string): string {
  return displayTexts[reason] ?? `Declined: ${reason}`;
}

const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** Six characters without look-alikes (no I, O, 0, 1), from node:crypto. */
export function newApprovalCode(): string {
  let code = '';
  for (let i = 0; i < 6; i++) code += alphabet[randomInt(alphabet.length)];
  return code;
}

export interface MintedDecision {
  outcome: Outcome;
  reason: string;
  approvalCode?: string;
  signed: Uint8Array;
}

/** Signs the decision for one request (bound by its hash, terminal and trace). */
export function mintDecision(
  signer: Signer,
  input: { requestHash: Uint8Array; terminalId: string; trace: number; outcome: Outcome; reason: string; now: number; approvalCode?: string; lists?: ListVersions },
): MintedDecision {
  // A decision re-issued for a copy of a request keeps the original's approval code.
  const approvalCode = input.outcome === 'approved' ? input.approvalCode ?? newApprovalCode() : undefined;
  const signed = signDecision(
    {
      requestHash: input.requestHash,
      terminalId: input.terminalId,
      trace: input.trace,
      outcome: input.outcome,
      reason: input.reason,
      ...(approvalCode ? { approvalCode } : {}),
      display: displayFor(input.reason),
      issuedAt: input.now,
      ...(input.lists ? { lists: input.lists } : {}),
    },
    signer,
  );
  return { outcome: input.outcome, reason: input.reason, ...(approvalCode ? { approvalCode } : {}), signed };
}
