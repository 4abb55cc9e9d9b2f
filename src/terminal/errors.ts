/**
 * Typed failures of the terminal's own API. Outcomes of a payment (declined,
 * no answer) are not errors: they come back as a `Decision`.
 */
export type TerminalErrorKind =
  /** The configuration cannot work (no authorizer URL, a retry policy without attempts...). */
  | 'bad-config'
  /** The charge arguments are not a valid payment (amount, currency, purpose, reference). */
  | 'bad-charge'
  /** A charge is already in progress: one payment at a time. */
  | 'busy'
  /** The terminal has no enrollment yet (call `start()` with the authorizer reachable). */
  | 'not-enrolled'
  /** The authorizer has not approved this terminal yet; try again later. */
  | 'enrollment-pending'
  /** Enrollment was refused, or its answer could not be verified. */
  | 'enrollment-failed'
  /** Persistent state could not be read or written. */
  | 'storage'
  /** Waiting for a payment code ended before one was presented. */
  | 'no-code'
  /** The terminal was stopped. */
  | 'stopped';

export class TerminalError extends Error {
  /** Not `this.name = ...`: Moddable freezes Error.prototype (docs/moddable.md). */
  override get name(): string {
    return 'TerminalError';
  }

  readonly kind: TerminalErrorKind;

  constructor(kind: TerminalErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

export function isTerminalError(value: unknown, kind?: TerminalErrorKind): value is TerminalError {
  return value instanceof TerminalError && (kind === undefined || value.kind === kind);
}
