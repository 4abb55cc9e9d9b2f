import { describe, expect, it } from 'vitest';
import { decodeGrid } from '../../../src/scan/decode/decode-grid';
import { scanLuma } from '../../../src/scan/scanner';
import type { EcLevel } from '../../../src/scan/decode/ec-blocks';
import { encodeModules, seededRandom } from '../../support/qr-modules';
import { paymentText } from '../../support/qr-payloads';
import { renderQrLuma } from '../../support/qr-frame';

const levels: EcLevel[] = ['L', 'M', 'Q', 'H'];
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

describe('grid decoder on codes from the qrcode encoder', () => {
  it('reads versions 1-40 exactly (levels and masks cycled; the Node suite covers every level)', () => {
    for (let version = 1; version <= 40; version++) {
      const level = levels[version % 4];
      const mask = version % 8;
      const text = paymentText(version, level, 0.6);
      const { modules, dimension } = encodeModules(text, { level, version, mask });
      const decoded = decodeGrid(modules, dimension);
      expect(decoded).toMatchObject({ ok: true, text, version, level, mask, corrected: 0 });
      if (decoded.ok) expect(decoded.bytes).toEqual(ascii(text));
    }
  });

  it('reads numeric, byte and mixed segments the way jsQR reports them', () => {
    const numeric = encodeModules([{ data: '0123456789012', mode: 'numeric' }], { level: 'M', version: 2 });
    expect(decodeGrid(numeric.modules, numeric.dimension)).toMatchObject({ ok: true, text: '0123456789012' });
    const bytes = Uint8Array.from([0x51, 0x50, 0x31, 0xff, 0x00, 0xc3, 0xa9]);
    const binary = encodeModules([{ data: bytes, mode: 'byte' }], { level: 'Q', version: 3 });
    const read = decodeGrid(binary.modules, binary.dimension);
    expect(read).toMatchObject({ ok: true, text: 'QP1\u00ff\u0000\u00c3\u00a9' });
    if (read.ok) expect(read.bytes).toEqual(bytes);
    const mixed = encodeModules([{ data: 'QP1:', mode: 'alphanumeric' }, { data: '20260', mode: 'numeric' }, { data: 'caf\u00e9', mode: 'byte' }], { level: 'L', version: 4 });
    expect(decodeGrid(mixed.modules, mixed.dimension)).toMatchObject({ ok: true, text: 'QP1:20260caf\u00e9' });
  });

  it('corrects damaged modules and refuses a grid damaged past every block capacity', () => {
    const text = paymentText(5, 'Q', 0.9);
    const { modules, dimension } = encodeModules(text, { level: 'Q', version: 5 });
    const damaged = modules.slice();
    // A 5x5 blot in the data area: a few codewords in a few blocks.
    for (let r = 20; r < 25; r++) for (let c = 20; c < 25; c++) damaged[r * dimension + c] ^= 1;
    const fixed = decodeGrid(damaged, dimension);
    expect(fixed).toMatchObject({ ok: true, text });
    if (fixed.ok) expect(fixed.corrected).toBeGreaterThan(0);
    const ruined = modules.slice();
    for (let r = 9; r < dimension; r++) for (let c = 9; c < dimension; c++) ruined[r * dimension + c] = (r * c) & 1;
    expect(decodeGrid(ruined, dimension)).toEqual({ ok: false, reason: 'too-many-errors' });
  });

  it('refuses unreadable format and version information and bad sizes, without throwing', () => {
    const { modules, dimension } = encodeModules(paymentText(8, 'M', 0.5), { level: 'M', version: 8 });
    const noFormat = modules.slice();
    for (let i = 0; i < 9; i++) {
      noFormat[8 * dimension + i] ^= 1;
      noFormat[i * dimension + 8] ^= 1;
      noFormat[8 * dimension + dimension - 1 - i] ^= 1;
      noFormat[(dimension - 1 - i) * dimension + 8] ^= 1;
    }
    expect(decodeGrid(noFormat, dimension).ok).toBe(false);
    const noVersion = modules.slice();
    for (let a = 0; a < 6; a++) {
      for (let b = dimension - 11; b < dimension - 8; b++) {
        noVersion[a * dimension + b] = 1;
        noVersion[b * dimension + a] = 1;
      }
    }
    expect(decodeGrid(noVersion, dimension)).toEqual({ ok: false, reason: 'version-unreadable' });
    // Read at the wrong size, the grid's version information names another version (or none).
    const smaller = modules.slice(0, 45 * 45);
    expect(decodeGrid(smaller, 45).ok).toBe(false);
    expect(decodeGrid(modules, 50)).toEqual({ ok: false, reason: 'bad-size' });
    expect(decodeGrid(modules, 181)).toEqual({ ok: false, reason: 'bad-size' });
    expect(decodeGrid(new Uint8Array(10), 21)).toEqual({ ok: false, reason: 'bad-size' });
  });

  it('never reads a payload other than the encoded one from mutated grids', () => {
    const random = seededRandom(7);
    const text = paymentText(3, 'L', 0.8);
    const { modules, dimension } = encodeModules(text, { level: 'L', version: 3 });
    let refused = 0;
    for (let trial = 0; trial < 60; trial++) {
      const grid = modules.slice();
      const flips = 1 + Math.floor(random() * 120);
      for (let i = 0; i < flips; i++) grid[Math.floor(random() * grid.length)] ^= 1;
      const decoded = decodeGrid(grid, dimension);
      if (decoded.ok) expect(decoded.text).toBe(text);
      else refused++;
    }
    expect(refused).toBeGreaterThan(0);
    for (let trial = 0; trial < 20; trial++) {
      const grid = new Uint8Array(dimension * dimension);
      for (let i = 0; i < grid.length; i++) grid[i] = random() < 0.5 ? 1 : 0;
      expect(decodeGrid(grid, dimension).ok).toBe(false);
    }
  });
});

describe('scanner grid path', () => {
  it('reads rendered codes of versions 2, 7 and 10 through the grid path', () => {
    for (const [version, level] of [[2, 'H'], [7, 'M'], [10, 'M']] as const) {
      const text = paymentText(version, level, 0.95);
      const frame = renderQrLuma(text, { width: 320, height: 240, scale: 3, errorCorrectionLevel: level });
      expect(frame.version).toBe(version);
      expect(scanLuma(frame)).toMatchObject({ kind: 'code', text, version, path: 'grid' });
    }
  });
});
