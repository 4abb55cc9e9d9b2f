/**
 * The first pipeline stage: any camera frame to 8-bit luma, the only input the
 * scanner reads. One pass, integer arithmetic only.
 */
import type { Frame } from '../../hal/camera';

export interface LumaImage {
  readonly width: number;
  readonly height: number;
  /** width * height bytes, rows packed (stride == width). */
  readonly data: Uint8Array;
}

/** Returns luma for the frame; a packed gray8 frame is returned without copying. */
export function toLuma(frame: Frame, out?: Uint8Array): LumaImage {
  const { width, height, stride, data } = frame;
  if (frame.imageType === 'gray8' && stride === width && !out) {
    return { width, height, data: data.subarray(0, width * height) };
  }
  const luma = out ?? new Uint8Array(width * height);
  if (luma.length < width * height) throw new RangeError('luma buffer too small');
  switch (frame.imageType) {
    case 'gray8':
      for (let y = 0; y < height; y++) luma.set(data.subarray(y * stride, y * stride + width), y * width);
      break;
    case 'rgb565le':
      rgb565leToLuma(data, width, height, stride, luma);
      break;
    case 'yuv422':
      yuyvToLuma(data, width, height, stride, luma);
      break;
    default:
      throw new TypeError(`unknown image type ${(frame as Frame).imageType}`);
  }
  return { width, height, data: luma };
}

/**
 * BT.601 luma from RGB565: Y = (77 R + 150 G + 29 B) >> 8 on 8-bit channels,
 * each channel widened by replicating its top bits.
 *
 * The sum before the shift is linear in the bits, and every widened channel
 * splits into bits of one byte or the other, so it is the sum of one table
 * entry per byte: the low byte holds B and the low three bits of G (widened G
 * = g6 << 2 | g6 >> 4, and the g6 >> 4 part comes from the high byte's bits
 * only), the high byte R and the high three bits of G. Two 256-entry tables
 * and one add per pixel instead of a dozen operations: on XS every operation
 * costs about the same, whatever it computes.
 */
const fromLowByte = new Uint16Array(256);
const fromHighByte = new Uint16Array(256);
for (let byte = 0; byte < 256; byte++) {
  const b5 = byte & 0x1f;
  const gLow = byte >> 5;
  fromLowByte[byte] = 150 * (gLow << 2) + 29 * ((b5 << 3) | (b5 >> 2));
  const r5 = byte >> 3;
  const gHigh = byte & 7;
  fromHighByte[byte] = 77 * ((r5 << 3) | (r5 >> 2)) + 150 * ((gHigh << 5) | (gHigh >> 1));
}

export function rgb565leToLuma(src: Uint8Array, width: number, height: number, stride: number, out: Uint8Array): void {
  const low = fromLowByte;
  const high = fromHighByte;
  let o = 0;
  for (let y = 0; y < height; y++) {
    const end = o + width;
    for (let i = y * stride; o < end; i += 2) out[o++] = (low[src[i]] + high[src[i + 1]]) >> 8;
  }
}

/** YUYV already carries luma: every other byte. */
export function yuyvToLuma(src: Uint8Array, width: number, height: number, stride: number, out: Uint8Array): void {
  let o = 0;
  for (let y = 0; y < height; y++) {
    let i = y * stride;
    for (let x = 0; x < width; x++, i += 2) out[o++] = src[i];
  }
}
