import { describe, expect, it } from 'vitest';
import { PreparedKeys } from '../../../src/crypto/prepared-keys';
import { isHighS, sha256, toLowS, verify } from '../../../src/crypto/verify';
import { utf8Encode } from '../../../src/codec/utf8';

const unhex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

// RFC 9052 Appendix C.2.1 (key "11" of Appendix C.7.1): the Sig_structure and its ES256 signature.
const x = 'bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff';
const y = '20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e';
const es256Key = unhex('04' + x + y);
const es256Compressed = unhex('02' + x); // y is even
const es256Message = unhex('846a5369676e61747572653143a101264054546869732069732074686520636f6e74656e742e');
const es256Signature = unhex(
  '8eb33e4ca31d1c465ab05aac34cc6b23d58fef5c083106c4d25a91aef0b0117e2af9a291aa32e14ab834dc56ed2a223444547e01f11d3b0916e5a4c345cacb36',
);
// RFC 8032 §7.1 TEST 2.
const edKey = unhex('3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c');
const edMessage = unhex('72');
const edSignature = unhex(
  '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
);

const p256Order = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

function flip(bytes: Uint8Array, index: number): Uint8Array {
  const copy = bytes.slice();
  copy[index] ^= 1;
  return copy;
}

describe('verify', () => {
  it('accepts the RFC 9052 C.2.1 ES256 signature with an uncompressed and a compressed key', () => {
    expect(verify('ES256', es256Key, es256Message, es256Signature)).toBe(true);
    expect(verify('ES256', es256Compressed, es256Message, es256Signature)).toBe(true);
  });

  it('refuses the high-S twin of a valid ES256 signature, plain and prepared; toLowS restores it', () => {
    const s = BigInt('0x' + hex(es256Signature.subarray(32)));
    const highS = unhex(hex(es256Signature.subarray(0, 32)) + (p256Order - s).toString(16).padStart(64, '0'));
    expect(isHighS(es256Signature)).toBe(false);
    expect(isHighS(highS)).toBe(true);
    expect(verify('ES256', es256Key, es256Message, highS)).toBe(false);
    expect(hex(toLowS(highS))).toBe(hex(es256Signature));
    expect(hex(toLowS(es256Signature))).toBe(hex(es256Signature));
    const prepared = new PreparedKeys();
    expect(prepared.prepare('ES256', es256Key)).toBe(true);
    expect(prepared.verify('ES256', es256Key, es256Message, highS)).toBe(false);
    expect(prepared.verify('ES256', es256Key, es256Message, toLowS(highS))).toBe(true);
  });

  it('s = n/2 is the largest canonical s, n/2 + 1 the smallest refused', () => {
    const half = p256Order >> 1n;
    const withS = (value: bigint) => unhex(hex(es256Signature.subarray(0, 32)) + value.toString(16).padStart(64, '0'));
    expect(isHighS(withS(half))).toBe(false);
    expect(isHighS(withS(half + 1n))).toBe(true);
    expect(hex(toLowS(withS(half + 1n)))).toBe(hex(withS(p256Order - half - 1n)));
    expect(() => toLowS(withS(0n))).toThrow(RangeError);
    expect(() => toLowS(withS(p256Order))).toThrow(RangeError);
    expect(() => toLowS(new Uint8Array(63))).toThrow(RangeError);
  });

  it('accepts the RFC 8032 test 2 Ed25519 signature', () => {
    expect(verify('EdDSA', edKey, edMessage, edSignature)).toBe(true);
  });

  it('rejects a changed message, signature or key', () => {
    expect(verify('ES256', es256Key, flip(es256Message, 3), es256Signature)).toBe(false);
    expect(verify('ES256', es256Key, es256Message, flip(es256Signature, 40))).toBe(false);
    expect(verify('ES256', unhex('03' + x), es256Message, es256Signature)).toBe(false);
    expect(verify('EdDSA', edKey, unhex('73'), edSignature)).toBe(false);
    expect(verify('EdDSA', edKey, edMessage, flip(edSignature, 1))).toBe(false);
  });

  it('returns false, never throws, for malformed keys, signatures and algorithms', () => {
    expect(verify('ES256', es256Key.subarray(1), es256Message, es256Signature)).toBe(false); // no SEC1 prefix
    expect(verify('ES256', unhex('05' + x + y), es256Message, es256Signature)).toBe(false);
    expect(verify('ES256', unhex('04' + x + x), es256Message, es256Signature)).toBe(false); // not on the curve
    expect(verify('ES256', es256Key, es256Message, es256Signature.subarray(0, 63))).toBe(false);
    expect(verify('ES256', es256Key, es256Message, new Uint8Array(64))).toBe(false); // r = s = 0
    expect(verify('ES256', es256Key, es256Message, new Uint8Array(64).fill(0xff))).toBe(false); // r, s >= n
    expect(verify('ES256', edKey, edMessage, edSignature)).toBe(false);
    expect(verify('EdDSA', es256Compressed, edMessage, edSignature)).toBe(false);
    expect(verify('EdDSA', new Uint8Array(32).fill(0xff), edMessage, edSignature)).toBe(false); // not a point
    expect(verify('EdDSA', edKey, edMessage, new Uint8Array(64).fill(0xff))).toBe(false); // S >= L
    expect(verify('ES384', es256Key, es256Message, es256Signature)).toBe(false);
    expect(verify('ES256', null as unknown as Uint8Array, es256Message, es256Signature)).toBe(false);
    expect(verify('EdDSA', edKey, 'r' as unknown as Uint8Array, edSignature)).toBe(false);
  });

  it('gives the same answers with prepared (precomputed) keys', () => {
    const prepared = new PreparedKeys();
    expect(prepared.prepare('ES256', es256Compressed)).toBe(true);
    expect(prepared.prepare('EdDSA', edKey)).toBe(true);
    expect(prepared.has('ES256', es256Compressed)).toBe(true);
    expect(prepared.verify('ES256', es256Compressed, es256Message, es256Signature)).toBe(true);
    expect(prepared.verify('ES256', es256Compressed, flip(es256Message, 3), es256Signature)).toBe(false);
    expect(prepared.verify('ES256', es256Compressed, es256Message, flip(es256Signature, 40))).toBe(false);
    expect(prepared.verify('ES256', es256Compressed, es256Message, new Uint8Array(64))).toBe(false);
    expect(prepared.verify('EdDSA', edKey, edMessage, edSignature)).toBe(true);
    expect(prepared.verify('EdDSA', edKey, edMessage, flip(edSignature, 1))).toBe(false);
    expect(prepared.verify('EdDSA', edKey, edMessage, new Uint8Array(64).fill(0xff))).toBe(false);
    expect(prepared.prepare('ES256', unhex('04' + x + x))).toBe(false);
    prepared.clear();
    expect(prepared.has('ES256', es256Compressed)).toBe(false);
  });

  it('hashes with SHA-256', () => {
    expect(hex(sha256(utf8Encode('abc')!))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
