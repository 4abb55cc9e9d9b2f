/**
 * CWT claims (RFC 8392 §3.1, RFC 8747 for `cnf`): the integer claim keys and
 * typed readers that report a wrongly typed claim instead of guessing.
 */
import { isBytes, isCborMap, type CborMap, type CborValue } from '../codec/cbor';
import { decodeBase64url } from '../codec/base64url';

export const Claim = { iss: 1, sub: 2, aud: 3, exp: 4, nbf: 5, iat: 6, cti: 7, cnf: 8 } as const;

/** `cnf` map member holding a COSE_Key (RFC 8747 §3.2). */
export const CnfKey = { coseKey: 1 } as const;

/** First key of the CWT private-use range (RFC 8392 §9.1: integers below -65536). */
export const privateClaimBase = -65537;

export class ClaimError extends Error {
  /** Not `this.name = ...`: Moddable freezes Error.prototype (docs/moddable.md). */
  override get name(): string {
    return 'ClaimError';
  }

  readonly claim: number | string;
  constructor(claim: number | string, message: string) {
    super(message);
    this.claim = claim;
  }
}

/** A NumericDate (whole seconds since the epoch); floats are outside our CBOR model. */
export function readNumericDate(claims: CborMap, key: number, required: true): number;
export function readNumericDate(claims: CborMap, key: number, required: false): number | undefined;
export function readNumericDate(claims: CborMap, key: number, required: boolean): number | undefined {
  const value = claims.get(key);
  if (value === undefined) {
    if (required) throw new ClaimError(key, `claim ${key} is missing`);
    return undefined;
  }
  if (typeof value !== 'number' || value < 0) throw new ClaimError(key, `claim ${key} is not a NumericDate`);
  return value;
}

export function readBytes(claims: CborMap, key: number, required: true, length?: { min: number; max: number }): Uint8Array;
export function readBytes(claims: CborMap, key: number, required: false, length?: { min: number; max: number }): Uint8Array | undefined;
export function readBytes(claims: CborMap, key: number, required: boolean, length?: { min: number; max: number }): Uint8Array | undefined {
  const value = claims.get(key);
  if (value === undefined) {
    if (required) throw new ClaimError(key, `claim ${key} is missing`);
    return undefined;
  }
  if (!isBytes(value)) throw new ClaimError(key, `claim ${key} is not a byte string`);
  if (length && (value.length < length.min || value.length > length.max)) {
    throw new ClaimError(key, `claim ${key} has ${value.length} bytes, expected ${length.min}..${length.max}`);
  }
  return value;
}

export function readText(claims: CborMap, key: number, required: true): string;
export function readText(claims: CborMap, key: number, required: false): string | undefined;
export function readText(claims: CborMap, key: number, required: boolean): string | undefined {
  const value = claims.get(key);
  if (value === undefined) {
    if (required) throw new ClaimError(key, `claim ${key} is missing`);
    return undefined;
  }
  if (typeof value !== 'string') throw new ClaimError(key, `claim ${key} is not text`);
  return value;
}

/**
 * Bytes carried as base64url text (no padding) in a text claim: how a binary
 * identifier fits `sub`, a StringOrURI (RFC 8392 §3.1.2). A byte string there,
 * or text that is not the one canonical base64url form, is refused.
 */
export function readBase64urlText(claims: CborMap, key: number, length: { min: number; max: number }): Uint8Array {
  const value = claims.get(key);
  if (value === undefined) throw new ClaimError(key, `claim ${key} is missing`);
  if (isBytes(value)) throw new ClaimError(key, `claim ${key} is a byte string; it must be text (base64url, RFC 8392 StringOrURI)`);
  if (typeof value !== 'string') throw new ClaimError(key, `claim ${key} is not text`);
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64url(value);
  } catch (error) {
    throw new ClaimError(key, `claim ${key} is not base64url text: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (bytes.length < length.min || bytes.length > length.max) {
    throw new ClaimError(key, `claim ${key} holds ${bytes.length} bytes, expected ${length.min}..${length.max}`);
  }
  return bytes;
}

export function readMap(claims: CborMap, key: number, required: true): CborMap;
export function readMap(claims: CborMap, key: number, required: false): CborMap | undefined;
export function readMap(claims: CborMap, key: number, required: boolean): CborMap | undefined {
  const value: CborValue | undefined = claims.get(key);
  if (value === undefined) {
    if (required) throw new ClaimError(key, `claim ${key} is missing`);
    return undefined;
  }
  if (!isCborMap(value)) throw new ClaimError(key, `claim ${key} is not a map`);
  return value;
}

/** Rejects any claim key not in `allowed`, so an unknown claim is never silently ignored. */
export function onlyClaims(claims: CborMap, allowed: readonly (number | string)[]): void {
  claims.forEach((_value, key) => {
    if (typeof key === 'bigint' || allowed.indexOf(key) < 0) throw new ClaimError(String(key), `unexpected claim ${String(key)}`);
  });
}
