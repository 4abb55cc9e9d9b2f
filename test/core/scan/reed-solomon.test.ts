import { describe, expect, it } from 'vitest';
import ReedSolomonEncoder from 'qrcode/lib/core/reed-solomon-encoder.js';
import { correctBlock } from '../../../src/scan/decode/reed-solomon';
import { div, exp, log, mul } from '../../../src/scan/decode/gf256';
import { seededRandom } from '../../support/qr-modules';

/** A valid block from qrcode's encoder (an independent implementation): data then EC codewords. */
function encodedBlock(dataLength: number, ecCount: number, random: () => number): Uint8Array {
  const data = new Uint8Array(dataLength);
  for (let i = 0; i < dataLength; i++) data[i] = Math.floor(random() * 256);
  const block = new Uint8Array(dataLength + ecCount);
  block.set(data);
  block.set(new ReedSolomonEncoder(ecCount).encode(data), dataLength);
  return block;
}

/** Changes `count` distinct codewords to different values. */
function corrupt(block: Uint8Array, count: number, random: () => number): Uint8Array {
  const out = block.slice();
  const hit = new Set<number>();
  while (hit.size < count) hit.add(Math.floor(random() * block.length));
  for (const at of hit) out[at] ^= 1 + Math.floor(random() * 255);
  return out;
}

describe('GF(256)', () => {
  it('has generator 2 over 0x11d', () => {
    expect(exp[8]).toBe(0x1d);
    expect(log[0x1d]).toBe(8);
    expect(mul(0x53, 0xca)).toBe(mul(0xca, 0x53));
    for (let a = 1; a < 256; a += 17) expect(div(mul(a, 0x8e), 0x8e)).toBe(a);
  });
});

describe('Reed-Solomon correction', () => {
  it('leaves a valid block alone', () => {
    const block = encodedBlock(19, 7, seededRandom(1));
    const copy = block.slice();
    expect(correctBlock(copy, 7, 3)).toBe(0);
    expect(copy).toEqual(block);
  });

  it('corrects every error count up to capacity', () => {
    const random = seededRandom(2);
    for (const [dataLength, ecCount] of [[16, 10], [19, 7], [43, 24], [118, 30], [15, 30]]) {
      const capacity = ecCount >> 1;
      for (let errors = 1; errors <= capacity; errors++) {
        const block = encodedBlock(dataLength, ecCount, random);
        const damaged = corrupt(block, errors, random);
        expect(correctBlock(damaged, ecCount, capacity)).toBe(errors);
        expect(damaged).toEqual(block);
      }
    }
  });

  it('refuses blocks with errors beyond capacity, and beyond a lower misdecode-protection limit', () => {
    const random = seededRandom(3);
    let refused = 0;
    let trials = 0;
    for (const [dataLength, ecCount] of [[16, 10], [43, 24], [118, 30]]) {
      const capacity = ecCount >> 1;
      for (let errors = capacity + 1; errors <= ecCount + 2; errors++) {
        const block = encodedBlock(dataLength, ecCount, random);
        const damaged = corrupt(block, errors, random);
        trials++;
        const result = correctBlock(damaged, ecCount, capacity);
        // A word can in principle lie within capacity of another codeword; these seeds never do.
        if (result < 0) refused++;
      }
    }
    expect(refused).toBe(trials);
    // 1-M keeps two of its ten EC codewords for misdecode protection: four errors, not five.
    const block = encodedBlock(16, 10, random);
    expect(correctBlock(corrupt(block, 5, random), 10, 4)).toBe(-1);
    expect(correctBlock(corrupt(block, 4, random), 10, 4)).toBe(4);
  });

  it('corrects errors in the error-correction codewords and at both ends', () => {
    const block = encodedBlock(20, 10, seededRandom(4));
    const damaged = block.slice();
    damaged[0] ^= 0xff;
    damaged[29] ^= 0x01;
    damaged[25] ^= 0x80;
    expect(correctBlock(damaged, 10, 5)).toBe(3);
    expect(damaged).toEqual(block);
  });
});
