/**
 * Format information (ISO/IEC 18004 section 7.9): 5 data bits (error-correction
 * level, data mask) protected by a BCH(15,5) code and XORed with 0x5412 so
 * that it is never all light. It is stored twice; each copy is compared with
 * all 32 valid codewords and the nearest within Hamming distance 3 (the code's
 * correction capacity) wins. Nothing nearer than that: no format, no decode.
 */
import type { EcLevel } from './ec-blocks';

export interface FormatInfo {
  level: EcLevel;
  mask: number;
  /** Bits that differed from the valid codeword in the better copy. */
  distance: number;
}

// The two level bits as stored: L = 01, M = 00, Q = 11, H = 10.
const levels: EcLevel[] = ['M', 'L', 'H', 'Q'];

/** Remainder of value * x^degree(generator) divided by the generator, over GF(2). */
export function bchRemainder(value: number, generator: number): number {
  const degree = 31 - Math.clz32(generator);
  let r = value << degree;
  for (let bit = 31 - Math.clz32(r); bit >= degree; bit--) {
    if (r & (1 << bit)) r ^= generator << (bit - degree);
  }
  return r;
}

/** The 15-bit format codeword (masked) for 5 data bits. */
export function formatCodeword(data: number): number {
  return ((data << 10) | bchRemainder(data, 0x537)) ^ 0x5412;
}

const codewords: number[] = [];
for (let data = 0; data < 32; data++) codewords.push(formatCodeword(data));

export function hammingDistance(a: number, b: number): number {
  let x = a ^ b;
  let count = 0;
  while (x !== 0) {
    x &= x - 1;
    count++;
  }
  return count;
}

/**
 * Both copies as read from the grid (`dark(row, col)`), bit 0 first as
 * placed: copy 1 around the top-left finder, copy 2 split between the
 * top-right and bottom-left finders.
 */
export function readFormatBits(dark: (row: number, col: number) => boolean, dimension: number): [number, number] {
  let first = 0;
  let second = 0;
  for (let i = 0; i < 15; i++) {
    // Copy 1: column 8 rows 0-5, 7, 8 (bits 0-7), then row 8 columns 7, 5, 4, ..., 0 (bits 8-14).
    const a = i < 6 ? dark(i, 8) : i < 8 ? dark(i + 1, 8) : i === 8 ? dark(8, 7) : dark(8, 14 - i);
    // Copy 2: row 8 from the right edge (bits 0-7), then column 8 up to the bottom edge (bits 8-14).
    const b = i < 8 ? dark(8, dimension - 1 - i) : dark(dimension - 15 + i, 8);
    if (a) first |= 1 << i;
    if (b) second |= 1 << i;
  }
  return [first, second];
}

/** The nearest valid format over both copies, or undefined when neither is within distance 3. */
export function decodeFormat(copies: readonly number[]): FormatInfo | undefined {
  let best = -1;
  let distance = 4;
  for (const bits of copies) {
    for (let data = 0; data < 32; data++) {
      const d = hammingDistance(bits, codewords[data]);
      if (d < distance) {
        distance = d;
        best = data;
      }
    }
  }
  if (best < 0) return undefined;
  return { level: levels[best >> 3], mask: best & 7, distance };
}
