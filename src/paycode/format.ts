/**
 * The payment-code format (docs/payment-code.md): constants shared by the
 * encoder (the wallet) and the verifier (the terminal). Changing any of them
 * changes the wire format, so the test vectors in the doc will catch it.
 */
import { privateClaimBase } from '../cwt/claims';

/** QR text = prefix + base45(untagged COSE_Sign1). All characters are in QR alphanumeric mode. */
export const codePrefix = 'QP1:';

/** Hard limits, checked before any decoding work. */
export const maxCodeBytes = 400;
export const maxCodeTextLength = codePrefix.length + 600; // base45 of 400 bytes

/**
 * Private-use CWT claim (RFC 8392 §9.1, below -65536) holding spending limits
 * as [per-payment cap (uint, minor units) or null, offline allowed (bool)].
 */
export const limitsClaim = privateClaimBase;

/** Byte lengths accepted for identifiers (the wallet uses the lower, compact sizes). */
export const issuerKidLength = { min: 1, max: 8 } as const;
export const accountLength = { min: 4, max: 16 } as const;
export const credentialIdLength = { min: 4, max: 16 } as const;
export const codeIdLength = { min: 6, max: 16 } as const;

/** COSE protected header content types (RFC 9052 label 3) that tell operator documents apart. */
export const trustListContentType = 'application/qrpay-trust-list+cbor';
export const denyListContentType = 'application/qrpay-deny-list+cbor';

/** Members of the operator documents' payload maps. */
export const ListField = { version: 1, issuedAt: 2, expiresAt: 3, issuers: 4, revokedCredentials: 5, frozenAccounts: 6, offlineLimits: 7 } as const;
