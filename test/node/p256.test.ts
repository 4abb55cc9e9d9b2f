/**
 * Differential test of src/crypto/p256.ts, the terminal's ES256 arithmetic, against noble's p256.verify (the
 * oracle it replaced): the same verdict for valid, high-S, mutated and random signatures, mutated keys and
 * messages, plain and prepared, compressed and uncompressed keys; and crafted signatures that steer the sum into
 * the addition's exceptional cases (adding a point to itself), which a formula that assumed them away would get
 * wrong. Wycheproof's vectors run through the same code on Node, XS and Moddable (test/core/crypto/wycheproof.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { readFileSync } from 'node:fs';
import { decodePoint, prepareP256, prepareP256Windows, verifyP256 } from '../../src/crypto/p256';
import { baseWindowsFile, baseWindowsSource } from '../../tools/crypto/p256-base-windows';
import p256File from '../fixtures/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json';
import { sha256 } from '../../src/crypto/sha256';

const n = p256.Point.Fn.ORDER;
const be32 = (x: bigint) => Uint8Array.from((x.toString(16).padStart(64, '0').match(/../g) ?? []).map((h) => parseInt(h, 16)));
const int = (bytes: Uint8Array) => BigInt('0x' + Buffer.from(bytes).toString('hex'));

const noble = (key: Uint8Array, hash: Uint8Array, signature: Uint8Array): boolean => {
  try {
    return p256.verify(signature, hash, key, { lowS: true, prehash: false, format: 'compact' }) === true;
  } catch {
    return false;
  }
};

/** Our verdict, plain and with the key prepared both ways (all three must agree, and with noble). */
function ours(key: Uint8Array, hash: Uint8Array, signature: Uint8Array): boolean {
  const plain = verifyP256(key, hash, signature);
  for (const prepared of [prepareP256(key), prepareP256Windows(key)]) {
    expect(prepared === undefined ? false : prepared.verify(hash, signature)).toBe(plain);
  }
  return plain;
}

