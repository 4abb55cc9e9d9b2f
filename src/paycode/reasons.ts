/**
 * Why a payment code was refused: one reason from this list (documented in
 * docs/payment-code.md, in the order the verifier checks them), plus a
 * human-readable detail for logs.
 */
export type RejectReason =
  | 'malformed' // not a payment code: prefix, size, base45, CBOR, COSE or claim structure
  | 'unsupported-algorithm' // an algorithm other than ES256/EdDSA, or not the one the credential allows
  | 'trust-list-expired' // no trust list installed, or it has expired: the issuer cannot be checked
  | 'unknown-issuer' // issuer kid not in the current trust list
  | 'credential-not-yet-valid'
  | 'credential-expired'
  | 'revocation-unknown' // no deny list installed, or it has expired: revocation cannot be checked
  | 'revoked' // the credential is revoked
  | 'frozen' // the account is frozen (by its owner, a trusted contact or the operator): all its credentials stop
  | 'not-yet-valid' // code iat is in the future beyond the allowed skew
  | 'expired' // code exp has passed (beyond the skew)
  | 'over-limit' // amount above the credential's per-payment cap or the code's cap
  | 'replayed' // this credential's code id was already accepted: a copy
  | 'rate-limited' // a code was accepted a moment ago, or this credential has its most live codes here: show it again later
  | 'bad-credential-signature'
  | 'bad-code-signature'
  | 'replay-unavailable'; // the replay cache cannot record the code (full of live entries, storage failed)

export const rejectReasons: readonly RejectReason[] = [
  'malformed', 'unsupported-algorithm', 'trust-list-expired', 'unknown-issuer', 'credential-not-yet-valid', 'credential-expired',
  'revocation-unknown', 'revoked', 'frozen', 'not-yet-valid', 'expired', 'over-limit', 'replayed', 'rate-limited', 'bad-credential-signature',
  'bad-code-signature', 'replay-unavailable',
];

/** Thrown inside the paycode modules and turned into a `Rejection` at the API boundary. */
export class PaycodeError extends Error {
  /** Not `this.name = ...`: Moddable freezes Error.prototype (docs/moddable.md). */
  override get name(): string {
    return 'PaycodeError';
  }

  readonly reason: RejectReason;
  constructor(reason: RejectReason, detail: string) {
    super(detail);
    this.reason = reason;
  }
}

export interface Rejection {
  ok: false;
  reason: RejectReason;
  detail: string;
}
