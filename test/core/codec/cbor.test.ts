import { describe, expect, it } from 'vitest';
import { bytesEqual, decode, DecodeError, encode, EncodeError, Tagged, type CborValue } from '../../../src/codec/cbor';

const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const unhex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));

function reasonOf(input: string, options?: { maxBytes?: number; maxDepth?: number }): string {
  try {
    decode(unhex(input), options);
  } catch (error) {
    if (error instanceof DecodeError) return error.reason;
    return `untyped: ${error}`;
  }
  return 'accepted';
}

// RFC 8949 Appendix A examples that are in our value model (deterministic encodings only).
const vectors: [CborValue, string][] = [
  [0, '00'], [1, '01'], [10, '0a'], [23, '17'], [24, '1818'], [25, '1819'], [100, '1864'], [1000, '1903e8'],
  [1000000, '1a000f4240'], [1000000000000, '1b000000e8d4a51000'], [18446744073709551615n, '1bffffffffffffffff'],
  [-18446744073709551616n, '3bffffffffffffffff'], [-1, '20'], [-10, '29'], [-100, '3863'], [-1000, '3903e7'],
  [false, 'f4'], [true, 'f5'], [null, 'f6'],
  [new Uint8Array(0), '40'], [unhex('01020304'), '4401020304'],
  ['', '60'], ['a', '6161'], ['IETF', '6449455446'], ['"\\', '62225c'], ['\u00fc', '62c3bc'], ['\u6c34', '63e6b0b4'],
  ['\ud800\udd51', '64f0908591'],
  [[], '80'], [[1, 2, 3], '83010203'], [[1, [2, 3], [4, 5]], '8301820203820405'],
  [new Map(), 'a0'], [new Map<number, CborValue>([[1, 2], [3, 4]]), 'a201020304'],
  [new Map<string, CborValue>([['a', 1], ['b', [2, 3]]]), 'a26161016162820203'],
  [new Tagged(1, 1363896240), 'c11a514b67b0'], [new Tagged(32, 'http://www.example.com'), 'd82076687474703a2f2f7777772e6578616d706c652e636f6d'],
  [9007199254740991, '1b001fffffffffffff'], [-9007199254740992n, '3b001fffffffffffff'],
];

describe('CBOR deterministic encoding (RFC 8949 §4.2.1)', () => {
  it('encodes and decodes the RFC 8949 Appendix A examples', () => {
    for (const [value, bytes] of vectors) {
      expect(hex(encode(value))).toBe(bytes);
      expect(decode(unhex(bytes))).toEqual(value);
    }
  });

  it('sorts map keys by the bytewise order of their encodings, whatever the insertion order', () => {
    const map = new Map<number | string, CborValue>([['aa', 5], [-1, 4], [100, 3], [10, 2], ['b', 6], [-100, 7]]);
    // 0a < 1864 < 20 < 3863 < 6162 < 626161
    expect(hex(encode(map))).toBe('a60a02186403200438630761620662616105');
    expect(decode(encode(map))).toEqual(map);
  });

  it('encodes a bigint in the safe range exactly like the number', () => {
    expect(bytesEqual(encode(5n), encode(5))).toBe(true);
    expect(bytesEqual(encode(5n), encode(6))).toBe(false);
    expect(encode(5n)).toEqual(encode(5));
    expect(encode(-70000n)).toEqual(encode(-70000));
  });

  it('refuses values outside the model', () => {
    for (const bad of [1.5, NaN, Infinity, 2 ** 53, undefined, {}, 18446744073709551616n, '\ud800'] as unknown[]) {
      expect(() => encode(bad as CborValue)).toThrow(EncodeError);
    }
    expect(() => encode(new Map<number | bigint, CborValue>([[1, 1], [1n, 2]]))).toThrow(EncodeError);
  });
});

