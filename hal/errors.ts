/**
 * Errors raised by HAL implementations. Each carries a `kind` so callers can
 * branch on what happened without parsing messages.
 */
export type HalErrorKind =
  // network
  | 'timeout'
  | 'refused'
  | 'reset'
  | 'bad-status'
  | 'unreachable'
  | 'too-large'
  // storage
  | 'power-lost'
  | 'io'
  | 'invalid-key'
  | 'closed'
  // keystore
  | 'no-key'
  | 'key-exists'
  | 'unsupported-algorithm'
  // actuator: an activation is already running
  | 'busy'
  // anything a driver cannot classify
  | 'device';

export class HalError extends Error {
  /** Not `this.name = ...`: Moddable freezes Error.prototype (docs/moddable.md). */
  override get name(): string {
    return 'HalError';
  }

  readonly kind: HalErrorKind;
  /** HTTP status, for `bad-status`. */
  readonly status?: number;

  constructor(kind: HalErrorKind, message: string, status?: number) {
    super(message);
    this.kind = kind;
    if (status !== undefined) this.status = status;
  }
}

export function isHalError(value: unknown, kind?: HalErrorKind): value is HalError {
  return value instanceof HalError && (kind === undefined || value.kind === kind);
}
