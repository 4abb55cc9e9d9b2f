/**
 * The 320x240 frames the scanner benchmark measures, from the corpus
 * generator: a counter-top scene without a code, a version-10 payment code
 * (about 3.1 px per module, slightly rotated, sensor noise) and a version-4
 * one (about 3.3 px per module, the size of a compact payment code); plain
 * jsQR reads both codes too, so the baseline decodes the same payloads.
 */
import type { Frame } from '../../hal/camera';
import type { LumaImage } from '../../src/frame/luma';
import { generateFrame } from '../../test/support/corpus/corpus';

export function frameWithoutCode(): LumaImage {
  return generateFrame('no-code', 1);
}

function codeFrame(seed: number, version: number): LumaImage & { text: string } {
  const frame = generateFrame('clean', seed);
  if (frame.version !== version || !frame.text) throw new Error(`corpus clean #${seed} is version ${frame.version}, expected ${version}`);
  return { ...frame, text: frame.text };
}

export const frameWithV10Code = () => codeFrame(50, 10);
export const frameWithV4Code = () => codeFrame(7, 4);

/** The luma as a packed YUYV frame (chroma a flat 128), as a camera in YUV422 delivers it. */
export function asYuyv({ width, height, data }: LumaImage): Frame {
  const yuyv = new Uint8Array(width * height * 2).fill(128);
  for (let i = 0; i < width * height; i++) yuyv[2 * i] = data[i];
  return { imageType: 'yuv422', width, height, stride: width * 2, data: yuyv, timestamp: 0, sequence: 0 };
}
