import { describe, expect, it } from 'vitest';
import { decodeFormat, formatCodeword, hammingDistance, readFormatBits } from '../../../src/scan/decode/format-info';
import { decodeVersion, readVersionBits, versionCodeword } from '../../../src/scan/decode/version-info';
import { blockLayout, totalCodewords } from '../../../src/scan/decode/ec-blocks';
import { maskApplies, maskRows } from '../../../src/scan/decode/data-mask';
import { reservedModules } from '../../../src/scan/decode/codeword-order';
import { forEachFunctionModule } from '../../../src/scan/function-patterns';
import { encodeModules } from '../../support/qr-modules';

/** Flips the listed bits. */
function flip(value: number, ...bits: number[]): number {
  let v = value;
  for (const b of bits) v ^= 1 << b;
  return v;
}

describe('format information', () => {
  it('matches ISO/IEC 18004 Annex C: level M, mask 101 -> 100000011001110', () => {
    expect(formatCodeword(0b00101)).toBe(0b100000011001110);
    // Level and mask 0 is all zero before the mask pattern.
    expect(formatCodeword(0)).toBe(0x5412);
  });

  it('decodes every format with up to three bit errors, in either copy', () => {
    const levels = ['M', 'L', 'H', 'Q'];
    for (let data = 0; data < 32; data++) {
      const good = formatCodeword(data);
      const bad = flip(good, data % 15, (data + 4) % 15, (data + 9) % 15);
      expect(hammingDistance(good, bad)).toBe(3);
      expect(decodeFormat([bad, bad])).toMatchObject({ level: levels[data >> 3], mask: data & 7, distance: 3 });
      expect(decodeFormat([0, flip(good, 14)])).toMatchObject({ level: levels[data >> 3], mask: data & 7, distance: 1 });
    }
  });

  it('refuses both copies four bits or more from every codeword', () => {
    // Valid codewords are at least 7 apart; find words at distance >= 4 from all of them.
    let refused = 0;
    for (let bits = 0; bits < 1 << 15; bits += 97) {
      let nearest = 15;
      for (let data = 0; data < 32; data++) nearest = Math.min(nearest, hammingDistance(bits, formatCodeword(data)));
      if (nearest < 4) continue;
      expect(decodeFormat([bits, bits])).toBe(undefined);
      refused++;
    }
    expect(refused).toBeGreaterThan(10);
  });

  it('reads both copies where the encoder put them', () => {
    const { modules, dimension } = encodeModules('QP1:TEST', { level: 'Q', version: 3, mask: 6 });
    const dark = (r: number, c: number) => modules[r * dimension + c] === 1;
    const expected = formatCodeword((0b11 << 3) | 6);
    expect(readFormatBits(dark, dimension)).toEqual([expected, expected]);
  });
});

describe('version information', () => {
  it('matches ISO/IEC 18004 Annex D for versions 7 and 40', () => {
    expect(versionCodeword(7)).toBe(0x07c94);
    expect(versionCodeword(40)).toBe(0x28c69);
  });

  it('decodes versions 7-40 with up to three bit errors and refuses four', () => {
    for (let version = 7; version <= 40; version++) {
      const good = versionCodeword(version);
      expect(decodeVersion([flip(good, 0, 8, 17), 0])).toBe(version);
      expect(decodeVersion([0x3ffff, flip(good, version % 18)])).toBe(version);
    }
    // Version codewords are at least 8 apart: four errors leave a word four or more from every codeword.
    const four = flip(versionCodeword(12), 1, 5, 9, 13);
    expect(decodeVersion([four, four])).toBe(undefined);
  });

  it('reads both copies where the encoder put them', () => {
    const { modules, dimension } = encodeModules('QP1:TEST', { level: 'L', version: 9 });
    const dark = (r: number, c: number) => modules[r * dimension + c] === 1;
    expect(readVersionBits(dark, dimension)).toEqual([versionCodeword(9), versionCodeword(9)]);
  });
});

