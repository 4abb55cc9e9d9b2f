/**
 * Differential test of src/crypto/ed25519.ts, the terminal's Ed25519 arithmetic, against noble's ed25519.verify with
 * zip215 false (the oracle it replaced): the same verdict, plain and prepared, for valid, mutated and random
 * signatures, keys and messages; S at and above L; non-canonical encodings (y >= p, x = 0 with the sign bit) of A and
 * R; every small-order point as A and as R; and signatures whose R carries a small-order component, which only the
 * cofactored equation accepts. Wycheproof's vectors run through the same code on Node, XS and Moddable
 * (test/core/crypto/wycheproof.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ED25519_TORSION_SUBGROUP, ed25519 } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { decodeKey, prepareEd25519, verifyEd25519 } from '../../src/crypto/ed25519';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;
const P = Point.Fp.ORDER;
const le32 = (x: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((x >> BigInt(8 * i)) & 0xffn));
const leInt = (bytes: Uint8Array) => bytes.reduceRight((n, b) => (n << 8n) | BigInt(b), 0n);

const noble = (key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean => {
  try {
    return ed25519.verify(signature, message, key, { zip215: false }) === true;
  } catch {
    return false;
  }
};

/** Our verdict, plain and with the key prepared (both must agree, and with noble). */
function ours(key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const plain = verifyEd25519(key, message, signature);
  const prepared = prepareEd25519(key);
  expect(prepared === undefined ? false : prepared.verify(message, signature)).toBe(plain);
  return plain;
}

/** The eight points of small order (the torsion subgroup), as points. */
const torsion = ED25519_TORSION_SUBGROUP.map((hex) => Point.fromHex(hex));

/** Whether noble takes `bytes` as a key: a strict encoding of a point not of small order. */
function nobleKey(bytes: Uint8Array): boolean {
  try {
    return !Point.fromBytes(bytes, false).isSmallOrder();
  } catch {
    return false;
  }
}

describe("ed25519.ts agrees with noble's ed25519.verify (zip215 false)", () => {
  it('valid, mutated and random signatures; mutated keys and messages; plain and prepared', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 200 }), fc.nat(63), fc.nat(31), fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (secret, message, index, keyIndex, random) => {
          const key = ed25519.getPublicKey(secret);
          const signature = ed25519.sign(message, secret);
          expect(ours(key, message, signature)).toBe(true);
          valid++;
          const mutated = signature.slice();
          mutated[index] ^= 1 << (index % 8);
          expect(ours(key, message, mutated)).toBe(noble(key, message, mutated));
          const otherKey = key.slice();
          otherKey[keyIndex] ^= 1 << (keyIndex % 8);
          expect(ours(otherKey, message, signature)).toBe(noble(otherKey, message, signature));
          const otherMessage = new Uint8Array([...message, index]);
          expect(ours(key, otherMessage, signature)).toBe(false);
          expect(ours(key, message, random)).toBe(noble(key, message, random));
        }),
      { numRuns: 200 },
    );
    expect(valid).toBe(200);
  });

  it('S at and above L, S = 0, the S + L malleation', () => {
    const secret = new Uint8Array(32).fill(9);
    const key = ed25519.getPublicKey(secret);
    const message = Uint8Array.of(1, 2, 3);
    const signature = ed25519.sign(message, secret);
    const R = signature.subarray(0, 32);
    const S = leInt(signature.subarray(32));
    for (const s of [S + L, L, L + 1n, 0n, (1n << 256n) - 1n, L - 1n]) {
      const edge = new Uint8Array([...R, ...le32(s)]);
      expect(ours(key, message, edge)).toBe(noble(key, message, edge));
    }
    expect(noble(key, message, new Uint8Array([...R, ...le32(S + L)]))).toBe(false);
  });

  it('non-canonical encodings of A and R (y >= p, x = 0 with the sign bit) are refused, as noble refuses them', () => {
    const secret = new Uint8Array(32).fill(5);
    const key = ed25519.getPublicKey(secret);
    const message = Uint8Array.of(7);
    const signature = ed25519.sign(message, secret);
    const encodings: Uint8Array[] = [];
    for (let e = 0n; e < 19n; e++) {
      for (const sign of [0, 1]) {
        const bytes = le32(P + e);
        bytes[31] |= sign << 7;
        encodings.push(bytes);
      }
    }
    const yOne = le32(1n); // x = 0: the identity; with the sign bit, non-canonical
    yOne[31] |= 0x80;
    encodings.push(yOne, le32(1n), le32(P - 1n), new Uint8Array(32).fill(0xff));
    for (const bytes of encodings) {
      expect(decodeKey(bytes) !== undefined).toBe(nobleKey(bytes));
      expect(ours(bytes, message, signature)).toBe(noble(bytes, message, signature));
      const withR = new Uint8Array([...bytes, ...signature.subarray(32)]);
      expect(ours(key, message, withR)).toBe(noble(key, message, withR));
    }
  });

  it('every small-order point is refused as a key and judged as noble judges it as R', () => {
    expect(torsion.length).toBe(8);
    const secret = new Uint8Array(32).fill(3);
    const key = ed25519.getPublicKey(secret);
    const message = Uint8Array.of(4, 2);
    const signature = ed25519.sign(message, secret);
    for (const t of torsion) {
      const bytes = t.toBytes();
      expect(decodeKey(bytes)).toBeUndefined();
      expect(ours(bytes, message, signature)).toBe(false);
      expect(noble(bytes, message, signature)).toBe(false);
      const withR = new Uint8Array([...bytes, ...signature.subarray(32)]);
      expect(ours(key, message, withR)).toBe(noble(key, message, withR));
    }
  });

  it('an R with a small-order component: accepted by the cofactored equation, as noble accepts it', () => {
    const { scalar, pointBytes } = ed25519.utils.getExtendedPublicKey(new Uint8Array(32).fill(11));
    let accepted = 0;
    for (let i = 1; i < 8; i++) {
      const message = Uint8Array.of(i);
      const r = 1000n + BigInt(i);
      const R = Point.BASE.multiply(r).add(torsion[i]);
      const rBytes = R.toBytes();
      const k = leInt(sha512(new Uint8Array([...rBytes, ...pointBytes, ...message]))) % L;
      const S = (r + k * scalar) % L;
      const signature = new Uint8Array([...rBytes, ...le32(S)]);
      const verdict = noble(pointBytes, message, signature);
      expect(ours(pointBytes, message, signature)).toBe(verdict);
      if (verdict) accepted++;
    }
    expect(accepted).toBe(7);
  });
});
