/**
 * The grid decoder on every version and level, through the scanner's grid
 * path, beside jsQR on the same symbols; and the property that no damaged or
 * random grid ever yields a payload other than the one encoded.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeGrid } from '../../src/scan/decode/decode-grid';
import type { EcLevel } from '../../src/scan/decode/ec-blocks';
import { decodeWithJsqr } from '../../src/scan/jsqr-decode';
import { scanLuma } from '../../src/scan/scanner';
import { encodeModules, type QrModules } from '../support/qr-modules';
import { paymentText } from '../support/qr-payloads';

const levels: EcLevel[] = ['L', 'M', 'Q', 'H'];

/** The symbol as a dark-on-light image, `scale` pixels per module, 4 modules of quiet zone. */
function render({ modules, dimension }: QrModules, scale: number) {
  const side = (dimension + 8) * scale;
  const data = new Uint8Array(side * side).fill(230);
  for (let y = 0; y < side; y++) {
    const row = Math.floor(y / scale) - 4;
    if (row < 0 || row >= dimension) continue;
    for (let x = 0; x < side; x++) {
      const col = Math.floor(x / scale) - 4;
      if (col >= 0 && col < dimension && modules[row * dimension + col]) data[y * side + x] = 25;
    }
  }
  return { width: side, height: side, data };
}

describe('grid decoder, versions 1-40 x levels L/M/Q/H', () => {
  for (let version = 1; version <= 40; version++) {
    it(`version ${version}: all levels read exactly, as jsQR reads them where it does${version <= 36 ? ", and through the scanner's grid path" : ''}`, () => {
      for (const level of levels) {
        const text = paymentText(version, level, 0.9, version * 4 + level.charCodeAt(0));
        const symbol = encodeModules(text, { level, version });
        const decoded = decodeGrid(symbol.modules, symbol.dimension);
        expect(decoded).toMatchObject({ ok: true, text, version, level });
        const image = render(symbol, 2);
        const jsqr = decodeWithJsqr(image.data, image.width, image.height, 'dark-on-light');
        // jsQR misses a few large symbols at 2 px per module (one of version 23); where it reads, it reads the same.
        if (jsqr) expect(jsqr.text).toBe(text);
        if (decoded.ok && jsqr) expect(decoded.bytes).toEqual(jsqr.bytes);
        // Versions 37-40 at 2 px per module: the finder pre-scan picks finder look-alikes in the data (a
        // locator limit, not a decoder one; payment codes are versions 2-12).
        if (version <= 36) expect(scanLuma(image)).toMatchObject({ kind: 'code', text, version, path: 'grid' });
      }
    });
  }

  it('reads binary payloads with the same text and bytes on the grid path as jsQR on the image', () => {
    for (const bytes of [[0xd2, 0x84, 0x43, 0xa1, 0x01, 0x26, 0xff, 0x00], [0x51, 0x50, 0x31, 0x3a, 0xe2, 0x82, 0xac]]) {
      const symbol = encodeModules([{ data: Uint8Array.from(bytes), mode: 'byte' }], { level: 'M', version: 3 });
      const image = render(symbol, 3);
      const jsqr = decodeWithJsqr(image.data, image.width, image.height, 'dark-on-light');
      const scanned = scanLuma(image);
      expect(scanned).toMatchObject({ kind: 'code', path: 'grid', text: jsqr?.text });
      if (scanned.kind === 'code') expect(Array.from(scanned.bytes)).toEqual(bytes);
    }
  });
});

describe('grid decoder never reads a payload that was not encoded', () => {
  const symbols = [
    { version: 1, level: 'L' as const },
    { version: 2, level: 'L' as const },
    { version: 4, level: 'M' as const },
    { version: 7, level: 'Q' as const },
    { version: 10, level: 'M' as const },
  ].map(({ version, level }) => {
    const text = paymentText(version, level, 0.8);
    return { text, ...encodeModules(text, { level, version }) };
  });

  it('flipped modules: the encoded payload or a refusal', () => {
    fc.assert(
      fc.property(fc.nat(symbols.length - 1), fc.array(fc.nat(177 * 177 - 1), { minLength: 1, maxLength: 400 }), (which, flips) => {
        const { modules, dimension, text } = symbols[which];
        const grid = modules.slice();
        for (const f of flips) grid[f % grid.length] ^= 1;
        const decoded = decodeGrid(grid, dimension);
        return !decoded.ok || decoded.text === text;
      }),
      { numRuns: 3000, seed: 20261125 },
    );
  });

  it('blots (occluders, glare) painted dark or light: the encoded payload or a refusal', () => {
    fc.assert(
      fc.property(fc.nat(symbols.length - 1), fc.nat(), fc.nat(), fc.integer({ min: 1, max: 30 }), fc.integer({ min: 1, max: 30 }), fc.boolean(), (which, x, y, w, h, dark) => {
        const { modules, dimension, text } = symbols[which];
        const grid = modules.slice();
        const left = x % dimension;
        const top = y % dimension;
        for (let r = top; r < Math.min(dimension, top + h); r++) for (let c = left; c < Math.min(dimension, left + w); c++) grid[r * dimension + c] = dark ? 1 : 0;
        const decoded = decodeGrid(grid, dimension);
        return !decoded.ok || decoded.text === text;
      }),
      { numRuns: 2000, seed: 7 },
    );
  });

  it('random data behind valid function patterns, format and version information: always refused', () => {
    fc.assert(
      fc.property(fc.nat(symbols.length - 1), fc.uint8Array({ minLength: 177 * 177, maxLength: 177 * 177 }), (which, noise) => {
        const { modules, dimension } = symbols[which];
        // Keep the top-left 9x9 corner (format copy 1, finder) and the version blocks; randomise the rest.
        const grid = modules.slice();
        for (let r = 0; r < dimension; r++) {
          for (let c = 0; c < dimension; c++) {
            const keep = (r < 9 && c < 9) || (r < 6 && c >= dimension - 11) || (c < 6 && r >= dimension - 11);
            if (!keep) grid[r * dimension + c] = noise[r * dimension + c] & 1;
          }
        }
        return !decodeGrid(grid, dimension).ok;
      }),
      { numRuns: 1000, seed: 11 },
    );
  });

  it('random grids of every size: refused, never thrown', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 190 }), fc.uint8Array({ minLength: 0, maxLength: 190 * 190 }), (dimension, bytes) => {
        const grid = bytes.map((b) => b & 1);
        return !decodeGrid(grid, dimension).ok;
      }),
      { numRuns: 500, seed: 3 },
    );
  });
});
