import { describe, expect, it } from 'vitest';
import { pickTriple } from '../../../src/scan/finder-triple';
import { scanForFinders } from '../../../src/scan/finder-scan';
import { crossRuns } from '../../../src/scan/runs';
import type { LumaImage } from '../../../src/frame/luma';
import { categories, generateFrame } from '../../support/corpus/corpus';
import { Random } from '../../support/corpus/random';
import { renderQrLuma } from '../../support/qr-frame';

function sorted<T extends { x: number; y: number }>(points: T[]): T[] {
  return points.slice().sort((a, b) => a.y - b.y || a.x - b.x);
}

describe('finder pre-scan', () => {
  it('finds the three finders of a code, at their centres', () => {
    // Quiet zone from (40, 20), 3 px per module: finder centres 4 + 3.5 modules in.
    const qr = renderQrLuma('QRPAY:FINDERS', { width: 320, height: 240, scale: 3, x: 40, y: 20 });
    const side = 17 + 4 * qr.version;
    const at = (col: number, row: number) => ({ x: 40 + (4 + col) * 3, y: 20 + (4 + row) * 3, darkCentre: true });
    const found = scanForFinders(qr).map((f) => ({ x: f.x, y: f.y, darkCentre: f.darkCentre }));
    expect(sorted(found)).toEqual(sorted([at(3.5, 3.5), at(side - 3.5, 3.5), at(3.5, side - 3.5)]));
  });

  it('reports light-centred finders for an inverted code', () => {
    const qr = renderQrLuma('QRPAY:INVERTED', { width: 320, height: 240, scale: 3, x: 40, y: 20, light: 20, dark: 235 });
    const side = 17 + 4 * qr.version;
    const found = scanForFinders(qr);
    // The three finders, light-centred (data modules may form a look-alike too: the triple check sorts that out).
    for (const [col, row] of [[3.5, 3.5], [side - 3.5, 3.5], [3.5, side - 3.5]]) {
      const match = found.filter((f) => f.x === 40 + (4 + col) * 3 && f.y === 20 + (4 + row) * 3);
      expect(match).toHaveLength(1);
      expect(match[0].darkCentre).toBe(false);
    }
  });

  it('skips look-alikes inside a code whose timing pattern joins its first two finders, never a finder of the code', () => {
    // Corpus clean frame 10: its data holds a 1:1:3:1:1 look-alike that passes every cross-check.
    const frame = generateFrame('clean', 10);
    const skipping = scanForFinders(frame);
    const all = scanForFinders(frame, { skipCodeInterior: false });
    expect(skipping.length).toBe(3);
    expect(all.length).toBeGreaterThan(skipping.length);
    expect(skipping.every((f) => all.some((g) => g.x === f.x && g.y === f.y))).toBe(true);
    // The same triple, with and without skipping, on frames turned, tilted and noisy.
    for (const category of ['clean', 'rotation', 'perspective', 'noise', 'inverted'] as const) {
      for (let seed = 1; seed <= 6; seed++) {
        const f = generateFrame(category, seed);
        const triple = (finders: ReturnType<typeof scanForFinders>) => (finders.length >= 3 ? pickTriple(finders) : undefined);
        expect([category, seed, triple(scanForFinders(f))]).toEqual([category, seed, triple(scanForFinders(f, { skipCodeInterior: false }))]);
      }
    }
  });

  it('reads every other sampled row of a frame without a code, and finds exactly what a scan of every row does', () => {
    const rowsRead = (frame: LumaImage, options = {}) => {
      const rows: number[] = [];
      const finders = scanForFinders(frame, options, undefined, [], undefined, (first, last) => {
        if (first === last) rows.push(first);
      });
      return { finders, rows };
    };
    const sampled = (from: number, step: number) => Array.from({ length: Math.ceil((240 - from) / step) }, (_, k) => from + k * step);
    // The benchmark's counter-top scene: no evidence on the sparse rows, so they are all it reads.
    const empty = rowsRead(generateFrame('no-code', 1));
    expect(empty).toEqual({ finders: [], rows: sampled(2, 10) });
    expect(rowsRead(generateFrame('no-code', 1), { sparseFirst: false })).toEqual({ finders: [], rows: sampled(2, 5) });
    // A code: the sparse rows down to the first evidence, then the rest, each sampled row read at least once.
    const code = rowsRead(generateFrame('clean', 1));
    expect([...new Set(code.rows)].sort((a, b) => a - b)).toEqual(sampled(2, 5));
    expect(code.rows.length).toBeLessThanOrEqual(sampled(2, 5).length + 1);
    // The same finders in the same order as a scan of every sampled row, on frames of every kind.
    for (const category of categories) {
      for (let seed = 1; seed <= 3; seed++) {
        const f = generateFrame(category, seed);
        expect([category, seed, scanForFinders(f)]).toEqual([category, seed, scanForFinders(f, { sparseFirst: false })]);
      }
    }
  });

  it('takes a candidate passing the vertical cross-check on a sparse row as evidence, and a lone finder between them not', () => {
    // A lone finder, 2 px a module, on a flat wall: no code data around it to give evidence.
    const loneFinder = (top: number): LumaImage => {
      const width = 320;
      const height = 240;
      const data = new Uint8Array(width * height).fill(200);
      for (let row = 0; row < 7; row++) {
        for (let col = 0; col < 7; col++) {
          const ring = row === 0 || row === 6 || col === 0 || col === 6;
          const stone = row >= 2 && row <= 4 && col >= 2 && col <= 4;
          if (!ring && !stone) continue;
          for (let dy = 0; dy < 2; dy++) data.fill(30, (top + 2 * row + dy) * width + 100 + 2 * col, (top + 2 * row + dy) * width + 102 + 2 * col);
        }
      }
      return { width, height, data };
    };
    // Stone on rows 29..34: sampled row 32 is a sparse one.
    expect(scanForFinders(loneFinder(25))).toEqual([{ x: 107, y: 32, moduleSize: 2, darkCentre: true }]);
    // Stone on rows 24..29: only row 27 crosses it, between the sparse rows 22 (its ring) and 32 (its bottom edge).
    expect(scanForFinders(loneFinder(20), { sparseFirst: false })).toEqual([{ x: 107, y: 27, moduleSize: 2, darkCentre: true }]);
    expect(scanForFinders(loneFinder(20))).toEqual([]);
  });

  it('gives the same answer whether or not the buffer allows 32-bit word reads', () => {
    const frame = generateFrame('rotation', 2);
    const unaligned = new Uint8Array(frame.data.length + 1).subarray(1);
    unaligned.set(frame.data);
    const a = scanForFinders(frame);
    const b = scanForFinders({ width: frame.width, height: frame.height, data: unaligned });
    expect(a.length).toBeGreaterThanOrEqual(3);
    expect(b).toEqual(a);
  });

  it('reads a width that is not a multiple of four (from a padded copy of each row), to the last column', () => {
    for (const width of [321, 322, 323]) {
      // The code against the right edge: its right finders lie in the last, partial block of each row.
      const qr = renderQrLuma('QRPAY:ODD-WIDTH', { width, height: 240, scale: 3, x: 0, y: 20 });
      const side = 17 + 4 * qr.version;
      const left = width - (side + 8) * 3;
      const shifted = renderQrLuma('QRPAY:ODD-WIDTH', { width, height: 240, scale: 3, x: left, y: 20 });
      const at = (col: number, row: number) => ({ x: left + (4 + col) * 3, y: 20 + (4 + row) * 3, darkCentre: true });
      const found = scanForFinders(shifted).map((f) => ({ x: f.x, y: f.y, darkCentre: f.darkCentre }));
      expect(sorted(found)).toEqual(sorted([at(3.5, 3.5), at(side - 3.5, 3.5), at(3.5, side - 3.5)]));
    }
  });

  it('finds nothing in black, white or flat grey frames', () => {
    for (const value of [0, 2, 128, 253, 255]) {
      expect(scanForFinders({ width: 64, height: 48, data: new Uint8Array(64 * 48).fill(value) })).toEqual([]);
    }
  });
});

