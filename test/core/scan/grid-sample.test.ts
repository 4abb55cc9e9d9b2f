import { describe, expect, it } from 'vitest';
import { sampleModules, thresholdModules, thresholdModulesByBlock } from '../../../src/scan/grid-sample';
import { quadToQuad } from '../../../src/scan/homography';
import { codeGeometry } from '../../../src/scan/code-geometry';
import { decodeGrid } from '../../../src/scan/decode/decode-grid';
import { scanForFinders } from '../../../src/scan/finder-scan';
import { pickTriple } from '../../../src/scan/finder-triple';
import { scanLuma } from '../../../src/scan/scanner';
import { generateFrame } from '../../support/corpus/corpus';
import { Random } from '../../support/corpus/random';
import type { LumaImage } from '../../../src/frame/luma';

/** The definition: each module against the mean of the modules within 4 of it in both directions, clipped to the grid. */
function referenceThreshold(samples: number[], dimension: number, darkModules: boolean): Uint8Array {
  const out = new Uint8Array(dimension * dimension);
  for (let v = 0; v < dimension; v++) {
    for (let u = 0; u < dimension; u++) {
      let total = 0;
      let count = 0;
      for (let y = Math.max(0, v - 4); y <= Math.min(dimension - 1, v + 4); y++) {
        for (let x = Math.max(0, u - 4); x <= Math.min(dimension - 1, u + 4); x++) {
          total += samples[y * dimension + x];
          count++;
        }
      }
      const darker = samples[v * dimension + u] * count < total;
      out[v * dimension + u] = darker === darkModules ? 1 : 0;
    }
  }
  return out;
}

/** The definition: module (u, v) against the mean of the modules of blocks (u/3 ± 1, v/3 ± 1), clipped to the grid. */
function referenceBlockThreshold(samples: number[], dimension: number, darkModules: boolean): Uint8Array {
  const out = new Uint8Array(dimension * dimension);
  for (let v = 0; v < dimension; v++) {
    for (let u = 0; u < dimension; u++) {
      const bu = Math.floor(u / 3);
      const bv = Math.floor(v / 3);
      let total = 0;
      let count = 0;
      for (let y = Math.max(0, 3 * (bv - 1)); y < Math.min(dimension, 3 * (bv + 2)); y++) {
        for (let x = Math.max(0, 3 * (bu - 1)); x < Math.min(dimension, 3 * (bu + 2)); x++) {
          total += samples[y * dimension + x];
          count++;
        }
      }
      const darker = samples[v * dimension + u] < total / count;
      out[v * dimension + u] = darker === darkModules ? 1 : 0;
    }
  }
  return out;
}

/** The definitions: the pixel under each module centre, or the bilinear mean of the four pixel centres around it; light outside. */
function referenceSamples(image: LumaImage, map: (u: number, v: number) => { x: number; y: number }, dimension: number, filter: 'nearest' | 'bilinear'): number[] {
  const at = (x: number, y: number) => image.data[y * image.width + x];
  const out: number[] = [];
  for (let v = 0; v < dimension; v++) {
    for (let u = 0; u < dimension; u++) {
      const { x, y } = map(u + 0.5, v + 0.5);
      if (filter === 'nearest') {
        out.push(x >= 0 && y >= 0 && x < image.width && y < image.height ? at(Math.floor(x), Math.floor(y)) : 255);
        continue;
      }
      const fx = x - 0.5;
      const fy = y - 0.5;
      if (!(fx >= 0 && fy >= 0 && fx < image.width - 1 && fy < image.height - 1)) {
        out.push(255);
        continue;
      }
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * (fx - x0);
      const bottom = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * (fx - x0);
      out.push(Math.floor(top + (bottom - top) * (fy - y0)));
    }
  }
  return out;
}

