/**
 * Building credentials and payment codes (the wallet's side of the format).
 * Plain ECMAScript: signing goes through a callback, so a phone keystore, a
 * HAL keystore or a software key can sign.
 */
import { encode, type CborMap, type CborValue } from '../codec/cbor';
import { encodeBase45 } from '../codec/base45';
import { CoseAlg, createSign1, HeaderLabel, type CoseAlgName } from '../cose/sign1';
import { toCoseKey, type PublicKey } from '../cose/key';
import { encodeBase64url } from '../codec/base64url';
import { Claim, CnfKey } from '../cwt/claims';
import { codePrefix, limitsClaim } from './format';

export type Signer = (toBeSigned: Uint8Array) => Uint8Array;

export interface Limits {
  /** Largest amount of one payment, in minor units of the account currency. */
  perPaymentCap?: number;
  /** Whether a terminal may accept this credential's codes while offline. */
  offlineAllowed?: boolean;
}

export interface CredentialContent {
  issuerAlg: CoseAlgName;
  issuerKid: Uint8Array;
  /** The account pseudonym: travels as base64url text in the CWT `sub` (a StringOrURI, RFC 8392). */
  account: Uint8Array;
  /** The credential id (CWT `cti`). */
  credentialId: Uint8Array;
  /** Validity window, NumericDate seconds. */
  notBefore: number;
  expiresAt: number;
  /** The customer device's public key; its `alg` is the one algorithm the device may sign codes with. */
  deviceKey: PublicKey;
  limits?: Limits;
}

/** Limits travel as [per-payment cap or null, offline allowed]: an array, because every byte counts. */
function limitsValue(limits: Limits | undefined): CborValue[] | undefined {
  if (!limits || (limits.perPaymentCap === undefined && !limits.offlineAllowed)) return undefined;
  return [limits.perPaymentCap ?? null, limits.offlineAllowed === true];
}

/** The credential: an untagged COSE_Sign1 CWT signed by the issuer (it travels inside a code's `kcwt`). */
export function encodeCredential(content: CredentialContent, sign: Signer): CborValue[] {
  const claims: CborMap = new Map<number, CborValue>([
    [Claim.sub, encodeBase64url(content.account)],
    [Claim.exp, content.expiresAt],
    [Claim.nbf, content.notBefore],
    [Claim.cti, content.credentialId],
    [Claim.cnf, new Map([[CnfKey.coseKey, toCoseKey({ alg: content.deviceKey.alg, publicKey: content.deviceKey.publicKey })]])],
  ]);
  const limits = limitsValue(content.limits);
  if (limits) claims.set(limitsClaim, limits);
  return createSign1({
    protectedHeader: new Map<number, CborValue>([[HeaderLabel.alg, CoseAlg[content.issuerAlg]], [HeaderLabel.kid, content.issuerKid]]),
    payload: encode(claims),
    sign,
  });
}

export interface CodeContent {
  /** The credential as `encodeCredential` returned it. */
  credential: CborValue[];
  /** The device key's algorithm. */
  alg: CoseAlgName;
  /** A fresh random code id (CWT `cti`). */
  codeId: Uint8Array;
  issuedAt: number;
  expiresAt: number;
  /** Optional cap on the amount this one code may pay, minor units. */
  amountCap?: number;
}

/**
 * The payment code bytes: an untagged COSE_Sign1 (the QR prefix says what it
 * is; the tag would cost 1.5 characters), credential in the protected `kcwt` header.
 */
export function encodePaymentCode(content: CodeContent, sign: Signer): Uint8Array {
  const claims: CborMap = new Map<number, CborValue>([
    [Claim.exp, content.expiresAt],
    [Claim.iat, content.issuedAt],
    [Claim.cti, content.codeId],
  ]);
  if (content.amountCap !== undefined) claims.set(limitsClaim, [content.amountCap, false]);
  const message = createSign1({
    protectedHeader: new Map<number, CborValue>([[HeaderLabel.alg, CoseAlg[content.alg]], [HeaderLabel.kcwt, content.credential]]),
    payload: encode(claims),
    sign,
  });
  return encode(message);
}

/** The text a QR code carries: prefix and base45, all in QR alphanumeric mode. */
export function paymentCodeText(bytes: Uint8Array): string {
  return codePrefix + encodeBase45(bytes);
}
