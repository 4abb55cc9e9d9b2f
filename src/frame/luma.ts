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
  for (let y = 0; y < height; y++) toLumaRow(frame, y, luma);
  return { width, height, data: luma };
}

/**
 * Converts row `y` of the frame into `out` (rows packed, stride == width), so
 * a caller can convert only the rows it reads (the scanner's pre-scan reads a
 * fifth of them) into a buffer it allocated once.
 */
export function toLumaRow(frame: Frame, y: number, out: Uint8Array): void {
  const { width, height, stride, data } = frame;
  if (out.length < width * height) throw new RangeError('luma buffer too small');
  switch (frame.imageType) {
    case 'gray8':
      out.set(data.subarray(y * stride, y * stride + width), y * width);
      break;
    case 'rgb565le':
      rgb565leRow(data, width, y * stride, out, y * width);
      break;
    case 'yuv422':
      yuyvToLuma(data.subarray(y * stride), width, 1, stride, out.subarray(y * width));
      break;
    default:
      throw new TypeError(`unknown image type ${(frame as Frame).imageType}`);
  }
}

/**
 * BT.601 luma from RGB565: Y = (77 R + 150 G + 29 B) >> 8 on 8-bit channels,
 * each channel widened by replicating its top bits.
 *
 * One table entry per pixel value (64 KB; preloaded, so in flash on a
 * device): on XS every operation costs about the same whatever it computes,
 * so one lookup beats the arithmetic. The table is built from two 256-entry
 * ones: the sum before the shift is linear in the bits, and every widened
 * channel splits into bits of one byte or the other (the low byte holds B and
 * the low three bits of G, widened G = g6 << 2 | g6 >> 4 with the g6 >> 4
 * part from the high byte's bits only; the high byte R and the high three
 * bits of G).
 */
const fromPixel = new Uint8Array(65536);
{
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
  for (let pixel = 0; pixel < 65536; pixel++) fromPixel[pixel] = (fromLowByte[pixel & 0xff] + fromHighByte[pixel >> 8]) >> 8;
}
/** A Uint16Array reads RGB565le pixels whole only on a little-endian machine (ESP32, x86, ARM). */
const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

export function rgb565leToLuma(src: Uint8Array, width: number, height: number, stride: number, out: Uint8Array): void {
  for (let y = 0; y < height; y++) rgb565leRow(src, width, y * stride, out, y * width);
}

function rgb565leRow(src: Uint8Array, width: number, from: number, out: Uint8Array, o: number): void {
  const table = fromPixel;
  const end = o + width;
  if (littleEndian && ((src.byteOffset + from) & 3) === 0 && ((out.byteOffset + o) & 3) === 0 && (width & 3) === 0) {
    // Four pixels a step: two 32-bit reads, one 32-bit write (on XS a typed-array access costs ~370 instructions
    // whatever its width). Int32, not Uint32: a read above 2^31 would leave XS's integer representation.
    const pixels = new Int32Array(src.buffer, src.byteOffset + from, width >> 1);
    const lumas = new Int32Array(out.buffer, out.byteOffset + o, width >> 2);
    for (let i = 0, k = 0; k < lumas.length; i += 2, k++) {
      const a = pixels[i];
      const b = pixels[i + 1];
      lumas[k] = table[a & 0xffff] | (table[a >>> 16] << 8) | (table[b & 0xffff] << 16) | (table[b >>> 16] << 24);
    }
  } else if (littleEndian && ((src.byteOffset + from) & 1) === 0) {
    const pixels = new Uint16Array(src.buffer, src.byteOffset + from, width);
    for (let i = 0; o < end; i++) out[o++] = table[pixels[i]];
  } else {
    for (let i = from; o < end; i += 2) out[o++] = table[src[i] | (src[i + 1] << 8)];
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
