import { describe, expect, it } from 'vitest';
import { Base45Error, base45Length, decodeBase45, encodeBase45 } from '../../../src/codec/base45';
import { utf8Decode, utf8Encode } from '../../../src/codec/utf8';

const text = (s: string) => utf8Encode(s)!;

function reasonOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    if (error instanceof Base45Error) return error.reason;
    return `untyped: ${error}`;
  }
  return 'no error';
}

describe('base45 (RFC 9285)', () => {
  it('encodes the RFC 9285 examples', () => {
    expect(encodeBase45(text('AB'))).toBe('BB8');
    expect(encodeBase45(text('Hello!!'))).toBe('%69 VD92EX0');
    expect(encodeBase45(text('base-45'))).toBe('UJCLQE7W581');
    expect(encodeBase45(new Uint8Array(0))).toBe('');
  });

  it('decodes the RFC 9285 examples', () => {
    expect(utf8Decode(decodeBase45('QED8WEX0'))).toBe('ietf!');
    expect(utf8Decode(decodeBase45('%69 VD92EX0'))).toBe('Hello!!');
    expect(decodeBase45('')).toEqual(new Uint8Array(0));
  });

  it('round-trips every byte value in both positions', () => {
    const bytes = new Uint8Array(513);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 8)) & 0xff;
    bytes[0] = 0xff; bytes[1] = 0xff; bytes[512] = 0xff;
    const encoded = encodeBase45(bytes);
    expect(encoded.length).toBe(base45Length(bytes.length));
    expect(decodeBase45(encoded)).toEqual(bytes);
  });

  it('rejects characters outside the alphabet, including lower case', () => {
    expect(reasonOf(() => decodeBase45('bb8'))).toBe('invalid-character');
    expect(reasonOf(() => decodeBase45('BB#'))).toBe('invalid-character');
    expect(reasonOf(() => decodeBase45('BB\u00e9'))).toBe('invalid-character');
  });

  it('rejects a length that is 1 modulo 3', () => {
    expect(reasonOf(() => decodeBase45('BB8B'))).toBe('invalid-length');
    expect(reasonOf(() => decodeBase45('A'))).toBe('invalid-length');
  });

  it('rejects groups whose value does not fit', () => {
    expect(reasonOf(() => decodeBase45('GGW'))).toBe('out-of-range'); // 65536
    expect(reasonOf(() => decodeBase45(':::'))).toBe('out-of-range');
    expect(reasonOf(() => decodeBase45('FGW'))).toBe('no error'); // 65535
    expect(reasonOf(() => decodeBase45('V5'))).toBe('out-of-range'); // 256 as a final pair
    expect(reasonOf(() => decodeBase45('U5'))).toBe('no error'); // 255
  });

  it('rejects over-long text before reading it', () => {
    expect(reasonOf(() => decodeBase45('#'.repeat(31), 30))).toBe('too-large');
  });
});
