/**
 * The native crypto seam on the Moddable runtime (a Moddable lane file: it
 * imports the board module `qrpay-native-crypto`, boards/esp32/native-crypto.js
 * over the SDK's modules/crypt, so it runs only on a -p lin build).
 *
 * Every Wycheproof ECDSA P-256 vector goes through both paths, the core's
 * pure-JS `verify` (noble, the oracle) and `verifyWith(native)` (the core's
 * checks, then native SHA-256 and the native ES256 equation), with the key
 * uncompressed and compressed: any disagreement between them, or with the
 * verdict (valid and low-S, docs/security.md), fails. The bench prints ms per
 * verification of each path on this build (docs/moddable.md); it asserts
 * nothing about time.
 */
/// <reference path="../../boards/esp32/native-crypto.d.ts" />
import { describe, expect, it } from 'vitest';
import { createModdableCrypto } from 'qrpay-native-crypto';
import { p256 } from '@noble/curves/nist.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { PreparedKeys } from '../../src/crypto/prepared-keys';
import { isHighS, toLowS, verify, verifyWith } from '../../src/crypto/verify';
import type { CryptoAccelerator } from '../../hal/crypto';
import p256File from '../fixtures/wycheproof/ecdsa_secp256r1_sha256_p1363_test.json';

declare function trace(text: string): void;

