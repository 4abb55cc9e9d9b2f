import { describe, expect, it } from 'vitest';
import { Base64urlError, decodeBase64url, encodeBase64url } from '../../../src/codec/base64url';
import { utf8Decode, utf8Encode } from '../../../src/codec/utf8';

function reasonOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    if (error instanceof Base64urlError) return error.reason;
    return `untyped: ${error}`;
  }
  return 'no error';
}

describe('base64url without padding (RFC 4648 §5)', () => {
  it('encodes and decodes the RFC 4648 §10 examples, padding dropped', () => {
    const examples: [string, string][] = [['', ''], ['f', 'Zg'], ['fo', 'Zm8'], ['foo', 'Zm9v'], ['foob', 'Zm9vYg'], ['fooba', 'Zm9vYmE'], ['foobar', 'Zm9vYmFy']];
    for (const [plain, encoded] of examples) {
      expect(encodeBase64url(utf8Encode(plain)!)).toBe(encoded);
      expect(utf8Decode(decodeBase64url(encoded))).toBe(plain);
    }
  });

  it('uses - and _ where base64 has + and /, and round-trips every byte value', () => {
    expect(encodeBase64url(new Uint8Array([0xfb, 0xff]))).toBe('-_8');
    expect(encodeBase64url(new Uint8Array([0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]))).toBe('CgsMDQ4P'); // the vectors' account
    const bytes = new Uint8Array(256 + 2);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i & 0xff;
    for (let n = 0; n <= 5; n++) expect(decodeBase64url(encodeBase64url(bytes.subarray(n)))).toEqual(bytes.subarray(n));
  });

  it('refuses anything but the one canonical text', () => {
    expect(reasonOf(() => decodeBase64url('Zg=='))).toBe('invalid-character'); // padding
    expect(reasonOf(() => decodeBase64url('Zm+v'))).toBe('invalid-character'); // base64, not base64url
    expect(reasonOf(() => decodeBase64url('Zm9 '))).toBe('invalid-character');
    expect(reasonOf(() => decodeBase64url('Zm9\u00e9'))).toBe('invalid-character');
    expect(reasonOf(() => decodeBase64url('Zm\u{1F600}'))).toBe('invalid-character');
    expect(reasonOf(() => decodeBase64url('Zm9vY'))).toBe('invalid-length');
    expect(reasonOf(() => decodeBase64url('Zh'))).toBe('non-canonical'); // 'f' with a stray low bit
    expect(reasonOf(() => decodeBase64url('Zm9'))).toBe('non-canonical');
    expect(reasonOf(() => decodeBase64url('Zm8'))).toBe('no error');
  });
});
