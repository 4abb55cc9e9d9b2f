/**
 * Parsing a payment code: QR text to a structured, not yet verified code.
 * Every size limit is checked before the work it bounds; every failure is a
 * `PaycodeError` with reason 'malformed' or 'unsupported-algorithm'.
 * No signature is checked here (see verifier.ts).
 */
import { decodeBase45 } from '../codec/base45';
import { decode, encode, type CborMap, type CborValue } from '../codec/cbor';
import { algName, HeaderLabel, sign1FromValue, type CoseAlgName, type Sign1 } from '../cose/sign1';
import { fromCoseKey, type PublicKey } from '../cose/key';
import { Claim, CnfKey, onlyClaims, readBase64urlText, readBytes, readMap, readNumericDate } from '../cwt/claims';
import {
  accountLength, codeIdLength, codePrefix, credentialIdLength, issuerKidLength, limitsClaim, maxCodeBytes, maxCodeTextLength,
} from './format';
import { PaycodeError } from './reasons';

export interface CredentialLimits {
  /** Largest amount of one payment, minor units; undefined when the credential sets none. */
  perPaymentCap?: number;
  offlineAllowed: boolean;
}

export interface ParsedCredential {
  /** The issuer's signature algorithm. */
  alg: CoseAlgName;
  issuerKid: Uint8Array;
  account: Uint8Array;
  credentialId: Uint8Array;
  notBefore: number;
  expiresAt: number;
  /** The device key (cnf), whose algorithm is the only one its codes may use. */
  deviceKey: PublicKey;
  limits: CredentialLimits;
  sign1: Sign1;
  /** The credential's exact encoding: the key of the verified-credential cache. */
  encoded: Uint8Array;
}

export interface ParsedCode {
  alg: CoseAlgName;
  codeId: Uint8Array;
  issuedAt: number;
  expiresAt: number;
  amountCap?: number;
  credential: ParsedCredential;
  sign1: Sign1;
}

const malformed = (detail: string): PaycodeError => new PaycodeError('malformed', detail);