const unhex = (text: string) => {
  const out = new Uint8Array(text.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
};
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');

interface Vector { tcId: number; msg: string; sig: string; result: string }
interface Group { publicKey: { uncompressed: string }; tests: Vector[] }

/** The SEC1 compressed form of a 65-byte uncompressed point. */
function compress(uncompressed: Uint8Array): Uint8Array {
  const out = new Uint8Array(33);
  out[0] = 2 | (uncompressed[64] & 1);
  out.set(uncompressed.subarray(1, 33), 1);
  return out;
}

/** The native accelerator, counting the equations it was asked: a seam that is never reached proves nothing. */
function counted(native: Required<CryptoAccelerator>) {
  const calls = { es256: 0 };
  const accelerator: CryptoAccelerator = {
    sha256: native.sha256,
    es256: (digest, r, s, qx, qy) => {
      calls.es256++;
      return native.es256(digest, r, s, qx, qy);
    },
  };
  return { accelerator, calls };
}

describe('native crypto (modules/crypt) behind the core verify', () => {
  it('SHA-256: the native digest equals noble for every length around the block edges, views included', () => {
    const native = createModdableCrypto();
    const data = new Uint8Array(1100);
    for (let i = 0; i < data.length; i++) data[i] = (i * 131 + 7) & 0xff;
    const wrong: number[] = [];
    for (const length of [0, 1, 3, 31, 32, 55, 56, 57, 63, 64, 65, 119, 120, 128, 1000]) {
      if (hex(native.sha256(data.subarray(0, length))) !== hex(nobleSha256(data.subarray(0, length)))) wrong.push(length);
      // A view that does not start at its buffer's start.
      if (hex(native.sha256(data.subarray(13, 13 + length))) !== hex(nobleSha256(data.subarray(13, 13 + length)))) wrong.push(-length);
    }
    expect(wrong).toEqual([]);
    expect(hex(native.sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('Wycheproof ECDSA P-256: pure-JS and native agree on every vector and verdict, key uncompressed and compressed', () => {
    const { accelerator, calls } = counted(createModdableCrypto());
    const accelerated = verifyWith(accelerator);
    const disagree: string[] = [];
    const wrong: string[] = [];
    let valid = 0;
    for (const group of (p256File as { testGroups: Group[] }).testGroups) {
      const uncompressed = unhex(group.publicKey.uncompressed);
      for (const [form, key] of [['u', uncompressed], ['c', compress(uncompressed)]] as const) {
        for (const vector of group.tests) {
          const msg = unhex(vector.msg);
          const sig = unhex(vector.sig);
          const expected = vector.result === 'valid' && !isHighS(sig);
          const pure = verify('ES256', key, msg, sig);
          const fast = accelerated('ES256', key, msg, sig);
          if (pure !== fast) disagree.push(`${vector.tcId}${form}`);
          if (fast !== expected) wrong.push(`${vector.tcId}${form}`);
          if (expected) valid++;
          if (vector.result === 'valid' && isHighS(sig)) {
            const low = toLowS(sig);
            if (accelerated('ES256', key, msg, low) !== true || verify('ES256', key, msg, low) !== true) wrong.push(`${vector.tcId}${form}-lowS`);
          }
        }
      }
    }
    expect(disagree).toEqual([]);
    expect(wrong).toEqual([]);
    expect(valid).toBeGreaterThan(100);
    // Every valid vector reached the native equation (invalid ones may be refused by the core's checks first).
    expect(calls.es256).toBeGreaterThan(valid);
  });

  it('a prepared-key set with the accelerator leaves ES256 keys to it and gives the same verdicts', () => {
    const { accelerator, calls } = counted(createModdableCrypto());
    const group = (p256File as { testGroups: Group[] }).testGroups[0];
    const key = unhex(group.publicKey.uncompressed);
    const keys = new PreparedKeys(undefined, accelerator);
    expect(keys.prepare('ES256', key)).toBe(true);
    expect(keys.has('ES256', key)).toBe(false);
    const wrong = group.tests.filter((v) => keys.verify('ES256', key, unhex(v.msg), unhex(v.sig)) !== verify('ES256', key, unhex(v.msg), unhex(v.sig))).map((v) => v.tcId);
    expect(wrong).toEqual([]);
    expect(calls.es256).toBeGreaterThan(0);
  });

  it('bench: ms per ES256 verification, pure-JS, prepared key and native (printed, not judged)', () => {
    const secret = nobleSha256(Uint8Array.of(1, 2, 3));
    const publicKey = p256.getPublicKey(secret, false);
    const compressed = compress(publicKey);
    const message = new Uint8Array(60).fill(7);
    const signature = p256.sign(message, secret, { lowS: true, prehash: true, format: 'compact' });
    const nativeParts = createModdableCrypto();
    const accelerated = verifyWith(nativeParts);
    // The equation alone, on inputs decoded once: what the core's own checks add is the difference.
    const digest = nobleSha256(message);
    const point = p256.Point.fromBytes(publicKey).toAffine();
    const scalar = (start: number) => BigInt('0x' + hex(signature.subarray(start, start + 32)));
    const [r, s] = [scalar(0), scalar(32)];
    const prepared = new PreparedKeys();
    prepared.prepare('ES256', publicKey);
    const rounds = 10;
    const time = (check: () => boolean) => {
      const runs: number[] = [];
      for (let batch = 0; batch < 3; batch++) {
        const start = Date.now();
        for (let i = 0; i < rounds; i++) if (!check()) throw new Error('a valid signature did not verify');
        runs.push((Date.now() - start) / rounds);
      }
      return runs.sort((a, b) => a - b)[1].toFixed(1); // the median of three batches
    };
    const figures = {
      pure: time(() => verify('ES256', publicKey, message, signature)),
      prepared: time(() => prepared.verify('ES256', publicKey, message, signature)),
      native: time(() => accelerated('ES256', publicKey, message, signature)),
      nativeCompressed: time(() => accelerated('ES256', compressed, message, signature)),
      equation: time(() => nativeParts.es256(digest, r, s, point.x, point.y)),
    };
    const hashRounds = 2000;
    let start = Date.now();
    for (let i = 0; i < hashRounds; i++) nobleSha256(message);
    const hashPure = (Date.now() - start) / hashRounds;
    start = Date.now();
    for (let i = 0; i < hashRounds; i++) nativeParts.sha256(message);
    const hashNative = (Date.now() - start) / hashRounds;
    trace(`native-crypto bench (ms per ES256 verify, median of 3 x ${rounds}): pure-JS ${figures.pure}, prepared key ${figures.prepared}, native ${figures.native}, native with a compressed key ${figures.nativeCompressed}, the native equation alone ${figures.equation}; SHA-256 of 60 bytes: noble ${hashPure.toFixed(3)}, native ${hashNative.toFixed(3)}\n`);
    expect(Number(figures.native)).toBeGreaterThanOrEqual(0);
  });
});
