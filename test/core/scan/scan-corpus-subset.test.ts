/**
 * A representative slice of the frame corpus, generated on the engine under
 * test (the XS lane runs this on XS): the scanner reads each code correctly,
 * and reports no code where there is none. The full corpus, with success
 * rates beside plain jsQR, is test/node/scan-corpus.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { scanLuma } from '../../../src/scan/scanner';
import { generateFrame, type Category } from '../../support/corpus/corpus';

// One frame per kind of difficulty; `occlusion` #1 and `perspective` #9 are read by the crop fallback,
// the rest by the grid path.
const readable: [Category, number][] = [
  ['rotation', 2],
  ['perspective', 5],
  ['blur', 3],
  ['noise', 2],
  ['low-contrast', 1],
  ['glare', 1],
  ['inverted', 1],
  ['occlusion', 1],
  ['perspective', 9],
  ['scale', 1],
];

describe('corpus subset', () => {
  for (const [category, seed] of readable) {
    it(`reads ${category} #${seed}`, () => {
      const frame = generateFrame(category, seed);
      const result = scanLuma(frame);
      expect(result.kind).toBe('code');
      if (result.kind !== 'code') return;
      expect(result.text).toBe(frame.text);
      expect(result.version).toBe(frame.version);
      // The corners land near where the generator drew them (the crop path reports jsQR's own, coarser, estimate).
      const drawn = frame.corners!;
      const found = [result.corners.topLeft, result.corners.topRight, result.corners.bottomRight, result.corners.bottomLeft];
      const tolerance = result.path === 'grid' ? 2 : 3.5;
      for (let i = 0; i < 4; i++) expect(Math.hypot(found[i].x - drawn[i].x, found[i].y - drawn[i].y)).toBeLessThan(tolerance);
    });
  }

  it('finds nothing in a frame without a code', () => {
    expect(scanLuma(generateFrame('no-code', 1)).kind).toBe('none');
  });

  it('never reports a payload for a code too small to read', () => {
    const result = scanLuma(generateFrame('too-small', 1));
    expect(result.kind === 'none' || result.kind === 'unreadable').toBe(true);
  });
});
