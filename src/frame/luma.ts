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
 */
export function rgb565leToLuma(src: Uint8Array, width: number, height: number, stride: number, out: Uint8Array): void {
  let o = 0;
  for (let y = 0; y < height; y++) {
    let i = y * stride;
    for (let x = 0; x < width; x++, i += 2) {
      const pixel = src[i] | (src[i + 1] << 8);
      const r5 = pixel >> 11;
      const g6 = (pixel >> 5) & 0x3f;
      const b5 = pixel & 0x1f;
      const r = (r5 << 3) | (r5 >> 2);
      const g = (g6 << 2) | (g6 >> 4);
      const b = (b5 << 3) | (b5 >> 2);
      out[o++] = (77 * r + 150 * g + 29 * b) >> 8;
    }
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
