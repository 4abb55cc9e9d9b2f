/**
 * Signature verification for the whole project: every signature the terminal
 * checks goes through `verify`, so the accepted encodings are decided here once.
 *
 * - 'ES256': ECDSA P-256 with SHA-256 over `message`. The public key is a SEC1
 *   point, compressed (33 bytes) or uncompressed (65 bytes); the signature is
 *   raw r||s (64 bytes), never DER, and in its canonical low-S form (s <= n/2),
 *   as Bitcoin (BIP 146) and Ethereum (EIP-2) require. ECDSA is malleable:
 *   (r, n - s) verifies whenever (r, s) does, so anyone who sees one signed
 *   message could make a second, different byte string that verifies. Accepting
 *   one of the two only makes every signed message have exactly one encoding.
 *   Every signer we ship signs low-S (noble's default, spelled out where we
 *   call it); a signer that cannot choose (a phone's secure enclave) replaces s
 *   by n - s before sending (`toLowS`), which keeps the signature valid.
 *   docs/security.md has the rule and why payment codes follow it too.
 * - 'EdDSA': Ed25519 (RFC 8032) with a 32-byte key and 64-byte signature,
 *   verified with the strict RFC 8032 rules (non-canonical encodings rejected,
 *   not the permissive ZIP-215 ones), so every verifier agrees on every input.
 *
 * A key checked often (a trusted issuer's) can be prepared: `PreparedKeys`
 * (prepared-keys.ts) verifies through this with a precomputed table.
 *
 * A board may do the arithmetic natively or in hardware (hal/crypto.ts):
 * `verifyWith(hal.crypto)` is `verify` with the board's SHA-256 and ES256
 * equation, every check above still made here first.
 *
 * Anything else (another algorithm, a key or signature of the wrong size or
 * not on the curve, a non-Uint8Array) returns false; `verify` never throws.
 */
import { p256 } from '@noble/curves/nist.js';
import type { CryptoAccelerator } from '../../hal/crypto';
import { sha256 as xsSha256 } from './sha256';
import { decodePoint, verifyP256 } from './p256';
import { decodeKey, verifyEd25519 } from './ed25519';

export type VerifyAlgorithm = 'ES256' | 'EdDSA';

/**
 * The contract of `verify`, for code that takes another implementation of it
 * (the authorizer's node:crypto one, tools/authorizer/crypto.ts): the same
 * answer for every input, never a throw.
 */
export type SignatureCheck = (alg: VerifyAlgorithm | string, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean;

function isSec1(publicKey: Uint8Array): boolean {
  return (publicKey.length === 33 && (publicKey[0] === 2 || publicKey[0] === 3)) || (publicKey.length === 65 && publicKey[0] === 4);
}

export function verify(alg: VerifyAlgorithm | string, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
    if (signature.length !== 64) return false;
    if (alg === 'ES256') {
      if (!isSec1(publicKey)) return false;
      // Our SHA-256 and P-256 cost a half and a third of noble's on XS (sha256.ts, p256.ts); the answers are noble's.
      return verifyP256(publicKey, xsSha256(message), signature);
    }
    if (alg === 'EdDSA') {
      // noble's strict rules (zip215 false) at less than half its cost on XS (ed25519.ts); the answers are noble's.
      return verifyEd25519(publicKey, message, signature);
    }
    return false;
  } catch {
    // Never a throw: anything unexpected is a refusal.
    return false;
  }
}

/** True when `publicKey` is a valid key for `alg`: a SEC1 point on P-256, or a strict Ed25519 encoding. */
export function isPublicKey(alg: VerifyAlgorithm | string, publicKey: Uint8Array): boolean {
  try {
    if (!(publicKey instanceof Uint8Array)) return false;
    if (alg === 'ES256') return isSec1(publicKey) && decodePoint(publicKey) !== undefined;
    if (alg === 'EdDSA') return decodeKey(publicKey) !== undefined;
    return false;
  } catch {
    return false;
  }
}

/** P-256's group order n, and n/2 rounded down: the largest canonical s. */
const p256Order = p256.Point.Fn.ORDER;
const p256HalfOrder = p256Order >> 1n;

function scalarOf(signature: Uint8Array, start: number): bigint {
  let n = 0n;
  for (let i = start; i < start + 32; i++) n = (n << 8n) | BigInt(signature[i]);
  return n;
}

/** True for a 64-byte ES256 r||s whose s is above n/2 (`verify` refuses it). */
export function isHighS(signature: Uint8Array): boolean {
  return signature instanceof Uint8Array && signature.length === 64 && scalarOf(signature, 32) > p256HalfOrder;
}

/**
 * The low-S form of a 64-byte ES256 r||s: s replaced by n - s when it is above
 * n/2, otherwise a copy. For signers that cannot choose (secure enclaves, HSMs):
 * the result verifies with the same key and message. Throws RangeError for
 * anything but 64 bytes with 0 < s < n.
 */
export function toLowS(signature: Uint8Array): Uint8Array {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) throw new RangeError('an ES256 signature is 64 bytes r||s');
  const s = scalarOf(signature, 32);
  if (s <= 0n || s >= p256Order) throw new RangeError('s is not in 1..n-1');
  const out = signature.slice();
  if (s <= p256HalfOrder) return out;
  let low = p256Order - s;
  for (let i = 63; i >= 32; i--) {
    out[i] = Number(low & 0xffn);
    low >>= 8n;
  }
  return out;
}

/**
 * `verify` with a board's accelerator (hal/crypto.ts): the same answer for
 * every input, faster. EdDSA stays in JS; for ES256 the accelerator gets only
 * what `verify` would have accepted up to the equation itself (signature
 * shape, 0 < r < n, 0 < s <= n/2, the key decoded, decompressed and on the
 * curve, by noble, here). Without an accelerator (or an empty one) this is
 * `verify` itself.
 */
export function verifyWith(accelerator: CryptoAccelerator | undefined): SignatureCheck {
  if (!accelerator || (!accelerator.es256 && !accelerator.sha256)) return verify;
  return (alg, publicKey, message, signature) =>
    alg === 'ES256' ? verifyEs256(accelerator, publicKey, message, signature) : verify(alg, publicKey, message, signature);
}

function verifyEs256(accelerator: CryptoAccelerator, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (!(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
    if (signature.length !== 64 || !isSec1(publicKey)) return false;
    const es256 = accelerator.es256;
    if (!es256) {
      const digest = hashWith(accelerator, message);
      return digest !== undefined && verifyP256(publicKey, digest, signature);
    }
    const r = scalarOf(signature, 0);
    const s = scalarOf(signature, 32);
    if (r <= 0n || r >= p256Order || s <= 0n || s > p256HalfOrder) return false;
    const Q = decodePoint(publicKey); // undefined for a point off the curve; decompresses a 33-byte key
    if (!Q) return false;
    const digest = hashWith(accelerator, message);
    return digest !== undefined && es256(digest, r, s, Q.x, Q.y) === true;
  } catch {
    // An accelerator's throw is a refusal too.
    return false;
  }
}

function hashWith(accelerator: CryptoAccelerator, message: Uint8Array): Uint8Array | undefined {
  const digest = accelerator.sha256 ? accelerator.sha256(message) : xsSha256(message);
  return digest instanceof Uint8Array && digest.length === 32 ? digest : undefined;
}

export function sha256(data: Uint8Array): Uint8Array {
  return xsSha256(data);
}
