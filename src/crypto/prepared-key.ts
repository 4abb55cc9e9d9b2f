/**
 * Verification with a precomputed public key, for the few keys a terminal
 * checks over and over (the wallet issuers' keys from the trust list). noble
 * verifies u1·G + u2·Q with a joint double-and-add because it cannot know Q
 * will come back; for a known Q we keep a width-4 wNAF table of Q (as noble
 * keeps one of G) and the verification needs no doublings: measured on XS,
 * an ES256 verification drops from ~108 M to ~41 M instructions and an
 * Ed25519 one from ~79 M to ~47 M. The table costs one-off work (~270 M
 * instructions for P-256) and memory (8 x 65 points), so only keys that are
 * worth it are prepared, explicitly (`PreparedKeys` in prepared-keys.ts).
 *
 * The equations are noble's own (weierstrass.ts `verify`, edwards.ts `verify`
 * with zip215 false), computed with noble's point arithmetic; a differential
 * property test (test/node/prepared-key.test.ts) checks they agree.
 */
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { sha256 } from './sha256';

export interface PreparedKey {
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

const windowBits = 4;

function bigEndian(bytes: Uint8Array, start: number, end: number): bigint {
  let n = 0n;
  for (let i = start; i < end; i++) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

function littleEndian(bytes: Uint8Array, start: number, end: number): bigint {
  let n = 0n;
  for (let i = end - 1; i >= start; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/** ECDSA P-256 / SHA-256 (FIPS 186-5 6.4.2); low-S only, as in verify(). Undefined for an invalid key. */
export function prepareEs256(publicKey: Uint8Array): PreparedKey | undefined {
  const Point = p256.Point;
  const Fn = Point.Fn;
  const halfOrder = Fn.ORDER >> 1n;
  let Q: InstanceType<typeof Point>;
  try {
    Q = Point.fromBytes(publicKey);
    if (Q.is0()) return undefined;
    Q.precompute(windowBits, false);
  } catch {
    return undefined;
  }
  return {
    verify(message, signature) {
      if (signature.length !== 64) return false;
      const r = bigEndian(signature, 0, 32);
      const s = bigEndian(signature, 32, 64);
      if (!Fn.isValidNot0(r) || !Fn.isValidNot0(s)) return false;
      if (s > halfOrder) return false; // the canonical form only (verify.ts)
      const h = Fn.create(bigEndian(sha256(message), 0, 32)); // P-256: the hash is exactly as wide as n
      const w = Fn.inv(s);
      const R = Point.BASE.multiplyUnsafe(Fn.create(h * w)).add(Q.multiplyUnsafe(Fn.create(r * w)));
      if (R.is0()) return false;
      return Fn.create(R.toAffine().x) === r;
    },
  };
}

/** Ed25519 (RFC 8032 5.1.7, strict encodings, small-order keys refused, as noble with zip215 false). */
export function prepareEd25519(publicKey: Uint8Array): PreparedKey | undefined {
  const Point = ed25519.Point;
  const Fn = Point.Fn;
  if (publicKey.length !== 32) return undefined;
  const key = publicKey.slice();
  let A: InstanceType<typeof Point>;
  try {
    A = Point.fromBytes(key, false);
    if (A.isSmallOrder()) return undefined;
    A.precompute(windowBits, false);
  } catch {
    return undefined;
  }
  return {
    verify(message, signature) {
      if (signature.length !== 64) return false;
      const s = littleEndian(signature, 32, 64);
      if (!Fn.isValid(s)) return false;
      let R: InstanceType<typeof Point>;
      try {
        R = Point.fromBytes(signature.subarray(0, 32), false);
      } catch {
        return false;
      }
      const input = new Uint8Array(64 + message.length);
      input.set(signature.subarray(0, 32), 0);
      input.set(key, 32);
      input.set(message, 64);
      const k = Fn.create(littleEndian(sha512(input), 0, 64));
      const RkA = R.add(A.multiplyUnsafe(k));
      return RkA.subtract(Point.BASE.multiplyUnsafe(s)).clearCofactor().is0();
    },
  };
}
