/**
 * The XS-friendly SHA-512 (src/crypto/sha512.ts) on Node and XS: the FIPS 180-4 vectors, and noble's answer for every
 * length around the block boundaries (111, 112, 128, 239, 240, 256 bytes), whole and in parts.
 */
import { describe, expect, it } from 'vitest';
import { sha512 as nobleSha512 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { sha512 } from '../../../src/crypto/sha512';

const pattern = (length: number) => Uint8Array.from({ length }, (_, i) => (i * 31 + 7) & 0xff);

describe('sha512', () => {
  it('gives the FIPS 180-4 vectors', () => {
    expect(bytesToHex(sha512(new Uint8Array(0)))).toBe(
      'cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e');
    expect(bytesToHex(sha512(utf8ToBytes('abc')))).toBe(
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f');
    expect(bytesToHex(sha512(utf8ToBytes('abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu')))).toBe(
      '8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909');
  });

  it('agrees with noble on every length from 0 to 300 bytes, and in parts', () => {
    for (let length = 0; length <= 300; length++) {
      const data = pattern(length);
      const expected = bytesToHex(nobleSha512(data));
      expect(bytesToHex(sha512(data))).toBe(expected);
      const cut = (length * 7) % (length + 1);
      expect(bytesToHex(sha512(data.subarray(0, cut), new Uint8Array(0), data.subarray(cut)))).toBe(expected);
    }
  });

  it('agrees with noble on a long message of many parts, and on bytes of every value', () => {
    const data = pattern(5000);
    const parts = [data.subarray(0, 1), data.subarray(1, 128), data.subarray(128, 383), data.subarray(383, 4096), data.subarray(4096)];
    expect(bytesToHex(sha512(...parts))).toBe(bytesToHex(nobleSha512(data)));
    const ones = new Uint8Array(1000).fill(0xff);
    expect(bytesToHex(sha512(ones))).toBe(bytesToHex(nobleSha512(ones)));
  });
});
