import { describe, expect, it } from 'vitest';
import { parseSegments } from '../../../src/scan/decode/segments';
import { decodeUtf8 } from '../../../src/scan/decode/utf8';

/** Packs [value, bitCount] pairs into codewords, padded with zero bits (then `fill` codewords). */
function bits(fields: Array<[number, number]>, fill = 0): Uint8Array {
  const out: number[] = [];
  let acc = 0;
  let n = 0;
  for (const [value, count] of fields) {
    for (let i = count - 1; i >= 0; i--) {
      acc = (acc << 1) | ((value >> i) & 1);
      if (++n === 8) {
        out.push(acc);
        acc = 0;
        n = 0;
      }
    }
  }
  if (n > 0) out.push(acc << (8 - n));
  for (let i = 0; i < fill; i++) out.push(i % 2 === 0 ? 0xec : 0x11);
  return Uint8Array.from(out);
}

const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

describe('data segments', () => {
  it('reads numeric mode: groups of three, a final two or one', () => {
    // "01234567" (ISO/IEC 18004 7.4.3 example): 012 345 67.
    const data = bits([[1, 4], [8, 10], [12, 10], [345, 10], [67, 7], [0, 4]], 2);
    const payload = parseSegments(data, 1);
    expect(payload).toEqual({ bytes: Uint8Array.from(ascii('01234567')), text: '01234567', eci: [] });
    expect(parseSegments(bits([[1, 4], [4, 10], [7, 10], [5, 4], [0, 4]]), 1)).toMatchObject({ text: '0075' });
  });

  it('reads alphanumeric mode: pairs in 11 bits, a final character in 6', () => {
    // "AC-42" (ISO/IEC 18004 7.4.4 example): AC, -4, 2.
    const data = bits([[2, 4], [5, 9], [10 * 45 + 12, 11], [41 * 45 + 4, 11], [2, 6], [0, 4]], 1);
    expect(parseSegments(data, 1)).toEqual({ bytes: Uint8Array.from(ascii('AC-42')), text: 'AC-42', eci: [] });
  });

  it('uses the longer character counts of versions 10-26 and 27-40', () => {
    expect(parseSegments(bits([[2, 4], [1, 11], [36, 6], [0, 4]]), 10)).toMatchObject({ text: ' ' });
    expect(parseSegments(bits([[2, 4], [1, 13], [36, 6], [0, 4]]), 27)).toMatchObject({ text: ' ' });
    expect(parseSegments(bits([[4, 4], [1, 16], [0x41, 8], [0, 4]]), 10)).toMatchObject({ text: 'A' });
  });

  it('reads byte mode as UTF-8 when valid, else Latin-1, and keeps the bytes', () => {
    const euro = [0xe2, 0x82, 0xac];
    const utf8 = bits([[4, 4], [3, 8], ...euro.map((b): [number, number] => [b, 8]), [0, 4]]);
    expect(parseSegments(utf8, 1)).toEqual({ bytes: Uint8Array.from(euro), text: '\u20ac', eci: [] });
    const latin = bits([[4, 4], [2, 8], [0xe9, 8], [0x41, 8], [0, 4]]);
    expect(parseSegments(latin, 1)).toEqual({ bytes: Uint8Array.from([0xe9, 0x41]), text: '\u00e9A', eci: [] });
  });

  it('concatenates mixed segments and records ECI designators of one, two and three bytes', () => {
    const data = bits([
      [7, 4], [26, 8], // ECI 26 (UTF-8)
      [2, 4], [2, 9], [21 * 45 + 25, 11], // "LP"
      [7, 4], [0x80 | 3, 8], [0xe8, 8], // ECI 1000 in two bytes
      [1, 4], [3, 10], [999, 10], // "999"
      [7, 4], [0xc0 | 1, 8], [0x86a0, 16], // ECI 100000 in three bytes
      [4, 4], [1, 8], [0x7a, 8], // "z"
      [0, 4],
    ]);
    expect(parseSegments(data, 5)).toEqual({ bytes: Uint8Array.from(ascii('LP999z')), text: 'LP999z', eci: [26, 1000, 100000] });
  });

  it('ends without a terminator when the data is full, only if the leftover bits are zero', () => {
    // 4 + 9 + 11 = 24 bits: exactly three codewords, no room for a terminator.
    expect(parseSegments(bits([[2, 4], [2, 9], [0, 11]]), 1)).toMatchObject({ text: '00' });
    // 4 + 10 + 7 = 21 bits: three leftover bits, too few for a mode; they must be zero.
    expect(parseSegments(bits([[1, 4], [2, 10], [42, 7], [0, 3]]), 1)).toMatchObject({ text: '42' });
    expect(parseSegments(bits([[1, 4], [2, 10], [42, 7], [5, 3]]), 1)).toBe('bad-data');
  });

  it('refuses Kanji, structured append, FNC1 and unknown modes', () => {
    for (const mode of [0b1000, 0b0011, 0b0101, 0b1001, 0b0110, 0b1111]) {
      expect(parseSegments(bits([[mode, 4], [1, 10], [0, 13]], 2), 1)).toBe('unsupported-mode');
    }
  });

  it('refuses impossible values and truncated segments', () => {
    expect(parseSegments(bits([[1, 4], [3, 10], [1000, 10], [0, 4]]), 1)).toBe('bad-data');
    expect(parseSegments(bits([[1, 4], [2, 10], [100, 7], [0, 4]]), 1)).toBe('bad-data');
    expect(parseSegments(bits([[1, 4], [1, 10], [10, 4], [0, 4]]), 1)).toBe('bad-data');
    expect(parseSegments(bits([[2, 4], [2, 9], [2025, 11], [0, 4]]), 1)).toBe('bad-data');
    expect(parseSegments(bits([[2, 4], [1, 9], [45, 6], [0, 4]]), 1)).toBe('bad-data');
    // Five characters announced (two pairs and a single: 28 bits), 26 bits there.
    expect(parseSegments(bits([[2, 4], [5, 9], [100, 11], [200, 11], [0, 4]]), 1)).toBe('bad-data');
    // 200 bytes announced, two codewords there.
    expect(parseSegments(bits([[4, 4], [200, 8], [0x41, 8]]), 1)).toBe('bad-data');
    // ECI designator starting 111.
    expect(parseSegments(bits([[7, 4], [0xe0, 8], [0, 16]]), 1)).toBe('bad-data');
  });
});

describe('strict UTF-8', () => {
  it('accepts what decodeURIComponent accepts and refuses what it refuses', () => {
    expect(decodeUtf8([0x61, 0xc3, 0xa9, 0xf0, 0x9f, 0x98, 0x80])).toBe('a\u00e9\ud83d\ude00');
    expect(decodeUtf8([0xc0, 0x80])).toBe(undefined); // overlong NUL
    expect(decodeUtf8([0xe0, 0x80, 0x80])).toBe(undefined); // overlong
    expect(decodeUtf8([0xed, 0xa0, 0x80])).toBe(undefined); // surrogate
    expect(decodeUtf8([0xf4, 0x90, 0x80, 0x80])).toBe(undefined); // above U+10FFFF
    expect(decodeUtf8([0xe2, 0x82])).toBe(undefined); // truncated
    expect(decodeUtf8([0x80])).toBe(undefined); // lone continuation
  });
});
