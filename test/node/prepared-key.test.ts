/**
 * Differential test: verify() with a prepared (precomputed) key gives exactly
 * noble's answer, for valid signatures, high-S ones, mutated ones, random
 * ones and the edge values of r, s and R.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { PreparedKeys } from '../../src/crypto/prepared-keys';
import { verify } from '../../src/crypto/verify';

const n = p256.Point.Fn.ORDER;
const L = ed25519.Point.Fn.ORDER;
const be32 = (x: bigint) => Uint8Array.from((x.toString(16).padStart(64, '0').match(/../g) ?? []).map((h) => parseInt(h, 16)));
const le32 = (x: bigint) => be32(x).reverse();

function both(alg: 'ES256' | 'EdDSA', key: Uint8Array, message: Uint8Array, signature: Uint8Array): [boolean, boolean] {
  const plain = verify(alg, key, message, signature);
  const prepared = new PreparedKeys();
  expect(prepared.prepare(alg, key)).toBe(true);
  expect(prepared.has(alg, key)).toBe(true);
  const fast = prepared.verify(alg, key, message, signature);
  return [plain, fast];
}

describe('prepared keys agree with noble', () => {
  it('ES256: valid, high-S, mutated and random signatures, compressed and uncompressed keys', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 80 }), fc.boolean(), fc.nat(63), fc.boolean(),
        (seed, message, compressed, index, highS) => {
          const secret = p256.utils.randomSecretKey(new Uint8Array([...seed, ...seed.subarray(0, 16)]));
          const key = p256.getPublicKey(secret, compressed);
          let signature = p256.sign(message, secret, { prehash: true, format: 'compact' });
          if (highS) signature = new Uint8Array([...signature.subarray(0, 32), ...be32(n - BigInt('0x' + Buffer.from(signature.subarray(32)).toString('hex')))]);
          // One canonical form (verify.ts): the high-S twin of a valid signature is refused by both paths.
          expect(both('ES256', key, message, signature)).toEqual([!highS, !highS]);
          const mutated = signature.slice();
          mutated[index] ^= 1 << (index % 8);
          const [plain, fast] = both('ES256', key, message, mutated);
          expect(fast).toBe(plain);
          expect(both('ES256', key, new Uint8Array([...message, 1]), signature)).toEqual([false, false]);
        }),
      { numRuns: 60 },
    );
  });

  it('ES256: edge values of r and s', () => {
    const secret = p256.utils.randomSecretKey(new Uint8Array(48).fill(7));
    const key = p256.getPublicKey(secret, true);
    const message = new Uint8Array([1, 2, 3]);
    const good = p256.sign(message, secret, { prehash: true, format: 'compact' });
    const r = good.subarray(0, 32);
    const s = good.subarray(32);
    for (const signature of [
      new Uint8Array([...be32(0n), ...s]), new Uint8Array([...r, ...be32(0n)]), new Uint8Array([...be32(n), ...s]),
      new Uint8Array([...r, ...be32(n)]), new Uint8Array([...be32(n + 1n), ...s]), new Uint8Array(64).fill(0xff),
      new Uint8Array([...be32(1n), ...be32(1n)]), new Uint8Array([...be32(n - 1n), ...be32(n - 1n)]),
    ]) {
      const [plain, fast] = both('ES256', key, message, signature);
      expect(fast).toBe(plain);
      expect(fast).toBe(false);
    }
  });

  it('EdDSA: valid, mutated and random signatures', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.uint8Array({ maxLength: 80 }), fc.nat(63), fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (secret, message, index, random) => {
          const key = ed25519.getPublicKey(secret);
          const signature = ed25519.sign(message, secret);
          expect(both('EdDSA', key, message, signature)).toEqual([true, true]);
          const mutated = signature.slice();
          mutated[index] ^= 1 << (index % 8);
          const [plain, fast] = both('EdDSA', key, message, mutated);
          expect(fast).toBe(plain);
          const [plainRandom, fastRandom] = both('EdDSA', key, message, random);
          expect(fastRandom).toBe(plainRandom);
        }),
      { numRuns: 60 },
    );
  });

  it('EdDSA: s out of range, non-canonical and small-order R, and the s + L malleation', () => {
    const secret = new Uint8Array(32).fill(9);
    const key = ed25519.getPublicKey(secret);
    const message = new Uint8Array([4, 5]);
    const good = ed25519.sign(message, secret);
    const R = good.subarray(0, 32);
    const s = BigInt('0x' + Buffer.from(good.subarray(32)).reverse().toString('hex'));
    const nonCanonicalY = new Uint8Array(32).fill(0xff); nonCanonicalY[31] = 0x7f; // y = 2^255 - 1 >= p
    const identity = new Uint8Array(32); identity[0] = 1; // small order
    for (const signature of [
      new Uint8Array([...R, ...le32(s + L)]), new Uint8Array([...R, ...le32(L)]), new Uint8Array([...R, ...new Uint8Array(32).fill(0xff)]),
      new Uint8Array([...nonCanonicalY, ...le32(s)]), new Uint8Array([...identity, ...le32(s)]), new Uint8Array(64),
    ]) {
      const [plain, fast] = both('EdDSA', key, message, signature);
      expect(fast).toBe(plain);
      expect(fast).toBe(false);
    }
  });

  it('refuses to prepare invalid keys', () => {
    const prepared = new PreparedKeys();
    expect(prepared.prepare('ES256', new Uint8Array([2, ...new Uint8Array(32).fill(0xff)]))).toBe(false); // x >= p
    expect(prepared.prepare('ES256', new Uint8Array(64))).toBe(false);
    expect(prepared.prepare('EdDSA', new Uint8Array(32))).toBe(false); // y = 0: a point of order 4
    const identity = new Uint8Array(32); identity[0] = 1;
    expect(prepared.prepare('EdDSA', identity)).toBe(false); // small order
    expect(prepared.prepare('ES384' as 'ES256', new Uint8Array(65))).toBe(false);
    expect(prepared.size).toBe(0);
  });
});

describe('a set of prepared keys', () => {
  const keyOf = (seed: number) => p256.getPublicKey(p256.utils.randomSecretKey(new Uint8Array(48).fill(seed)), true);

  it('belongs to its owner: two sets share nothing', () => {
    const mine = new PreparedKeys();
    const theirs = new PreparedKeys();
    expect(mine.prepare('ES256', keyOf(1))).toBe(true);
    expect(mine.has('ES256', keyOf(1))).toBe(true);
    expect(theirs.has('ES256', keyOf(1))).toBe(false);
    theirs.clear();
    expect(mine.size).toBe(1);
  });

  it('keeps at most its capacity, dropping the oldest', () => {
    const prepared = new PreparedKeys(2);
    for (const seed of [1, 2, 3]) expect(prepared.prepare('ES256', keyOf(seed))).toBe(true);
    expect([1, 2, 3].map((seed) => prepared.has('ES256', keyOf(seed)))).toEqual([false, true, true]);
    expect(() => new PreparedKeys(0)).toThrow(RangeError);
  });
});