describe('runs through a point', () => {
  // One row of pixels: dark (0) and light (255) runs; the line through pixel `x` in either direction.
  const row = (...runs: [number, number][]) => {
    const data = Uint8Array.from(runs.flatMap(([value, length]) => new Array<number>(length).fill(value)));
    return { width: data.length, height: 1, data };
  };
  const finderRow = row([255, 2], [0, 2], [255, 2], [0, 6], [255, 2], [0, 2], [255, 2]);

  it('reads the five runs around the centre run, and where that run starts and ends', () => {
    expect(crossRuns(finderRow, 8.5, 0.5, 1, 0, 128, 10)).toEqual({ runs: [2, 2, 6, 2, 2], from: -2, to: 3 });
    // The same runs walked the other way round, and down a one-pixel-wide column.
    expect(crossRuns(finderRow, 8.5, 0.5, -1, 0, 128, 10)).toEqual({ runs: [2, 2, 6, 2, 2], from: -3, to: 2 });
    const column = { width: 1, height: finderRow.width, data: finderRow.data };
    expect(crossRuns(column, 0.5, 8.5, 0, 1, 128, 10)).toEqual({ runs: [2, 2, 6, 2, 2], from: -2, to: 3 });
  });

  it('takes the image edge as the end of an outer run only', () => {
    const toEdge = row([0, 2], [255, 2], [0, 6], [255, 2], [0, 2]);
    expect(crossRuns(toEdge, 6.5, 0.5, 1, 0, 128, 10)).toEqual({ runs: [2, 2, 6, 2, 2], from: -2, to: 3 });
    const innerAtEdge = row([255, 2], [0, 6], [255, 2], [0, 2], [255, 2]);
    expect(crossRuns(innerAtEdge, 4.5, 0.5, 1, 0, 128, 10)).toBeUndefined();
    expect(crossRuns(row([0, 12]), 6.5, 0.5, 1, 0, 128, 20)).toBeUndefined();
  });

  it('refuses a walk longer than maxRun on one side of the start, and a start outside the image', () => {
    // The centre run is 4 pixels from the start on (start included) and 3 back.
    expect(crossRuns(finderRow, 8.5, 0.5, 1, 0, 128, 3)).toBeUndefined();
    expect(crossRuns(finderRow, 8.5, 0.5, 1, 0, 128, 4)).toBeDefined();
    expect(crossRuns(finderRow, 8.5, 0.5, 1, 0, 128, 1)).toBeUndefined();
    expect(crossRuns(finderRow, -0.5, 0.5, 1, 0, 128, 10)).toBeUndefined();
    expect(crossRuns(finderRow, 18.5, 0.5, 1, 0, 128, 10)).toBeUndefined();
  });

  /**
   * The definition, pixel by pixel: from the start pixel along the line, the run of its own colour, the other
   * colour's, its own again; a run longer than maxRun, or the edge before the third run starts, fails.
   */
  function referenceCrossRuns(image: { width: number; height: number; data: Uint8Array }, x0: number, y0: number, dx: number, dy: number, threshold: number, maxRun: number) {
    const dark = (x: number, y: number) => image.data[y * image.width + x] < threshold;
    const inside = (x: number, y: number) => x >= 0 && y >= 0 && x < image.width && y < image.height;
    const side = (sx: number, sy: number): number[] | undefined => {
      const runs: number[] = [];
      let x = x0;
      let y = y0;
      for (let k = 0; k < 3; k++) {
        const colour = k === 1 ? !dark(x0, y0) : dark(x0, y0);
        let length = 0;
        while (inside(x, y) && dark(x, y) === colour) {
          length++;
          x += sx;
          y += sy;
        }
        if (length > maxRun || (k < 2 && !inside(x, y))) return undefined;
        runs.push(length);
      }
      return runs;
    };
    const forward = side(dx, dy);
    const backward = forward && side(-dx, -dy);
    if (!forward || !backward) return undefined;
    return { runs: [backward[2], backward[1], forward[0] + backward[0] - 1, forward[1], forward[2]], from: -(backward[0] - 1), to: forward[0] - 1 };
  }

  it('gives the runs of the definition on random images, from every start pixel in all eight directions', () => {
    const random = new Random(419);
    const directions = [[1, 0], [0, 1], [1, 1], [1, -1], [-1, 0], [0, -1], [-1, -1], [-1, 1]];
    let defined = 0;
    let checked = 0;
    for (let trial = 0; trial < 16; trial++) {
      // One-pixel-wide and -high images among them (a diagonal leaves those at once).
      const width = trial < 2 ? 1 : random.int(2, 24);
      const height = trial === 2 ? 1 : random.int(2, 20);
      // Runs of random lengths, so that finder-like and long runs both occur.
      const data = new Uint8Array(width * height);
      for (let i = 0, value = 0, left = 0; i < data.length; i++, left--) {
        if (left <= 0) {
          value = random.int(0, 255);
          left = random.int(1, 5);
        }
        data[i] = value;
      }
      const image = { width, height, data };
      const threshold = random.int(1, 255);
      const maxRun = random.int(1, 8);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          for (const [dx, dy] of directions) {
            const expected = referenceCrossRuns(image, x, y, dx, dy, threshold, maxRun);
            expect(crossRuns(image, x + 0.5, y + 0.5, dx, dy, threshold, maxRun)).toEqual(expected);
            checked++;
            if (expected) defined++;
          }
        }
      }
    }
    // Both answers occur often enough for the comparison to mean something.
    expect(defined).toBeGreaterThan(100);
    expect(checked - defined).toBeGreaterThan(100);
  });
});
