/**
 * Reads the codewords out of a module grid (ISO/IEC 18004 section 7.7.3):
 * two-module-wide columns from the right edge, upwards then downwards in
 * turn, right module before left, skipping the vertical timing column and
 * every module that is not data (function patterns, format and version
 * information). Bits are most significant first; the remainder bits that do
 * not fill a codeword are dropped.
 */
import { maskApplies } from './data-mask';
import { forEachFunctionModule } from '../function-patterns';

/**
 * 1 where a module is not data, row-major. Built for each grid, not cached in the module: module state
 * written at run time is read only once the module is preloaded into flash (docs/moddable.md).
 */
export function reservedModules(dimension: number): Uint8Array {
  const reserved = new Uint8Array(dimension * dimension);
  forEachFunctionModule(dimension, (row, col) => {
    reserved[row * dimension + col] = 1;
  });
  // Format information (both copies) and the dark module beside the bottom-left finder.
  for (let i = 0; i <= 8; i++) {
    reserved[8 * dimension + i] = 1;
    reserved[i * dimension + 8] = 1;
  }
  for (let i = 0; i < 8; i++) {
    reserved[8 * dimension + dimension - 1 - i] = 1;
    reserved[(dimension - 1 - i) * dimension + 8] = 1;
  }
  if (dimension >= 45) {
    // Version information: 6x3 above the bottom-left finder, 3x6 left of the top-right one.
    for (let a = 0; a < 6; a++) {
      for (let b = dimension - 11; b < dimension - 8; b++) {
        reserved[a * dimension + b] = 1;
        reserved[b * dimension + a] = 1;
      }
    }
  }
  return reserved;
}

/** The unmasked codewords of a `dimension`-sided grid (1 = dark), `count` of them. */
export function readCodewords(modules: Uint8Array, dimension: number, mask: number, count: number): Uint8Array {
  const reserved = reservedModules(dimension);
  const out = new Uint8Array(count);
  let byte = 0;
  let bits = 0;
  let index = 0;
  let upwards = true;
  for (let right = dimension - 1; right > 0 && index < count; right -= 2) {
    if (right === 6) right = 5;
    for (let step = 0; step < dimension; step++) {
      const row = upwards ? dimension - 1 - step : step;
      for (let c = 0; c < 2; c++) {
        const col = right - c;
        const at = row * dimension + col;
        if (reserved[at]) continue;
        // Any value other than 1 is light, as in the format and version readers.
        let bit = modules[at] === 1 ? 1 : 0;
        if (maskApplies(mask, row, col)) bit ^= 1;
        byte = (byte << 1) | bit;
        if (++bits === 8) {
          if (index < count) out[index++] = byte;
          byte = 0;
          bits = 0;
        }
      }
    }
    upwards = !upwards;
  }
  return out;
}
