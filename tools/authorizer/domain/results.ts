/**
 * What the domain answers, without HTTP: a signed message, a JSON value for
 * the wallet, or a typed refusal. http/ maps refusals to status codes.
 */
export type Refusal =
  /** The bytes are not a message of this kind (or not signed by what they claim). */
  | 'malformed'
  /** Signed, but not by a key allowed to do this. */
  | 'forbidden'
  | 'not-found'
  /** Already done, or in a state that does not allow it. */
  | 'conflict'
  /** Too late: the challenge or the hold expired. */
  | 'expired'
  /** Not decided yet: ask again. */
  | 'pending'
  /** Too many attempts from this sender or with this credential lately: try again after the window. */
  | 'rate-limited';

export type Answer<T = never> =
  | { kind: 'signed'; body: Uint8Array }
  | { kind: 'value'; value: T }
  | { kind: 'refused'; refusal: Refusal; problem: string };

export const signed = (body: Uint8Array): Answer<never> => ({ kind: 'signed', body });
export const value = <T>(v: T): Answer<T> => ({ kind: 'value', value: v });
export const refused = (refusal: Refusal, problem: string): Answer<never> => ({ kind: 'refused', refusal, problem });

/** A refusal raised from deep inside a domain operation (rolls its transaction back). */
export class DomainRefusal extends Error {
  readonly refusal: Refusal;
  constructor(refusal: Refusal, message: string) {
    super(message);
    this.refusal = refusal;
  }
}
Object.defineProperty(DomainRefusal.prototype, 'name', { value: 'DomainRefusal' });
