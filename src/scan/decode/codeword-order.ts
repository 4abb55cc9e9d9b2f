/**
 * Reads the codewords out of a module grid (ISO/IEC 18004 section 7.7.3):
 * two-module-wide columns from the right edge, upwards then downwards in
 * turn, right module before left, skipping the vertical timing column and
 * every module that is not data (function patterns, format and version
 * information). Bits are most significant first; the remainder bits that do
 * not fill a codeword are dropped.
 */
import { maskRows } from './data-mask';
import { alignmentCentres } from '../function-patterns';

/**
 * 1 where a module is not data, row-major: the function patterns (finders with their separators, timing,
 * alignment), format information (both copies and the dark module) and version information, filled as the
 * rectangles they are. Built for each grid, not cached in the module: module state written at run time is read
 * only once the module is preloaded into flash (docs/moddable.md).
 */
export function reservedModules(dimension: number): number[] {
  // A plain array, as `maskRows`'s: cheaper to read on XS than a typed one.
  const reserved: number[] = new Array(dimension * dimension).fill(0);
  const last = dimension - 1;
  const rectangle = (top: number, left: number, rows: number, cols: number) => {
    for (let row = top; row < top + rows; row++) reserved.fill(1, row * dimension + left, row * dimension + left + cols);
  };
  // Each finder with its separator, and beside it the format information (row 8 / column 8; the dark module at
  // (dimension - 8, 8) is in the bottom-left's column).
  rectangle(0, 0, 9, 9);
  rectangle(0, dimension - 8, 9, 8);
  rectangle(dimension - 8, 0, 8, 9);
  // Timing patterns.
  rectangle(6, 0, 1, dimension);
  rectangle(0, 6, dimension, 1);
  const centres = alignmentCentres(dimension);
  for (const row of centres) {
    for (const col of centres) {
      if ((row === 6 && col === 6) || (row === 6 && col === last - 6) || (row === last - 6 && col === 6)) continue;
      rectangle(row - 2, col - 2, 5, 5);
    }
  }
  if (dimension >= 45) {
    // Version information: 6x3 above the bottom-left finder, 3x6 left of the top-right one.
    rectangle(dimension - 11, 0, 3, 6);
    rectangle(0, dimension - 11, 6, 3);
  }
  return reserved;
}

/** The unmasked codewords of a `dimension`-sided grid (1 = dark), `count` of them. */
export function readCodewords(modules: ArrayLike<number>, dimension: number, mask: number, count: number): Uint8Array {
  const reserved = reservedModules(dimension);
  const { period, rows: inverted } = maskRows(mask, dimension);
  const out = new Uint8Array(count);
  // Bits shift in below a leading 1: a codeword is complete when that 1 reaches bit 8, which the Uint8Array
  // write drops (one test a module instead of a bit counter's increment and test).
  let byte = 1;
  let index = 0;
  let upwards = true;
  for (let right = dimension - 1; right > 0 && index < count; right -= 2) {
    if (right === 6) right = 5;
    for (let step = 0; step < dimension; step++) {
      const row = upwards ? dimension - 1 - step : step;
      const at = row * dimension + right;
      const m = (row % period) * dimension + right;
      // The right module, then the left one (written out: on XS a loop over the two costs more than the copy).
      // Any value other than 1 is light, as in the format and version readers.
      if (!reserved[at]) {
        byte = (byte << 1) | ((modules[at] === 1 ? 1 : 0) ^ inverted[m]);
        if (byte > 255) {
          if (index < count) out[index++] = byte;
          byte = 1;
        }
      }
      if (!reserved[at - 1]) {
        byte = (byte << 1) | ((modules[at - 1] === 1 ? 1 : 0) ^ inverted[m - 1]);
        if (byte > 255) {
          if (index < count) out[index++] = byte;
          byte = 1;
        }
      }
    }
    upwards = !upwards;
  }
  return out;
}
