/**
 * Resamples the code's module grid out of the frame: one luma sample per
 * module centre (through the module-to-pixel homography: the pixel under it,
 * or the bilinear mean around it), then a threshold from a local mean (a QR
 * code is balanced dark/light by its mask, and a local mean follows glare and
 * shadow across the code): one per block of 3x3 modules, from the 3x3 blocks
 * around it (the quick grid), or one per module, from its 9x9-module
 * neighbourhood (the thorough grid). The modules go to our own grid decoder; if it
 * fails they are rendered as a clean synthetic image, one pixel per module
 * with a light quiet zone, always dark-on-light: the smallest image jsQR can
 * read, whatever size the code had in the frame. Function patterns (finders,
 * timing, alignment) are painted in exactly.
 */
import type { LumaImage } from '../frame/luma';
import type { Homography } from './homography';
import { forEachFunctionModule } from './function-patterns';

export interface SyntheticCode extends LumaImage {
  /** Quiet-zone width in modules (= pixels) around the grid. */
  quiet: number;
}

const neighbourhood = 4;
/** Pixels a row's end points must lie inside the frame by for the row to be sampled untested: far more than the rounding of 177 steps. */
const margin = 1e-3;
/** Modules a side of the blocks that share a threshold in `thresholdModulesByBlock`. */
const blockSide = 3;

/**
 * How a module centre is read: the pixel under it (one typed-array read, what
 * quirc and jsQR do), or the bilinear mean of the four around it (four reads,
 * steadier on blurred codes and on modules under ~2 pixels).
 */
export type ModuleFilter = 'nearest' | 'bilinear';

/**
 * Luma at each module centre, row-major, `dimension` x `dimension`. The map is
 * inlined and stepped along each row (numerators and denominator are linear in
 * u): on XS a method call and its property reads per module cost more than
 * the sample itself.
 */
export function sampleModules(image: LumaImage, toPixel: Homography, dimension: number, filter: ModuleFilter): number[] {
  const { width, height, data } = image;
  const { a11, a21, a31, a12, a22, a32, a13, a23, a33 } = toPixel;
  // A plain array of integers 0..255: XS writes (and the threshold reads) its elements in about half the
  // instructions of a typed array's.
  const samples: number[] = new Array(dimension * dimension).fill(255);
  const nearest = filter === 'nearest';
  // Where a sample point may lie: the pixel under it in the frame, or (bilinear) the four pixel centres around
  // it, which sit at integer + 0.5. Outside (or NaN) reads as light.
  const low = nearest ? 0 : 0.5;
  const xEnd = width - low;
  const yEnd = height - low;
  const last = dimension - 1;
  let i = 0;
  for (let v = 0; v < dimension; v++) {
    const y = v + 0.5;
    let numeratorX = 0.5 * a11 + a21 * y + a31;
    let numeratorY = 0.5 * a12 + a22 * y + a32;
    let denominator = 0.5 * a13 + a23 * y + a33;
    // A row of modules maps to a segment of the frame (the denominator keeps its sign along it): when both ends
    // are inside, with a margin for the rounding of the steps, so is every point, and none is tested.
    const lastX = (numeratorX + last * a11) / (denominator + last * a13);
    const lastY = (numeratorY + last * a12) / (denominator + last * a13);
    const firstX = numeratorX / denominator;
    const firstY = numeratorY / denominator;
    const inside = denominator * (denominator + last * a13) > 0 &&
      firstX >= low + margin && firstX < xEnd - margin && firstY >= low + margin && firstY < yEnd - margin &&
      lastX >= low + margin && lastX < xEnd - margin && lastY >= low + margin && lastY < yEnd - margin;
    // One loop per filter: a test a module of which one it is costs ~1 M instructions on a version-12 grid.
    if (nearest) {
      for (let u = 0; u < dimension; u++, i++, numeratorX += a11, numeratorY += a12, denominator += a13) {
        const px = numeratorX / denominator;
        const py = numeratorY / denominator;
        // Inside, the coordinates are non-negative, so `| 0` floors.
        if (inside || (px >= low && py >= low && px < xEnd && py < yEnd)) samples[i] = data[(py | 0) * width + (px | 0)];
      }
      continue;
    }
    for (let u = 0; u < dimension; u++, i++, numeratorX += a11, numeratorY += a12, denominator += a13) {
      const px = numeratorX / denominator;
      const py = numeratorY / denominator;
      if (!inside && !(px >= low && py >= low && px < xEnd && py < yEnd)) continue;
      const fx = px - 0.5;
      const fy = py - 0.5;
      const x = fx | 0;
      const row = fy | 0;
      const ax = fx - x;
      const o = row * width + x;
      // Each of the four pixels read once (a typed-array read is ~370 XS instructions).
      const topLeft = data[o];
      const bottomLeft = data[o + width];
      const top = topLeft + (data[o + 1] - topLeft) * ax;
      const bottom = bottomLeft + (data[o + width + 1] - bottomLeft) * ax;
      samples[i] = (top + (bottom - top) * (fy - row)) | 0;
    }
  }
  return samples;
}

