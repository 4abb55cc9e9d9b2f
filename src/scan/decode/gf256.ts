/**
 * Arithmetic in GF(256) with the primitive polynomial x^8 + x^4 + x^3 + x^2 + 1
 * (0x11d) and generator 2, the field of QR Reed-Solomon codes (ISO/IEC 18004
 * section 7.5.2). Products go through log/antilog tables: a few table reads
 * are far cheaper on XS than a bitwise multiply loop.
 */

/** exp[i] = 2^i for i in 0..509 (doubled, so exp[log a + log b] needs no modulo). */
export const exp = new Uint8Array(510);
/** log[a] for a in 1..255; log[0] is unused. */
export const log = new Uint8Array(256);

for (let i = 0, x = 1; i < 255; i++) {
  exp[i] = x;
  exp[i + 255] = x;
  log[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= 0x11d;
}

/** The most error-correction codewords one QR block has (ISO/IEC 18004 table 9). */
export const maxEcPerBlock = 30;

/**
 * timesPower[256 j + a] = a · 2^j for j below `maxEcPerBlock`: a syndrome's Horner step (s · 2^j + c) is then
 * one table read and an XOR instead of two reads, an addition and a zero test (7,680 entries, made at load;
 * in flash when preloaded).
 */
export const timesPower: readonly number[] = makeTimesPower();

function makeTimesPower(): number[] {
  // A plain array: XS reads an Array element in about half the instructions of a typed array's.
  const table: number[] = new Array(maxEcPerBlock * 256).fill(0);
  for (let j = 0; j < maxEcPerBlock; j++) {
    for (let a = 1; a < 256; a++) table[256 * j + a] = exp[log[a] + j];
  }
  return table;
}

export function mul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : exp[log[a] + log[b]];
}

/** a / b for b != 0. */
export function div(a: number, b: number): number {
  return a === 0 ? 0 : exp[log[a] + 255 - log[b]];
}
