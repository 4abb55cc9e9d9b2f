import { describe, expect, it } from 'vitest';
import { lumaRows, rgb565leToLuma, toLuma, yuyvToLuma } from '../../src/frame/luma';
import type { Frame, ImageType } from '../../hal/camera';

function frame(imageType: ImageType, width: number, height: number, stride: number, data: number[]): Frame {
  return { imageType, width, height, stride, data: Uint8Array.from(data), timestamp: 0, sequence: 0 };
}

/** RGB565 pixel value as little-endian bytes. */
function le565(r5: number, g6: number, b5: number): number[] {
  const pixel = (r5 << 11) | (g6 << 5) | b5;
  return [pixel & 0xff, pixel >> 8];
}

describe('toLuma', () => {
  it('maps the RGB565 extremes and primaries to BT.601 luma', () => {
    const data = [...le565(0, 0, 0), ...le565(31, 63, 31), ...le565(31, 0, 0), ...le565(0, 63, 0), ...le565(0, 0, 31)];
    const luma = toLuma(frame('rgb565le', 5, 1, 10, data));
    // (77*255)>>8 = 76, (150*255)>>8 = 149, (29*255)>>8 = 28, (256*255)>>8 = 255
    expect(Array.from(luma.data)).toEqual([0, 255, 76, 149, 28]);
  });

  it('widens RGB565 channels by replicating their top bits', () => {
    // r5 = 16 -> 132, g6 = 32 -> 130, b5 = 16 -> 132: (77*132 + 150*130 + 29*132) >> 8 = 130
    const luma = toLuma(frame('rgb565le', 1, 1, 2, le565(16, 32, 16)));
    expect(Array.from(luma.data)).toEqual([130]);
  });

  it('gives the BT.601 formula exactly for all 65536 RGB565 values (per-byte tables)', () => {
    const data = new Uint8Array(2 * 65536);
    for (let pixel = 0; pixel < 65536; pixel++) {
      data[2 * pixel] = pixel & 0xff;
      data[2 * pixel + 1] = pixel >> 8;
    }
    const luma = toLuma({ imageType: 'rgb565le', width: 256, height: 256, stride: 512, data, timestamp: 0, sequence: 0 });
    let mismatches = 0;
    for (let pixel = 0; pixel < 65536; pixel++) {
      const r5 = pixel >> 11;
      const g6 = (pixel >> 5) & 0x3f;
      const b5 = pixel & 0x1f;
      const expected = (77 * ((r5 << 3) | (r5 >> 2)) + 150 * ((g6 << 2) | (g6 >> 4)) + 29 * ((b5 << 3) | (b5 >> 2))) >> 8;
      if (luma.data[pixel] !== expected) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('gives the same luma four pixels a word, two bytes a pixel aligned and unaligned, and through a row padding', () => {
    const expected = (pixel: number) => {
      const r5 = pixel >> 11;
      const g6 = (pixel >> 5) & 0x3f;
      const b5 = pixel & 0x1f;
      return (77 * ((r5 << 3) | (r5 >> 2)) + 150 * ((g6 << 2) | (g6 >> 4)) + 29 * ((b5 << 3) | (b5 >> 2))) >> 8;
    };
    let seed = 565;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
    // Width 8 (words), 6 (not a multiple of four), each also from a buffer one byte in (unaligned) and with a
    // stride that is not a multiple of four.
    for (const [width, offset, stride] of [[8, 0, 16], [8, 1, 16], [6, 0, 12], [6, 1, 14], [8, 0, 18], [12, 2, 24]]) {
      const height = 3;
      const pixels = Array.from({ length: width * height }, () => next());
      const backing = new Uint8Array(offset + stride * height);
      pixels.forEach((p, i) => {
        const at = offset + Math.floor(i / width) * stride + 2 * (i % width);
        backing[at] = p & 0xff;
        backing[at + 1] = p >> 8;
      });
      const data = backing.subarray(offset);
      const luma = toLuma({ imageType: 'rgb565le', width, height, stride, data, timestamp: 0, sequence: 0 });
      expect([width, offset, stride, Array.from(luma.data)]).toEqual([width, offset, stride, pixels.map(expected)]);
    }
  });

  it('takes the Y bytes of YUYV four pixels a word as one at a time, aligned and unaligned, through a row padding', () => {
    let seed = 422;
    const next = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 16) & 0xff;
    for (const [width, offset, stride] of [[8, 0, 16], [8, 1, 16], [6, 0, 12], [8, 0, 20], [8, 0, 18], [12, 2, 24], [4, 4, 8]]) {
      const height = 3;
      const backing = Uint8Array.from({ length: offset + stride * height }, () => next());
      const data = backing.subarray(offset);
      const expected = Array.from({ length: width * height }, (_, i) => data[Math.floor(i / width) * stride + 2 * (i % width)]);
      const luma = toLuma({ imageType: 'yuv422', width, height, stride, data, timestamp: 0, sequence: 0 });
      expect([width, offset, stride, Array.from(luma.data)]).toEqual([width, offset, stride, expected]);
      // Rows one at a time, in any order, into a buffer of the caller's.
      const out = new Uint8Array(width * height);
      const convertRow = lumaRows({ imageType: 'yuv422', width, height, stride, data, timestamp: 0, sequence: 0 }, out);
      for (const y of [2, 0, 1]) convertRow(y);
      expect(Array.from(out)).toEqual(expected);
    }
  });

  it('takes every other byte of YUYV as luma', () => {
    const luma = toLuma(frame('yuv422', 4, 1, 8, [10, 128, 20, 128, 30, 90, 40, 200]));
    expect(Array.from(luma.data)).toEqual([10, 20, 30, 40]);
  });

  it('skips row padding in every format', () => {
    const gray = toLuma(frame('gray8', 2, 2, 4, [1, 2, 99, 99, 3, 4, 99, 99]));
    expect(Array.from(gray.data)).toEqual([1, 2, 3, 4]);
    const rgb = toLuma(frame('rgb565le', 1, 2, 4, [...le565(31, 63, 31), 7, 7, ...le565(0, 0, 0), 7, 7]));
    expect(Array.from(rgb.data)).toEqual([255, 0]);
    const yuv = toLuma(frame('yuv422', 2, 2, 6, [5, 128, 6, 128, 99, 99, 7, 128, 8, 128, 99, 99]));
    expect(Array.from(yuv.data)).toEqual([5, 6, 7, 8]);
  });

  it('returns a packed gray8 frame without copying, and fills a given buffer otherwise', () => {
    const source = frame('gray8', 2, 1, 2, [9, 8]);
    expect(toLuma(source).data.buffer).toBe(source.data.buffer);
    const out = new Uint8Array(2);
    expect(toLuma(source, out).data).toBe(out);
    expect(Array.from(out)).toEqual([9, 8]);
    expect(() => toLuma(frame('yuv422', 2, 1, 4, [1, 2, 3, 4]), new Uint8Array(1))).toThrow(RangeError);
  });

  it('exposes the per-format converters for callers that manage their own buffers', () => {
    const out = new Uint8Array(2);
    rgb565leToLuma(Uint8Array.from([...le565(31, 63, 31), ...le565(0, 0, 0)]), 2, 1, 4, out);
    expect(Array.from(out)).toEqual([255, 0]);
    yuyvToLuma(Uint8Array.from([1, 0, 2, 0]), 2, 1, 4, out);
    expect(Array.from(out)).toEqual([1, 2]);
  });

  it('refuses an unknown image type', () => {
    expect(() => toLuma(frame('bgr888' as ImageType, 1, 1, 3, [0, 0, 0]))).toThrow(TypeError);
  });
});
