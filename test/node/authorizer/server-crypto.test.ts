/**
 * The authorizer's node:crypto verifier (tools/authorizer/crypto.ts) and the
 * terminal's portable one (src/crypto/verify.ts) give the same answer on
 * every input: every Wycheproof vector (with the low-S rule: a valid high-S
 * ES256 vector is refused by both, its low-S form accepted by both), each
 * P-256 key also in its compressed form, crafted Ed25519 edge cases (small
 * order, non-canonical encodings), and random signatures with mutations of
 * every part (bit flips, s -> n - s, r or s out of range, wrong lengths,
 * other keys, key encodings). The decision signer on OpenSSL signs low-S only.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isHighS, toLowS, verify } from '../../../src/crypto/verify';
import { serverEs256Sign, serverVerify } from '../../../tools/authorizer/crypto';
import p256File from '../../fixtures/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json';
import ed25519File from '../../fixtures/wycheproof/ed25519_test.json';

const unhex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));

interface Vector { tcId: number; msg: string; sig: string; result: string }
interface Group { publicKey: { uncompressed?: string; pk?: string }; tests: Vector[] }

const n = p256.Point.Fn.ORDER;
const toBytes32 = (value: bigint) => unhex(value.toString(16).padStart(64, '0'));

/** Both verifiers on one input; the answer when they agree, a description when they do not. */
function both(alg: string, key: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const portable = verify(alg, key, message, signature);
  const server = serverVerify(alg, key, message, signature);
  if (portable !== server) {
    throw new Error(`disagree: portable ${portable}, server ${server} on ${alg} key ${Buffer.from(key).toString('hex')} sig ${Buffer.from(signature).toString('hex')}`);
  }
  return server;
}