/**
 * Thresholds the samples into the code's modules: 1 for a dark module of the
 * code (in its own polarity, so an inverted code reads like a normal one), 0
 * for a light one, row-major.
 */
export function thresholdModules(samples: ArrayLike<number>, dimension: number, darkModules: boolean): Uint8Array {
  const side = dimension + 1;
  // Summed-area table over the samples for O(1) neighbourhood means. Plain arrays, not typed ones: XS reads an
  // Array element in about half the instructions of a typed array's.
  const table: number[] = new Array(side * side).fill(0);
  for (let v = 0, i = 0; v < dimension; v++) {
    let row = 0;
    const above = v * side + 1;
    const here = above + side;
    for (let u = 0; u < dimension; u++, i++) {
      row += samples[i];
      table[here + u] = table[above + u] + row;
    }
  }
  // The neighbourhood's column bounds depend on u alone: computed once, not per module (Math.min and Math.max
  // are calls on XS).
  const low: number[] = new Array(dimension).fill(0);
  const high: number[] = new Array(dimension).fill(0);
  for (let u = 0; u < dimension; u++) {
    low[u] = u > neighbourhood ? u - neighbourhood : 0;
    high[u] = u + neighbourhood + 1 < dimension ? u + neighbourhood + 1 : dimension;
  }
  const modules = new Uint8Array(dimension * dimension);
  const dark = darkModules ? 1 : 0;
  for (let v = 0, i = 0; v < dimension; v++) {
    const top = low[v] * side;
    const bottom = high[v] * side;
    const rows = high[v] - low[v];
    for (let u = 0; u < dimension; u++, i++) {
      const u0 = low[u];
      const u1 = high[u];
      const total = table[bottom + u1] - table[top + u1] - table[bottom + u0] + table[top + u0];
      // 1 where the module is darker than its neighbourhood's mean, for a code of dark modules; the reverse for an inverted one.
      modules[i] = (samples[i] * rows * (u1 - u0) < total ? 1 : 0) === dark ? 1 : 0;
    }
  }
  return modules;
}

/**
 * `thresholdModules` at under half the cost, for the scanner's first attempt,
 * in place: the samples are overwritten with the modules and that array is
 * returned (no second grid-sized array: on the device an Array element is a
 * 16-byte slot, and a plain array is cheaper to write and to read on XS than a
 * typed one). The grid is cut into blocks of 3x3 modules (the
 * last row and column of blocks may be narrower) and every module of a block
 * is held to one mean: that of the 3x3 blocks around its block, clipped to the
 * grid, a 9x9-module neighbourhood centred within a module of each of them.
 * One mean a block instead of one a module: on XS the per-module work is a
 * read, a comparison and a write. The exact neighbourhoods read a few blurred
 * and occluded codes these do not (5 of the corpus's 3,600 frames, net): the
 * scanner falls back to them.
 */
