/**
 * PNG files as the scene a simulated camera looks at (pngjs). Transparent
 * pixels are composited over white, like a code printed on paper.
 *
 * pngjs is an optional peer dependency: it is loaded on the first PNG decoded,
 * not when this module is imported, so the simulator HAL with a rendered scene
 * runs without it. Absent, decoding fails with Node's MODULE_NOT_FOUND, which
 * the `qrpay` command reports as "needs the package pngjs".
 */
import type { PNG } from 'pngjs';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { HalError } from '../errors';
import type { Frame, ImageType } from '../camera';
import type { LumaImage } from '../../src/frame/luma';
import { rgbToFrame, type RgbImage } from '../portable/rgb-to-frame';

/** pngjs, loaded at the point of use (synchronously: it is CommonJS, and decoding is synchronous). */
function loadPngjs(): typeof import('pngjs') {
  return createRequire(import.meta.url)('pngjs') as typeof import('pngjs');
}

export function decodePng(bytes: Uint8Array): RgbImage {
  const pngjs = loadPngjs();
  let png: PNG;
  try {
    png = pngjs.PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new HalError('io', `not a readable PNG: ${error instanceof Error ? error.message : error}`);
  }
  const { width, height, data } = png;
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0, o = 0; i < data.length; i += 4, o += 3) {
    const alpha = data[i + 3];
    for (let c = 0; c < 3; c++) rgb[o + c] = (data[i + c] * alpha + 255 * (255 - alpha) + 127) / 255;
  }
  return { width, height, rgb };
}

export function readPngFile(path: string): RgbImage {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new HalError('io', `cannot read ${path}: ${error instanceof Error ? error.message : error}`);
  }
  return decodePng(bytes);
}

/** One frame in the requested layout, as the sensor would deliver this picture. */
export function pngToFrame(bytes: Uint8Array, imageType: ImageType = 'gray8'): Frame {
  return rgbToFrame(decodePng(bytes), imageType);
}

/** The picture as 8-bit luma (BT.601 weights, as `src/frame/luma.ts`). */
export function decodePngToLuma(bytes: Uint8Array): LumaImage {
  const frame = pngToFrame(bytes, 'gray8');
  return { width: frame.width, height: frame.height, data: frame.data };
}
