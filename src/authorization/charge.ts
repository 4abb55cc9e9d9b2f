/**
 * What is being paid for: the embedder's side of a request. Amounts are whole
 * minor units (cents) so no float ever touches money.
 */
export type Purpose = 'counter-sale' | 'bike-unlock' | 'arcade-credit';
export const purposes: readonly Purpose[] = ['counter-sale', 'bike-unlock', 'arcade-credit'];

export interface Charge {
  /** Minor units of `currency`, 1 or more. */
  amount: number;
  /** ISO 4217 alphabetic code, such as "EUR". */
  currency: string;
  purpose: Purpose;
  /** The embedder's own reference (order number, ride id), 1 to 64 printable characters. */
  reference: string;
}

// Functions that make each pattern, not module-level RegExps: a RegExp preloaded into flash crashes XS
// when a match runs during a garbage collection (docs/moddable.md, XS bug 2); a literal evaluated in a
// function is made in RAM.
export const currencyPattern = (): RegExp => /^[A-Z]{3}$/;
export const referencePattern = (): RegExp => /^[\x20-\x7e]{1,64}$/;
export const maxAmount = 1_000_000_000_000;

/** Why a charge is invalid, or undefined when it is valid. */
export function chargeProblem(charge: Charge): string | undefined {
  if (!charge || typeof charge !== 'object') return 'a charge needs amount, currency, purpose and reference';
  const { amount, currency, purpose, reference } = charge;
  if (typeof amount !== 'number' || !Number.isInteger(amount) || amount < 1 || amount > maxAmount) {
    return `amount must be a whole number of minor units from 1 to ${maxAmount}, got ${String(amount)}`;
  }
  if (typeof currency !== 'string' || !currencyPattern().test(currency)) return `currency must be an ISO 4217 code such as EUR, got ${String(currency)}`;
  if (purposes.indexOf(purpose) < 0) return `purpose must be one of ${purposes.join(', ')}, got ${String(purpose)}`;
  if (typeof reference !== 'string' || !referencePattern().test(reference)) return 'reference must be 1 to 64 printable ASCII characters';
  return undefined;
}