describe("p256.ts agrees with noble's p256.verify", () => {
  it('valid, high-S, mutated and random signatures; mutated keys and hashes; both key encodings', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 48, maxLength: 48 }), fc.uint8Array({ maxLength: 80 }), fc.boolean(), fc.nat(63), fc.nat(64), fc.uint8Array({ minLength: 64, maxLength: 64 }),
        (seed, message, compressed, index, keyIndex, random) => {
          const secret = p256.utils.randomSecretKey(seed);
          const key = p256.getPublicKey(secret, compressed);
          const hash = sha256(message);
          const signature = p256.sign(hash, secret, { prehash: false, lowS: true, format: 'compact' });
          expect(ours(key, hash, signature)).toBe(true);
          valid++;
          const high = new Uint8Array([...signature.subarray(0, 32), ...be32(n - int(signature.subarray(32)))]);
          expect(ours(key, hash, high)).toBe(false); // canonical form only (verify.ts); noble with lowS says the same
          expect(noble(key, hash, high)).toBe(false);
          const mutated = signature.slice();
          mutated[index] ^= 1 << (index % 8);
          expect(ours(key, hash, mutated)).toBe(noble(key, hash, mutated));
          const otherKey = key.slice();
          otherKey[keyIndex % key.length] ^= 1 << (keyIndex % 8);
          expect(ours(otherKey, hash, signature)).toBe(noble(otherKey, hash, signature));
          const otherHash = hash.slice();
          otherHash[index % 32] ^= 0x80;
          expect(ours(key, otherHash, signature)).toBe(false);
          expect(ours(key, hash, random)).toBe(noble(key, hash, random));
        }),
      { numRuns: 200 },
    );
    expect(valid).toBe(200);
  });

  it('edge values of r, s and the hash (zero, n, n - 1, all ones, a hash that is 0 mod n)', () => {
    const secret = p256.utils.randomSecretKey(new Uint8Array(48).fill(7));
    const key = p256.getPublicKey(secret, true);
    const hash = sha256(new Uint8Array([1, 2, 3]));
    const good = p256.sign(hash, secret, { prehash: false, lowS: true, format: 'compact' });
    const r = good.subarray(0, 32);
    const s = good.subarray(32);
    for (const signature of [
      new Uint8Array([...be32(0n), ...s]), new Uint8Array([...r, ...be32(0n)]), new Uint8Array([...be32(n), ...s]),
      new Uint8Array([...r, ...be32(n)]), new Uint8Array([...be32(n + 1n), ...s]), new Uint8Array(64).fill(0xff),
      new Uint8Array([...be32(1n), ...be32(1n)]), new Uint8Array([...be32(n - 1n), ...be32(n - 1n)]), new Uint8Array(63),
    ]) {
      expect(ours(key, hash, signature)).toBe(false);
      expect(noble(key, hash, signature)).toBe(false);
    }
    // e = n: u1 = 0, the sum is u2·Q alone.
    const zeroHash = be32(n);
    const signed = p256.sign(zeroHash, secret, { prehash: false, lowS: true, format: 'compact' });
    expect([ours(key, zeroHash, signed), noble(key, zeroHash, signed)]).toEqual([true, true]);
  });

  it('a sum steered into adding a point to itself (Q = G, e = r: both scalars equal) still verifies', () => {
    // Secret 1: Q = G. With e = r, u1 = u2, so (prepared, same NAF width as G) every addition of Q's digit meets the
    // same multiple of G just added: the doubling case of the addition formula.
    const key = p256.getPublicKey(be32(1n), false);
    for (let k = 2n; k < 12n; k++) {
      const R = p256.Point.BASE.multiply(k).toAffine();
      const r = R.x % n;
      let s = (p256.Point.Fn.inv(k) * ((r + r) % n)) % n; // s = k⁻¹(e + r·d), e = r, d = 1
      if (s > n >> 1n) s = n - s;
      const signature = new Uint8Array([...be32(r), ...be32(s)]);
      const hash = be32(r);
      expect([ours(key, hash, signature), noble(key, hash, signature)]).toEqual([true, true]);
      const wrong = new Uint8Array([...be32(r), ...be32(s === 1n ? 2n : s - 1n)]);
      expect(ours(key, hash, wrong)).toBe(noble(key, hash, wrong));
    }
  });

  it('every Wycheproof vector with the key in fixed windows (the XS lane runs a tenth of them)', () => {
    const unhex = (hex: string) => Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
    const groups = (p256File as { testGroups: { publicKey: { uncompressed: string }; tests: { tcId: number; msg: string; sig: string; result: string }[] }[] }).testGroups;
    const wrong: number[] = [];
    for (const group of groups) {
      const key = prepareP256Windows(unhex(group.publicKey.uncompressed))!;
      for (const t of group.tests) {
        const signature = unhex(t.sig);
        const hash = sha256(unhex(t.msg));
        if (key.verify(hash, signature) !== noble(unhex(group.publicKey.uncompressed), hash, signature)) wrong.push(t.tcId);
      }
    }
    expect(wrong).toEqual([]);
  });

  it("G's fixed windows in src/crypto/p256-base-windows.ts are what tools/crypto/p256-base-windows.ts computes", () => {
    expect(readFileSync(baseWindowsFile, 'utf8')).toBe(baseWindowsSource());
  });

  it('decodes exactly the points noble does: off-curve, x >= p, no square root, bad prefixes', () => {
    const key = p256.getPublicKey(p256.utils.randomSecretKey(new Uint8Array(48).fill(3)), false);
    const cases = [
      key, p256.Point.fromBytes(key).toBytes(true), key.subarray(0, 64), new Uint8Array(65), new Uint8Array([4, ...new Uint8Array(64).fill(0xff)]),
      new Uint8Array([2, ...new Uint8Array(32).fill(0xff)]), new Uint8Array([3, ...new Uint8Array(32)]), new Uint8Array([6, ...key.subarray(1)]),
      new Uint8Array([4, ...key.subarray(1, 64), key[64] ^ 1]),
    ];
    for (let x = 0; x < 12; x++) cases.push(new Uint8Array([2 + (x & 1), ...be32(BigInt(x))])); // some x have no point
    for (const bytes of cases) {
      let expected: { x: bigint; y: bigint } | undefined;
      try {
        const point = p256.Point.fromBytes(bytes);
        expected = point.is0() ? undefined : point.toAffine();
      } catch {
        expected = undefined;
      }
      expect(decodePoint(bytes)).toEqual(expected);
    }
  });
});
