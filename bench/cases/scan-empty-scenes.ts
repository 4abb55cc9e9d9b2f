// The scanner on the first 20 corpus scenes without a code (gray8), one op scanning all of them: a frame's mean
// cost beside the single scene of `scan-empty`, as scenes with more edges make the pre-scan read every sampled row.
import type { LumaImage } from '../../src/frame/luma';
import { scanLuma } from '../../src/scan/scanner';
import { generateFrame } from '../../test/support/corpus/corpus';

export const scenes = 20;

export function prepare(): LumaImage[] {
  return Array.from({ length: scenes }, (_, k) => generateFrame('no-code', k + 1));
}

export function op(frames: LumaImage[]): void {
  for (const frame of frames) if (scanLuma(frame).kind !== 'none') throw new Error('expected no code');
}
