import { describe, expect, it } from 'vitest';
import { scanForFinders } from '../../../src/scan/finder-scan';
import { crossRuns } from '../../../src/scan/runs';
import { generateFrame } from '../../support/corpus/corpus';
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
});