describe('server crypto (node:crypto) agrees with src/crypto/verify.ts', () => {
  it('on every Wycheproof ECDSA P-256 vector, with uncompressed and compressed keys, low-S rule included', () => {
    let checked = 0;
    let highValid = 0;
    for (const group of (p256File as { testGroups: Group[] }).testGroups) {
      const uncompressed = unhex(group.publicKey.uncompressed!);
      const compressed = p256.Point.fromBytes(uncompressed).toBytes(true);
      for (const vector of group.tests) {
        const msg = unhex(vector.msg);
        const sig = unhex(vector.sig);
        const expected = vector.result === 'valid' && !isHighS(sig);
        for (const key of [uncompressed, compressed]) {
          expect(both('ES256', key, msg, sig), `tcId ${vector.tcId}`).toBe(expected);
          checked++;
          if (vector.result === 'valid' && isHighS(sig)) {
            highValid++;
            expect(both('ES256', key, msg, toLowS(sig)), `tcId ${vector.tcId} low-S`).toBe(true);
          }
        }
      }
    }
    expect(checked).toBe(2 * 262);
    expect(highValid).toBeGreaterThan(50);
  });

  it('on every Wycheproof Ed25519 vector', () => {
    let checked = 0;
    for (const group of (ed25519File as { testGroups: Group[] }).testGroups) {
      const key = unhex(group.publicKey.pk!);
      for (const vector of group.tests) {
        expect(both('EdDSA', key, unhex(vector.msg), unhex(vector.sig)), `tcId ${vector.tcId}`).toBe(vector.result === 'valid');
        checked++;
      }
    }
    expect(checked).toBe(151);
  });

  it('on crafted Ed25519 edge cases: small-order keys and R, non-canonical encodings, S at and above the order', () => {
    const identity = new Uint8Array(32);
    identity[0] = 1; // y = 1: the neutral point, of order 1
    const minusOne = unhex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'); // y = p - 1: order 2
    const nonCanonicalIdentity = unhex('eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'); // y = p + 1 (≡ 1)
    const order = unhex('edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010'); // L, little-endian
    const zero = new Uint8Array(32);
    const secret = ed25519.utils.randomSecretKey();
    const key = ed25519.getPublicKey(secret);
    const message = new TextEncoder().encode('edge');
    const good = ed25519.sign(message, secret);
    const cases: [Uint8Array, Uint8Array][] = [
      [identity, new Uint8Array([...identity, ...zero])],
      [identity, new Uint8Array([...minusOne, ...zero])],
      [minusOne, new Uint8Array([...identity, ...zero])],
      [nonCanonicalIdentity, new Uint8Array([...identity, ...zero])],
      [identity, new Uint8Array([...nonCanonicalIdentity, ...zero])],
      [key, new Uint8Array([...good.subarray(0, 32), ...order])],
      [key, new Uint8Array([...good.subarray(0, 32), ...Array(32).fill(0xff)])],
      [key, good],
    ];
    const answers = cases.map(([k, sig]) => both('EdDSA', k, message, sig));
    expect(answers.at(-1)).toBe(true);
    expect(answers.slice(3, 7)).toEqual([false, false, false, false]);
  });

  it('on random signatures and every kind of mutation of them (fast-check)', () => {
    // Signed once up front (4 keys x 16 messages per algorithm), so the runs spend their time verifying.
    const es256 = Array.from({ length: 4 }, () => p256.utils.randomSecretKey());
    const eddsa = Array.from({ length: 4 }, () => ed25519.utils.randomSecretKey());
    const messages = Array.from({ length: 16 }, (_, i) => Uint8Array.from(Buffer.from(`message ${i} `.repeat(i))));
    const publicKeys = {
      ES256: es256.map((secret) => p256.getPublicKey(secret, false)),
      EdDSA: eddsa.map((secret) => ed25519.getPublicKey(secret)),
      compressed: es256.map((secret) => p256.getPublicKey(secret, true)),
    };
    const signed = {
      ES256: es256.map((secret) => messages.map((m) => p256.sign(m, secret, { prehash: true, lowS: true, format: 'compact' }))),
      EdDSA: eddsa.map((secret) => messages.map((m) => ed25519.sign(m, secret))),
    };
    const mutation = fc.oneof(
      fc.constant({ kind: 'none' as const }),
      fc.record({ kind: fc.constant('flip-signature' as const), bit: fc.nat(511) }),
      fc.record({ kind: fc.constant('flip-message' as const), bit: fc.nat(255) }),
      fc.record({ kind: fc.constant('flip-key' as const), bit: fc.nat(263) }),
      fc.constant({ kind: 'high-s' as const }),
      fc.constantFrom(0n, n, n - 1n, n >> 1n, (n >> 1n) + 1n).map((value) => ({ kind: 'set-s' as const, value })),
      fc.constantFrom(0n, n, n + 1n, 2n ** 256n - 1n).map((value) => ({ kind: 'set-r' as const, value })),
      fc.integer({ min: 0, max: 96 }).map((length) => ({ kind: 'length' as const, length })),
      fc.constant({ kind: 'other-key' as const }),
      fc.constant({ kind: 'compressed-key' as const }),
      fc.uint8Array({ minLength: 64, maxLength: 64 }).map((bytes) => ({ kind: 'random-signature' as const, bytes })),
      fc.uint8Array({ minLength: 0, maxLength: 66 }).map((bytes) => ({ kind: 'random-key' as const, bytes })),
    );
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(fc.boolean(), fc.nat(3), fc.nat(15), mutation, (isEd, which, m, change) => {
        runs++;
        const alg = isEd ? 'EdDSA' : 'ES256';
        let key = publicKeys[alg][which];
        let msg = messages[m];
        let sig: Uint8Array = signed[alg][which][m];
        const flip = (bytes: Uint8Array, bit: number) => {
          const out = bytes.slice();
          if (out.length > 0) out[(bit >> 3) % out.length] ^= 1 << (bit & 7);
          return out;
        };
        switch (change.kind) {
          case 'flip-signature': sig = flip(sig, change.bit); break;
          case 'flip-message': msg = flip(msg, change.bit); break;
          case 'flip-key': key = flip(key, change.bit); break;
          case 'high-s': if (!isEd) sig = new Uint8Array([...sig.subarray(0, 32), ...toBytes32(n - BigInt('0x' + Buffer.from(sig.subarray(32)).toString('hex')))]); break;
          case 'set-s': sig = new Uint8Array([...sig.subarray(0, 32), ...toBytes32(change.value)]); break;
          case 'set-r': sig = new Uint8Array([...toBytes32(change.value % 2n ** 256n), ...sig.subarray(32)]); break;
          case 'length': sig = change.length <= 64 ? sig.subarray(0, change.length) : new Uint8Array([...sig, ...new Uint8Array(change.length - 64)]); break;
          case 'other-key': key = publicKeys[alg][(which + 1) % 4]; break;
          case 'compressed-key': if (!isEd) key = publicKeys.compressed[which]; break;
          case 'random-signature': sig = change.bytes; break;
          case 'random-key': key = change.bytes; break;
          default: break;
        }
        if (both(alg, key, msg, sig)) accepted++;
      }),
      { numRuns: 6000 },
    );
    // The inputs are not all refusals: the unmutated and harmlessly mutated ones verify on both.
    expect(runs).toBe(6000);
    expect(accepted).toBeGreaterThan(400);
  });

  it('refuses what the contract refuses, without throwing: other algorithms, non-bytes, wrong key sizes', () => {
    const secret = p256.utils.randomSecretKey();
    const key = p256.getPublicKey(secret, false);
    const message = Uint8Array.of(1, 2, 3);
    const sig = p256.sign(message, secret, { prehash: true, lowS: true, format: 'compact' });
    expect(both('ES256', key, message, sig)).toBe(true);
    expect(both('ES384', key, message, sig)).toBe(false);
    expect(both('ES256', key.subarray(1), message, sig)).toBe(false);
    expect(both('EdDSA', key, message, sig)).toBe(false);
    expect(serverVerify('ES256', [...key] as unknown as Uint8Array, message, sig)).toBe(false);
    expect(serverVerify('ES256', key, 'abc' as unknown as Uint8Array, sig)).toBe(false);
  });

  it('signs decisions on OpenSSL in the low-S form only, each verifying with the terminal\'s verifier', () => {
    const secret = p256.utils.randomSecretKey();
    const key = p256.getPublicKey(secret, false);
    const sign = serverEs256Sign(secret);
    for (let i = 0; i < 200; i++) {
      const message = Uint8Array.of(i, i >> 8, 7);
      const sig = sign(message);
      expect(sig).toHaveLength(64);
      expect(isHighS(sig)).toBe(false);
      expect(verify('ES256', key, message, sig)).toBe(true);
    }
  });
});