/** Runs `f`, turning any error from the codec layers into 'malformed' with the layer's message. */
function structural<T>(what: string, f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (error instanceof PaycodeError) throw error;
    throw malformed(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function onlyLabels(header: CborMap, allowed: number[], what: string): void {
  header.forEach((_v, label) => {
    if (typeof label !== 'number' || allowed.indexOf(label) < 0) throw malformed(`${what} has unexpected label ${String(label)}`);
  });
}

function readAlg(sign1: Sign1, what: string): CoseAlgName {
  const alg = algName(sign1.alg);
  if (!alg) throw new PaycodeError('unsupported-algorithm', `${what} algorithm ${String(sign1.alg)} is not ES256 or EdDSA`);
  return alg;
}

function readLimits(claims: CborMap): { cap?: number; offline: boolean } | undefined {
  const value = claims.get(limitsClaim);
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length !== 2) throw malformed('limits claim is not a two-element array');
  const [cap, offline] = value;
  if (cap !== null && (typeof cap !== 'number' || cap < 0)) throw malformed('limits cap is neither null nor an amount');
  if (typeof offline !== 'boolean') throw malformed('limits offline flag is not a boolean');
  return cap === null ? { offline } : { cap: cap as number, offline };
}

function decodeClaims(payload: Uint8Array, what: string): CborMap {
  const claims = structural(`${what} claims`, () => decode(payload, { maxBytes: payload.length, maxDepth: 4 }));
  if (!(claims instanceof Map)) throw malformed(`${what} payload is not a claims map`);
  return claims;
}

export function parseCredential(value: CborValue): ParsedCredential {
  const sign1 = structural('credential', () => sign1FromValue(value, 'forbidden', { maxDepth: 4 }));
  onlyLabels(sign1.protectedHeader, [HeaderLabel.alg, HeaderLabel.kid], 'credential protected header');
  if (sign1.unprotectedHeader.size !== 0) throw malformed('credential unprotected header is not empty');
  const alg = readAlg(sign1, 'credential');
  const kid = sign1.protectedHeader.get(HeaderLabel.kid);
  if (!(kid instanceof Uint8Array) || kid.length < issuerKidLength.min || kid.length > issuerKidLength.max) {
    throw malformed('credential kid is missing or not 1 to 8 bytes');
  }
  const claims = decodeClaims(sign1.payload, 'credential');
  return structural('credential claims', () => {
    onlyClaims(claims, [Claim.sub, Claim.exp, Claim.nbf, Claim.cti, Claim.cnf, limitsClaim]);
    const cnf = readMap(claims, Claim.cnf, true);
    onlyClaims(cnf, [CnfKey.coseKey]);
    const deviceKey = fromCoseKey(cnf.get(CnfKey.coseKey));
    const limits = readLimits(claims);
    const notBefore = readNumericDate(claims, Claim.nbf, true);
    const expiresAt = readNumericDate(claims, Claim.exp, true);
    if (expiresAt <= notBefore) throw malformed('credential exp is not after nbf');
    const parsed: ParsedCredential = {
      alg,
      issuerKid: kid,
      account: readBase64urlText(claims, Claim.sub, accountLength),
      credentialId: readBytes(claims, Claim.cti, true, credentialIdLength),
      notBefore,
      expiresAt,
      deviceKey,
      limits: limits?.cap !== undefined ? { perPaymentCap: limits.cap, offlineAllowed: limits.offline } : { offlineAllowed: limits?.offline ?? false },
      sign1,
      encoded: encode(value),
    };
    return parsed;
  });
}

/** Parses QR text into a payment code. Throws `PaycodeError` ('malformed' or 'unsupported-algorithm'). */
export function parsePaymentCode(text: string): ParsedCode {
  if (typeof text !== 'string') throw malformed('input is not text');
  if (text.length > maxCodeTextLength) throw malformed(`text of ${text.length} characters exceeds ${maxCodeTextLength}`);
  if (text.slice(0, codePrefix.length) !== codePrefix) throw malformed(`text does not start with ${codePrefix}`);
  const bytes = structural('base45', () => decodeBase45(text.slice(codePrefix.length)));
  if (bytes.length > maxCodeBytes) throw malformed(`code of ${bytes.length} bytes exceeds ${maxCodeBytes}`);
  // Nesting never exceeds 4 in a valid code: the code array holds byte strings and an empty map; the
  // protected header is map > kcwt array; claims are map > cnf map > COSE_Key map.
  const sign1 = structural('code', () =>
    sign1FromValue(decode(bytes, { maxBytes: maxCodeBytes, maxDepth: 4 }), 'forbidden', { maxDepth: 4 }));
  onlyLabels(sign1.protectedHeader, [HeaderLabel.alg, HeaderLabel.kcwt], 'code protected header');
  if (sign1.unprotectedHeader.size !== 0) throw malformed('code unprotected header is not empty');
  const alg = readAlg(sign1, 'code');
  const credentialValue = sign1.protectedHeader.get(HeaderLabel.kcwt);
  if (credentialValue === undefined) throw malformed('code has no kcwt credential');
  const credential = parseCredential(credentialValue);
  const claims = decodeClaims(sign1.payload, 'code');
  return structural('code claims', () => {
    onlyClaims(claims, [Claim.exp, Claim.iat, Claim.cti, limitsClaim]);
    const limits = readLimits(claims);
    if (limits && limits.offline) throw malformed('a code cannot grant offline acceptance');
    const issuedAt = readNumericDate(claims, Claim.iat, true);
    const expiresAt = readNumericDate(claims, Claim.exp, true);
    if (expiresAt <= issuedAt) throw malformed('code exp is not after iat');
    const parsed: ParsedCode = {
      alg,
      codeId: readBytes(claims, Claim.cti, true, codeIdLength),
      issuedAt,
      expiresAt,
      credential,
      sign1,
    };
    if (limits?.cap !== undefined) parsed.amountCap = limits.cap;
    return parsed;
  });
}
