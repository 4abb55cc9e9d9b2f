/**
 * The two 320x240 frames the scanner benchmark measures, from the corpus
 * generator: a counter-top scene without a code, and a version-10 payment
 * code (about 3.1 px per module, slightly rotated, sensor noise;
 * one that plain jsQR reads too, so the baseline decodes the same payload).
 */
import type { LumaImage } from '../../src/frame/luma';
import { generateFrame } from '../../test/support/corpus/corpus';

export function frameWithoutCode(): LumaImage {
  return generateFrame('no-code', 1);
}

export function frameWithV10Code(): LumaImage & { text: string } {
  const frame = generateFrame('clean', 50);
  if (frame.version !== 10 || !frame.text) throw new Error(`corpus clean #50 is version ${frame.version}, expected 10`);
  return { ...frame, text: frame.text };
}
