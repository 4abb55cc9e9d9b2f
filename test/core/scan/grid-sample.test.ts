import { describe, expect, it } from 'vitest';
import { thresholdModules } from '../../../src/scan/grid-sample';
import { Random } from '../../support/corpus/random';

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

  it('reads a uniform grid as no module darker than its mean: all 0, or all 1 in the polarity of an inverted code', () => {
    const samples = new Array(21 * 21).fill(90);
    expect([...thresholdModules(samples, 21, true)].every((m) => m === 0)).toBe(true);
    expect([...thresholdModules(samples, 21, false)].every((m) => m === 1)).toBe(true);
  });
});
