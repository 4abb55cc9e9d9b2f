/**
 * The XS-friendly SHA-256 and HMAC-SHA-256 (src/crypto/sha256.ts) on Node and XS: the FIPS 180-4 and RFC 4231
 * vectors, and noble's answer for every length around the block boundaries, whole and in parts.
 */
import { describe, expect, it } from 'vitest';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { hmacSha256, sha256 } from '../../../src/crypto/sha256';

const pattern = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);

describe('sha256', () => {
  it('gives the FIPS 180-4 vectors', () => {
    expect(bytesToHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(bytesToHex(sha256(utf8ToBytes('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(bytesToHex(sha256(utf8ToBytes('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))))
      .toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with noble on every length from 0 to 200 bytes, and in parts', () => {
    for (let length = 0; length <= 200; length++) {
      const data = pattern(length);
      const expected = bytesToHex(nobleSha256(data));
      expect(bytesToHex(sha256(data))).toBe(expected);
      const cut = (length * 7) % (length + 1);
      expect(bytesToHex(sha256(data.subarray(0, cut), new Uint8Array(0), data.subarray(cut)))).toBe(expected);
    }
  });

  it('agrees with noble on a long message of many parts', () => {
    const data = pattern(5000);
    const parts = [data.subarray(0, 1), data.subarray(1, 64), data.subarray(64, 191), data.subarray(191, 4096), data.subarray(4096)];
    expect(bytesToHex(sha256(...parts))).toBe(bytesToHex(nobleSha256(data)));
  });
});

describe('hmacSha256', () => {
  it('gives the RFC 4231 vectors (test cases 1, 2 and 6: a key longer than a block)', () => {
    expect(bytesToHex(hmacSha256(new Uint8Array(20).fill(0x0b), utf8ToBytes('Hi There'))))
      .toBe('b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7');
    expect(bytesToHex(hmacSha256(utf8ToBytes('Jefe'), utf8ToBytes('what do ya want '), utf8ToBytes('for nothing?'))))
      .toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
    expect(bytesToHex(hmacSha256(new Uint8Array(131).fill(0xaa), utf8ToBytes('Test Using Larger Than Block-Size Key - Hash Key First'))))
      .toBe('60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54');
  });

  it('agrees with noble for keys and messages of many lengths', () => {
    for (const keyLength of [0, 1, 32, 63, 64, 65, 100]) {
      for (const messageLength of [0, 1, 55, 56, 64, 119, 200]) {
        const key = hexToBytes(bytesToHex(pattern(keyLength)));
        const message = pattern(messageLength).reverse();
        expect(bytesToHex(hmacSha256(key, message))).toBe(bytesToHex(hmac(nobleSha256, key, message)));
      }
    }
  });
});