describe('module sampling', () => {
  it('reads the pixel under each module centre, or the bilinear mean around it, through a projective map that leaves the frame', () => {
    const random = new Random(7);
    const image: LumaImage = { width: 37, height: 29, data: Uint8Array.from({ length: 37 * 29 }, () => random.int(0, 255)) };
    const dimension = 25;
    const square = [{ x: 0, y: 0 }, { x: dimension, y: 0 }, { x: dimension, y: dimension }, { x: 0, y: dimension }];
    // A tilted, foreshortened grid whose right columns fall off the image (every row tested point by point), and
    // one inside it but for its bottom-left corner (rows sampled untested, and the last rows tested).
    const leaving = quadToQuad(square, [{ x: 3.3, y: 1.7 }, { x: 44.2, y: 4.1 }, { x: 39.6, y: 27.9 }, { x: 1.2, y: 25.4 }]);
    const inside = quadToQuad(square, [{ x: 2.1, y: 0.6 }, { x: 35.8, y: 2.9 }, { x: 33.2, y: 28.4 }, { x: -0.7, y: 29.3 }]);
    for (const toPixel of [leaving, inside]) {
      for (const filter of ['nearest', 'bilinear'] as const) {
        const samples = sampleModules(image, toPixel, dimension, filter);
        expect(samples).toEqual(referenceSamples(image, (u, v) => toPixel.map(u, v), dimension, filter));
        expect(samples.filter((s) => s === 255).length).toBeGreaterThan(toPixel === leaving ? dimension : 0);
      }
    }
  });

  it('leaves to the thorough grid the blurred code the quick one misreads, and the scanner still reads it', () => {
    // Corpus blur frame 15: 3.4 px modules under a box blur.
    const frame = generateFrame('blur', 15);
    const triple = pickTriple(scanForFinders(frame))!;
    const toPixel = codeGeometry(frame, triple);
    const { dimension, darkModules } = triple;
    const quick = thresholdModulesByBlock(sampleModules(frame, toPixel, dimension, 'nearest'), dimension, darkModules);
    const thorough = thresholdModules(sampleModules(frame, toPixel, dimension, 'bilinear'), dimension, darkModules);
    expect(decodeGrid(quick, dimension).ok).toBe(false);
    expect(decodeGrid(thorough, dimension).ok).toBe(true);
    const result = scanLuma(frame);
    expect(result.kind === 'code' && result.text === frame.text && result.path === 'grid').toBe(true);
  });
});

describe('module thresholds', () => {
  it('marks each module against its clipped 9x9 neighbourhood, in either polarity, at every size from 1 to 29 and at version 10', () => {
    const random = new Random(18004);
    for (const dimension of [1, 2, 3, 4, 5, 6, 8, 9, 10, 13, 21, 25, 29, 57]) {
      // A lighting ramp across the grid under the modules, and flat stretches where sample and mean can tie.
      const samples = Array.from({ length: dimension * dimension }, (_, i) =>
        i % 7 === 0 ? 128 : Math.min(255, (random.next() < 0.5 ? 40 : 200) + ((i % dimension) * 2) + random.int(-20, 20)) | 0);
      for (const darkModules of [true, false]) {
        expect(thresholdModules(samples, dimension, darkModules)).toEqual(referenceThreshold(samples, dimension, darkModules));
      }
    }
  });

  it('holds each block of 3x3 modules to the mean of the 3x3 blocks around it, clipped, in either polarity, at every size', () => {
    const random = new Random(1804);
    for (const dimension of [1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 21, 25, 29, 57, 65]) {
      const samples = Array.from({ length: dimension * dimension }, (_, i) =>
        i % 5 === 0 ? 128 : Math.min(255, (random.next() < 0.5 ? 40 : 200) + ((i % dimension) * 2) + random.int(-20, 20)) | 0);
      for (const darkModules of [true, false]) {
        const expected = Array.from(referenceBlockThreshold(samples, dimension, darkModules));
        const grid = samples.slice();
        const modules = thresholdModulesByBlock(grid, dimension, darkModules);
        // In place: the samples' array now holds the modules.
        expect(modules).toBe(grid);
        expect(modules).toEqual(expected);
      }
    }
    // Where a block's mean differs from a module's own neighbourhood's, the two thresholds differ.
    const ramp = Array.from({ length: 21 * 21 }, (_, i) => ((i % 21) * 12 + (i % 3 === 1 ? 5 : 0)) % 256);
    expect(thresholdModulesByBlock(ramp.slice(), 21, true)).not.toEqual(Array.from(thresholdModules(ramp, 21, true)));
  });

  it('reads a uniform grid as no module darker than its mean: all 0, or all 1 in the polarity of an inverted code', () => {
    const samples = new Array(21 * 21).fill(90);
    expect([...thresholdModules(samples, 21, true)].every((m) => m === 0)).toBe(true);
    expect([...thresholdModules(samples, 21, false)].every((m) => m === 1)).toBe(true);
    expect(thresholdModulesByBlock(samples.slice(), 21, true).every((m) => m === 0)).toBe(true);
    expect(thresholdModulesByBlock(samples.slice(), 21, false).every((m) => m === 1)).toBe(true);
  });
});
