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
  const convertRow = lumaRows(frame, luma);
  for (let y = 0; y < height; y++) convertRow(y);
  return { width, height, data: luma };
}

/**
 * A converter of the frame's rows into `out` (rows packed, stride == width),
 * one row a call, so a caller can convert only the rows it reads (the
 * scanner's pre-scan reads a tenth of them) into a buffer it allocated once.
 * A YUYV row is one native copy: read as 16-bit pairs (Y the low byte on a
 * little-endian machine), stored into bytes, which keeps each value's low 8
 * bits (ToUint8). RGB565 rows go four pixels a step through 32-bit views of
 * the frame and of `out`, made once a frame, when the buffers and the sizes
 * allow it.
 */
export function lumaRows(frame: Frame, out: Uint8Array): (y: number) => void {
  const { imageType, width, height, stride, data } = frame;
  if (out.length < width * height) throw new RangeError('luma buffer too small');
  if (imageType === 'gray8') return (y) => out.set(data.subarray(y * stride, y * stride + width), y * width);
  if (imageType === 'yuv422') {
    if (!littleEndian || (data.byteOffset & 1) !== 0 || (stride & 1) !== 0) return (y) => yuyvPixels(data, width, y * stride, out, y * width);
    // ~80 XS instructions a pixel against ~660 for the same pairs read and folded in JavaScript.
    const pairs = new Uint16Array(data.buffer, data.byteOffset, data.length >> 1);
    const rowPairs = stride >> 1;
    return (y) => out.set(pairs.subarray(y * rowPairs, y * rowPairs + width), y * width);
  }
  if (imageType !== 'rgb565le') throw new TypeError(`unknown image type ${imageType as string}`);
  const words = littleEndian && (data.byteOffset & 3) === 0 && (stride & 3) === 0 && (out.byteOffset & 3) === 0 && (width & 3) === 0;
  if (!words) return (y) => rgb565lePixels(data, width, y * stride, out, y * width);
  // Int32, not Uint32: a read above 2^31 would leave XS's integer representation.
  const pixels = new Int32Array(data.buffer, data.byteOffset, data.length >> 2);
  const lumas = new Int32Array(out.buffer, out.byteOffset, (width * height) >> 2);
  const rowWords = stride >> 2;
  const lumaWords = width >> 2;
  return (y) => {
    // Two 32-bit reads (two pixels each), four table lookups, one 32-bit write.
    const table = fromPixel;
    for (let i = y * rowWords, k = y * lumaWords, end = k + lumaWords; k < end; i += 2, k++) {
      const a = pixels[i];
      const b = pixels[i + 1];
      lumas[k] = table[a & 0xffff] | (table[a >>> 16] << 8) | (table[b & 0xffff] << 16) | (table[b >>> 16] << 24);
    }
  };
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
  toLuma({ imageType: 'rgb565le', width, height, stride, data: src, timestamp: 0, sequence: 0 }, out);
}

/** Pixel by pixel, for buffers or sizes the 32-bit views do not fit. */
function rgb565lePixels(src: Uint8Array, width: number, from: number, out: Uint8Array, o: number): void {
  const table = fromPixel;
  const end = o + width;
  if (littleEndian && ((src.byteOffset + from) & 1) === 0) {
    const pixels = new Uint16Array(src.buffer, src.byteOffset + from, width);
    for (let i = 0; o < end; i++) out[o++] = table[pixels[i]];
  } else {
    for (let i = from; o < end; i += 2) out[o++] = table[src[i] | (src[i + 1] << 8)];
  }
}

/** YUYV already carries luma: every other byte. */
export function yuyvToLuma(src: Uint8Array, width: number, height: number, stride: number, out: Uint8Array): void {
  toLuma({ imageType: 'yuv422', width, height, stride, data: src, timestamp: 0, sequence: 0 }, out);
}

function yuyvPixels(src: Uint8Array, width: number, from: number, out: Uint8Array, o: number): void {
  const end = o + width;
  for (let i = from; o < end; i += 2) out[o++] = src[i];
}
