/**
 * Verification with a precomputed public key, for the few keys a terminal
 * checks over and over (the wallet issuers' keys from the trust list, the
 * authorizer's decision key). A verifier that cannot know Q will come back
 * decodes it and makes a small table of it every time; for a known Q:
 *
 * - ES256: p256.ts's `prepareP256`, Q decoded once with a table of 16 odd
 *   multiples (~1 M XS instructions once, 16 points of memory): 36.6 M to
 *   30.5 M a verification; or `prepareP256Windows`, fixed 4-bit windows
 *   (~124 M once, 520 points): 13.7 M, no doubling;
 * - Ed25519: a width-4 wNAF table of A (as noble keeps one of the base point)
 *   and the verification needs no doublings: ~79 M to ~47 M XS instructions,
 *   for one-off work (~270 M) and memory (8 x 65 points).
 *
 * Only keys that are worth it are prepared, explicitly (`PreparedKeys` in
 * prepared-keys.ts). The Ed25519 equation is noble's own (edwards.ts `verify`
 * with zip215 false), computed with noble's point arithmetic; differential
 * property tests (test/node/prepared-key.test.ts, test/node/p256.test.ts)
 * check both agree with noble.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { sha256 } from './sha256';
import { prepareP256, prepareP256Windows } from './p256';

export interface PreparedKey {
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

const windowBits = 4;

function littleEndian(bytes: Uint8Array, start: number, end: number): bigint {
  let n = 0n;
  for (let i = end - 1; i >= start; i--) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

/**
 * ECDSA P-256 / SHA-256 (FIPS 186-5 6.4.2); low-S only, as in verify(). Undefined for an invalid key. `windows`:
 * the large table (p256.ts `prepareP256Windows`) for a key checked on every payment, else the small one.
 */
export function prepareEs256(publicKey: Uint8Array, windows = false): PreparedKey | undefined {
  const key = windows ? prepareP256Windows(publicKey) : prepareP256(publicKey);
  return key && { verify: (message, signature) => key.verify(sha256(message), signature) };
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
