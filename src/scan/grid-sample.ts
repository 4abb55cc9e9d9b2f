/**
 * Resamples the code's module grid out of the frame: one luma sample per
 * module centre (bilinear, through the module-to-pixel homography), then a
 * threshold per module from the mean of its 9x9-module neighbourhood (a QR
 * code is balanced dark/light by its mask, and a local mean follows glare and
 * shadow across the code). The result is rendered as a clean synthetic image,
 * one pixel per module with a light quiet zone, always dark-on-light: the
 * smallest image jsQR can read, whatever size the code had in the frame.
 * Function patterns (finders, timing, alignment) are painted in exactly.
 */
import type { LumaImage } from '../frame/luma';
import type { Homography } from './homography';
import type { Point } from './result';
import { forEachFunctionModule } from './function-patterns';

export interface SyntheticCode extends LumaImage {
  /** Quiet-zone width in modules (= pixels) around the grid. */
  quiet: number;
}

const neighbourhood = 4;

/** Luma at each module centre, row-major, `dimension` x `dimension`. */
export function sampleModules(image: LumaImage, toPixel: Homography, dimension: number): Uint8Array {
  const { width, height, data } = image;
  const samples = new Uint8Array(dimension * dimension);
  const p: Point = { x: 0, y: 0 };
  let i = 0;
  for (let v = 0; v < dimension; v++) {
    for (let u = 0; u < dimension; u++, i++) {
      toPixel.map(u + 0.5, v + 0.5, p);
      // Pixel centres sit at integer + 0.5.
      const fx = p.x - 0.5;
      const fy = p.y - 0.5;
      const x = Math.floor(fx);
      const y = Math.floor(fy);
      if (x < 0 || y < 0 || x + 1 >= width || y + 1 >= height) {
        samples[i] = 255;
        continue;
      }
      const ax = fx - x;
      const ay = fy - y;
      const o = y * width + x;
      const top = data[o] + (data[o + 1] - data[o]) * ax;
      const bottom = data[o + width] + (data[o + width + 1] - data[o + width]) * ax;
      samples[i] = top + (bottom - top) * ay;
    }
  }
  return samples;
}

/** Thresholds the samples and renders them dark-on-light, one pixel per module. */
export function renderSynthetic(samples: Uint8Array, dimension: number, darkModules: boolean): SyntheticCode {
  // jsQR needs four modules of quiet zone to find a version 1-2 code at one pixel per module (measured:
  // every version 2 code fails with two); larger codes read with two.
  const quiet = dimension <= 25 ? 4 : 2;
  const side = dimension + 1;
  // Summed-area table over the samples for O(1) neighbourhood means.
  const table = new Int32Array(side * side);
  for (let v = 0; v < dimension; v++) {
    let row = 0;
    for (let u = 0; u < dimension; u++) {
      row += samples[v * dimension + u];
      table[(v + 1) * side + u + 1] = table[v * side + u + 1] + row;
    }
  }
  const size = dimension + 2 * quiet;
  const out = new Uint8Array(size * size).fill(255);
  for (let v = 0; v < dimension; v++) {
    const v0 = Math.max(0, v - neighbourhood);
    const v1 = Math.min(dimension, v + neighbourhood + 1);
    for (let u = 0; u < dimension; u++) {
      const u0 = Math.max(0, u - neighbourhood);
      const u1 = Math.min(dimension, u + neighbourhood + 1);
      const total = table[v1 * side + u1] - table[v0 * side + u1] - table[v1 * side + u0] + table[v0 * side + u0];
      const isDarker = samples[v * dimension + u] * (v1 - v0) * (u1 - u0) < total;
      if (isDarker === darkModules) out[(v + quiet) * size + u + quiet] = 0;
    }
  }
  forEachFunctionModule(dimension, (row, col, dark) => {
    out[(row + quiet) * size + col + quiet] = dark ? 0 : 255;
  });
  return { width: size, height: size, data: out, quiet };
}