describe('CBOR strict decoding', () => {
  it('rejects integers, lengths and tags not in shortest form', () => {
    expect(reasonOf('1817')).toBe('non-canonical');
    expect(reasonOf('190017')).toBe('non-canonical');
    expect(reasonOf('1a0000ffff')).toBe('non-canonical');
    expect(reasonOf('1b00000000ffffffff')).toBe('non-canonical');
    expect(reasonOf('3817')).toBe('non-canonical');
    expect(reasonOf('580161')).toBe('non-canonical');
    expect(reasonOf('d80100')).toBe('non-canonical');
  });

  it('rejects indefinite lengths and stray breaks', () => {
    expect(reasonOf('5f4101ff')).toBe('indefinite-length');
    expect(reasonOf('9f01ff')).toBe('indefinite-length');
    expect(reasonOf('bf0101ff')).toBe('indefinite-length');
    expect(reasonOf('ff')).toBe('indefinite-length');
  });

  it('rejects reserved additional information', () => {
    expect(reasonOf('1c')).toBe('reserved');
    expect(reasonOf('5d')).toBe('reserved');
    expect(reasonOf('fe')).toBe('reserved');
  });

  it('rejects floats, undefined and other simple values', () => {
    expect(reasonOf('f7')).toBe('unsupported-simple');
    expect(reasonOf('f0')).toBe('unsupported-simple');
    expect(reasonOf('f818')).toBe('unsupported-simple');
    expect(reasonOf('f93c00')).toBe('unsupported-simple');
    expect(reasonOf('fa47c35000')).toBe('unsupported-simple');
    expect(reasonOf('fb3ff199999999999a')).toBe('unsupported-simple');
  });

  it('rejects duplicate keys, keys out of order and keys that are not integers or text', () => {
    expect(reasonOf('a201020103')).toBe('duplicate-key');
    expect(reasonOf('a203040102')).toBe('key-order');
    expect(reasonOf('a2200401' + '02')).toBe('key-order'); // -1 (0x20) before 1 (0x01)
    expect(reasonOf('a2616201616102')).toBe('key-order');
    expect(reasonOf('a1410102')).toBe('key-type');
    expect(reasonOf('a1f501')).toBe('key-type');
  });

  it('rejects invalid UTF-8 in text', () => {
    expect(reasonOf('62c0af')).toBe('invalid-utf8'); // overlong '/'
    expect(reasonOf('63eda080')).toBe('invalid-utf8'); // surrogate
    expect(reasonOf('64f4908080')).toBe('invalid-utf8'); // above U+10FFFF
    expect(reasonOf('61ff')).toBe('invalid-utf8');
    expect(reasonOf('62e6b0')).toBe('invalid-utf8'); // truncated sequence
  });

  it('rejects truncated input and trailing bytes', () => {
    expect(reasonOf('')).toBe('truncated');
    expect(reasonOf('19')).toBe('truncated');
    expect(reasonOf('1a0001')).toBe('truncated');
    expect(reasonOf('4401')).toBe('truncated');
    expect(reasonOf('830102')).toBe('truncated');
    expect(reasonOf('9bffffffffffffffff')).toBe('truncated'); // a huge count is refused before allocating
    expect(reasonOf('0101')).toBe('trailing-bytes');
  });

  it('enforces the size limit before decoding and the depth limit while decoding', () => {
    expect(reasonOf('4401020304', { maxBytes: 4 })).toBe('too-large');
    expect(reasonOf('818181818101', { maxDepth: 4 })).toBe('too-deep');
    expect(reasonOf('8181818101', { maxDepth: 4 })).toBe('accepted');
    expect(reasonOf('c1c1c1c101', { maxDepth: 3 })).toBe('too-deep');
    expect(reasonOf('81'.repeat(5000) + '01', { maxBytes: 10000 })).toBe('too-deep');
  });

  it('rejects tag numbers beyond 2^53', () => {
    expect(reasonOf('dbffffffffffffffff00')).toBe('out-of-range');
  });

  it('reports the offset of the problem', () => {
    try {
      decode(unhex('83010219ff'));
    } catch (error) {
      expect((error as DecodeError).reason).toBe('truncated');
      expect((error as DecodeError).offset).toBe(4);
      return;
    }
    throw new Error('expected a DecodeError');
  });
});