export function thresholdModulesByBlock(samples: number[], dimension: number, darkModules: boolean): number[] {
  const blocks = Math.ceil(dimension / blockSide);
  // Each block's sum, from the modules' rows three at a time. Plain arrays, not typed ones: XS reads an Array
  // element in about half the instructions of a typed array's.
  const cells = blocks * blocks;
  const sums: number[] = new Array(cells).fill(0);
  const full = dimension - (dimension % blockSide);
  for (let v = 0, i = 0; v < dimension; v++) {
    let k = ((v / blockSide) | 0) * blocks;
    let u = 0;
    for (; u < full; u += blockSide, i += blockSide, k++) sums[k] += samples[i] + samples[i + 1] + samples[i + 2];
    for (; u < dimension; u++, i++) sums[k] += samples[i];
  }
  // Modules across blocks b - 1..b + 1, clipped to the grid: the neighbourhood is span[bv] x span[bu] modules.
  const span: number[] = new Array(blocks).fill(0);
  for (let b = 0; b < blocks; b++) span[b] = ((b + 2) * blockSide < dimension ? (b + 2) * blockSide : dimension) - (b > 0 ? (b - 1) * blockSide : 0);
  // The neighbourhood sums, separably: three blocks across, then three of those down.
  const across: number[] = new Array(cells).fill(0);
  for (let k = 0, bu = 0; k < cells; k++, bu = bu + 1 === blocks ? 0 : bu + 1) {
    across[k] = (bu > 0 ? sums[k - 1] : 0) + sums[k] + (bu + 1 < blocks ? sums[k + 1] : 0);
  }
  const means: number[] = new Array(cells).fill(0);
  for (let k = 0, bu = 0, bv = 0; k < cells; k++, bu++) {
    if (bu === blocks) {
      bu = 0;
      bv++;
    }
    const total = (bv > 0 ? across[k - blocks] : 0) + across[k] + (bv + 1 < blocks ? across[k + blocks] : 0);
    means[k] = total / (span[bv] * span[bu]);
  }
  // Each module is read (for its block's sum, above, and here) before it is overwritten.
  const modules = samples;
  // Darker than the mean is 1 for a code of dark modules, 0 for an inverted one.
  const darker = darkModules ? 1 : 0;
  const lighter = 1 - darker;
  for (let v = 0, i = 0; v < dimension; v++) {
    let k = ((v / blockSide) | 0) * blocks;
    let u = 0;
    for (; u < full; u += blockSide, i += blockSide, k++) {
      const mean = means[k];
      modules[i] = samples[i] < mean ? darker : lighter;
      modules[i + 1] = samples[i + 1] < mean ? darker : lighter;
      modules[i + 2] = samples[i + 2] < mean ? darker : lighter;
    }
    for (const mean = means[k]; u < dimension; u++, i++) modules[i] = samples[i] < mean ? darker : lighter;
  }
  return modules;
}

/** Renders thresholded modules dark-on-light, one pixel per module, function patterns painted in. */
export function renderSynthetic(modules: Uint8Array, dimension: number): SyntheticCode {
  // jsQR needs four modules of quiet zone to find a version 1-2 code at one pixel per module (measured:
  // every version 2 code fails with two); larger codes read with two.
  const quiet = dimension <= 25 ? 4 : 2;
  const size = dimension + 2 * quiet;
  const out = new Uint8Array(size * size).fill(255);
  for (let v = 0; v < dimension; v++) {
    for (let u = 0; u < dimension; u++) {
      if (modules[v * dimension + u] === 1) out[(v + quiet) * size + u + quiet] = 0;
    }
  }
  forEachFunctionModule(dimension, (row, col, dark) => {
    out[(row + quiet) * size + col + quiet] = dark ? 0 : 255;
  });
  return { width: size, height: size, data: out, quiet };
}
