/**
 * The 320x240 frames the scanner benchmark measures, from the corpus
 * generator: a counter-top scene without a code, a version-10 payment code
 * (about 3.1 px per module, slightly rotated, sensor noise) and a version-4
 * one (about 3.3 px per module, the size of a compact payment code); plain
 * jsQR reads both codes too, so the baseline decodes the same payloads.
 */
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
