/**
 * Signature verification for the whole project: every signature the terminal
 * checks goes through `verify`, so the accepted encodings are decided here once.
 *
 * - 'ES256': ECDSA P-256 with SHA-256 over `message`. The public key is a SEC1
 *   point, compressed (33 bytes) or uncompressed (65 bytes); the signature is
 *   raw r||s (64 bytes), never DER. High-S signatures are accepted: phone secure
 *   enclaves and StrongBox do not normalise s, and malleability does not matter
 *   here because nothing is keyed on signature bytes.
 * - 'EdDSA': Ed25519 (RFC 8032) with a 32-byte key and 64-byte signature,
 *   verified with the strict RFC 8032 rules (non-canonical encodings rejected,
 *   not the permissive ZIP-215 ones), so every verifier agrees on every input.
 *
 * Anything else (another algorithm, a key or signature of the wrong size or
 * not on the curve, a non-Uint8Array) returns false; `verify` never throws.
 */
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { prepareEd25519, prepareEs256, type PreparedKey } from './prepared-key';

export type VerifyAlgorithm = 'ES256' | 'EdDSA';

function isSec1(publicKey: Uint8Array): boolean {
  return (publicKey.length === 33 && (publicKey[0] === 2 || publicKey[0] === 3)) || (publicKey.length === 65 && publicKey[0] === 4);
}

export function verify(alg: VerifyAlgorithm | string, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
    if (signature.length !== 64) return false;
    if (prepared.size > 0) {
      const key = prepared.get(preparedName(alg, publicKey));
      if (key) return key.verify(message, signature);
    }
    if (alg === 'ES256') {
      if (!isSec1(publicKey)) return false;
      return p256.verify(signature, message, publicKey, { lowS: false, prehash: true, format: 'compact' }) === true;
    }
    if (alg === 'EdDSA') {
      if (publicKey.length !== 32) return false;
      return ed25519.verify(signature, message, publicKey, { zip215: false }) === true;
    }
    return false;
  } catch {
    // noble throws for points off the curve and out-of-range scalars: a malformed key or signature.
    return false;
  }
}

/** Most keys kept prepared; the oldest is dropped beyond it (each holds a table of 520 points). */
export const maxPreparedKeys = 8;
const prepared = new Map<string, PreparedKey>();

function preparedName(alg: string, publicKey: Uint8Array): string {
  let name = alg + ':';
  for (let i = 0; i < publicKey.length; i++) name += String.fromCharCode(publicKey[i]);
  return name;
}

/**
 * Makes later `verify` calls with this key ~40-60% cheaper (prepared-key.ts),
 * at a one-off cost of a few verifications. For keys checked often, such as
 * trusted issuers' keys. Returns false (and prepares nothing) for an invalid key.
 */
export function prepareKey(alg: VerifyAlgorithm, publicKey: Uint8Array): boolean {
  if (!(publicKey instanceof Uint8Array)) return false;
  if (alg === 'ES256' && !isSec1(publicKey)) return false;
  const name = preparedName(alg, publicKey);
  if (prepared.has(name)) return true;
  const key = alg === 'ES256' ? prepareEs256(publicKey) : alg === 'EdDSA' ? prepareEd25519(publicKey) : undefined;
  if (!key) return false;
  prepared.set(name, key);
  while (prepared.size > maxPreparedKeys) prepared.delete(prepared.keys().next().value as string);
  return true;
}

/** Drops every prepared key (their tables become garbage). */
export function forgetPreparedKeys(): void {
  prepared.clear();
}

export function isPrepared(alg: VerifyAlgorithm, publicKey: Uint8Array): boolean {
  return publicKey instanceof Uint8Array && prepared.has(preparedName(alg, publicKey));
}

export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}