describe('block layout', () => {
  it('gives the capacities of ISO/IEC 18004 Table 9', () => {
    expect(totalCodewords(1)).toBe(26);
    expect(totalCodewords(7)).toBe(196);
    expect(totalCodewords(10)).toBe(346);
    expect(totalCodewords(40)).toBe(3706);
    // 1-M: one block of 16 data + 10 EC, two codewords of misdecode protection -> 4 errors.
    expect(blockLayout(1, 'M')).toEqual({ dataPerBlock: [16], ecPerBlock: 10, maxErrors: 4, totalCodewords: 26 });
    // 5-Q: 2 blocks of 15 and 2 of 16 data codewords, 18 EC each.
    expect(blockLayout(5, 'Q')).toEqual({ dataPerBlock: [15, 15, 16, 16], ecPerBlock: 18, maxErrors: 9, totalCodewords: 134 });
    // 40-H: 20 blocks of 15 and 61 of 16.
    const h40 = blockLayout(40, 'H');
    expect(h40.dataPerBlock.filter((d) => d === 15)).toHaveLength(20);
    expect(h40.dataPerBlock.filter((d) => d === 16)).toHaveLength(61);
  });
});

describe('data masks', () => {
  it('follow ISO/IEC 18004 Table 10 at a few modules', () => {
    // (row, col) -> masks that invert it.
    const expected: Array<[number, number, number[]]> = [
      [0, 0, [0, 1, 2, 3, 4, 5, 6, 7]],
      [1, 2, [3, 4, 6]],
      [2, 3, [1, 2, 4, 5, 6]],
      [3, 5, [0, 4, 7]],
    ];
    for (const [row, col, masks] of expected) {
      const applies: number[] = [];
      for (let m = 0; m < 8; m++) if (maskApplies(m, row, col)) applies.push(m);
      expect(applies).toEqual(masks);
    }
  });

  it('maskRows is maskApplies at every module, for every mask and a grid of each size class', () => {
    for (const dimension of [21, 25, 45, 65, 177]) {
      for (let mask = 0; mask < 8; mask++) {
        const { period, rows } = maskRows(mask, dimension);
        expect(rows.length).toBe(period * dimension);
        let wrong = 0;
        for (let row = 0; row < dimension; row++) {
          for (let col = 0; col < dimension; col++) if ((rows[(row % period) * dimension + col] === 1) !== maskApplies(mask, row, col)) wrong++;
        }
        expect([dimension, mask, wrong]).toEqual([dimension, mask, 0]);
      }
    }
    expect(() => maskRows(8, 21)).toThrow(RangeError);
  });
});

describe('reserved modules', () => {
  /** The reserved modules as the standard lists them: every function module, both format copies, version information. */
  function oracle(dimension: number): Uint8Array {
    const reserved = new Uint8Array(dimension * dimension);
    forEachFunctionModule(dimension, (row, col) => {
      reserved[row * dimension + col] = 1;
    });
    for (let i = 0; i <= 8; i++) {
      reserved[8 * dimension + i] = 1;
      reserved[i * dimension + 8] = 1;
    }
    for (let i = 0; i < 8; i++) {
      reserved[8 * dimension + dimension - 1 - i] = 1;
      reserved[(dimension - 1 - i) * dimension + 8] = 1;
    }
    if (dimension >= 45) {
      for (let a = 0; a < 6; a++) {
        for (let b = dimension - 11; b < dimension - 8; b++) {
          reserved[a * dimension + b] = 1;
          reserved[b * dimension + a] = 1;
        }
      }
    }
    return reserved;
  }

  it('are exactly the function patterns, format and version information, for every version', () => {
    for (let version = 1; version <= 40; version++) {
      const dimension = 17 + 4 * version;
      expect([version, reservedModules(dimension)]).toEqual([version, Array.from(oracle(dimension))]);
    }
  });
});
