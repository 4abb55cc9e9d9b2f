/**
 * Version information (ISO/IEC 18004 section 7.10), only in versions 7-40:
 * 6 version bits protected by a BCH(18,6) code, stored twice (above the
 * bottom-left finder and left of the top-right one). Each copy is compared with
 * the 34 valid codewords; the nearest within Hamming distance 3 wins.
 */
import { bchRemainder, hammingDistance } from './format-info';

export function versionCodeword(version: number): number {
  return (version << 12) | bchRemainder(version, 0x1f25);
}

const codewords: number[] = [];
for (let version = 7; version <= 40; version++) codewords.push(versionCodeword(version));

/** Both copies, bit 0 first: copy 1 in the top-right 6x3 block, copy 2 its transpose at the bottom left. */
export function readVersionBits(dark: (row: number, col: number) => boolean, dimension: number): [number, number] {
  let first = 0;
  let second = 0;
  for (let i = 0; i < 18; i++) {
    const a = Math.floor(i / 3);
    const b = dimension - 11 + (i % 3);
    if (dark(a, b)) first |= 1 << i;
    if (dark(b, a)) second |= 1 << i;
  }
  return [first, second];
}

/** The version the copies encode, or undefined when neither is within distance 3 of a valid codeword. */
export function decodeVersion(copies: readonly number[]): number | undefined {
  let best: number | undefined;
  let distance = 4;
  for (const bits of copies) {
    for (let i = 0; i < codewords.length; i++) {
      const d = hammingDistance(bits, codewords[i]);
      if (d < distance) {
        distance = d;
        best = i + 7;
      }
    }
  }
  return best;
}
