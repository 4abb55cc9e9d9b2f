import { describe, expect, it } from 'vitest';
import { packedStride, resizeRgb, rgbToFrame, rgbToFrameData } from '../../../hal/portable/rgb-to-frame';
import { toLuma } from '../../../src/frame/luma';

const image = { width: 3, height: 1, rgb: Uint8Array.of(255, 255, 255, 255, 0, 0, 0, 0, 255) };

describe('RGB to camera frames', () => {
  it('packs rows: gray8 one byte, rgb565le two, yuv422 whole pixel pairs', () => {
    expect([packedStride('gray8', 3), packedStride('rgb565le', 3), packedStride('yuv422', 3)]).toEqual([3, 6, 8]);
  });

  it('converts known pixels into each layout', () => {
    expect(Array.from(rgbToFrameData(image, 'gray8'))).toEqual([255, 76, 28]);
    // white 0xffff, red 0xf800, blue 0x001f, little-endian
    expect(Array.from(rgbToFrameData(image, 'rgb565le'))).toEqual([0xff, 0xff, 0x00, 0xf8, 0x1f, 0x00]);
    // pair (white, red): chroma of their average (255, 128, 128); odd last blue pixel pairs with itself
    expect(Array.from(rgbToFrameData(image, 'yuv422'))).toEqual([255, 106, 76, 191, 28, 255, 28, 107]);
  });

  it('gives frames whose luma matches gray8 (RGB565 exactly too for saturated colours)', () => {
    const gray = toLuma(rgbToFrame(image, 'gray8')).data;
    expect(toLuma(rgbToFrame(image, 'yuv422')).data).toEqual(gray);
    expect(toLuma(rgbToFrame(image, 'rgb565le')).data).toEqual(gray);
    const frame = rgbToFrame(image, 'rgb565le', 1234, 5);
    expect(frame).toMatchObject({ width: 3, height: 1, stride: 6, timestamp: 1234, sequence: 5 });
  });

  it('resizes by nearest neighbour and validates sizes', () => {
    const doubled = resizeRgb(image, 6, 2);
    expect(Array.from(rgbToFrameData(doubled, 'gray8'))).toEqual([255, 255, 76, 76, 28, 28, 255, 255, 76, 76, 28, 28]);
    expect(resizeRgb(image, 3, 1)).toBe(image);
    expect(() => resizeRgb(image, 0, 1)).toThrow(RangeError);
    expect(() => rgbToFrameData({ width: 2, height: 2, rgb: new Uint8Array(3) }, 'gray8')).toThrow(RangeError);
  });
});
