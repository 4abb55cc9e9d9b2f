import { describe, expect, it } from 'vitest';
import { scanForFinders } from '../../../src/scan/finder-scan';
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

  it('finds nothing in black, white or flat grey frames', () => {
    for (const value of [0, 2, 128, 253, 255]) {
      expect(scanForFinders({ width: 64, height: 48, data: new Uint8Array(64 * 48).fill(value) })).toEqual([]);
    }
  });
});
