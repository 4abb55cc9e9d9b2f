// The scanner on a 320x240 frame without a code (gray8 luma, as a camera in grayscale mode delivers it).
import type { LumaImage } from '../../src/frame/luma';
import { scanLuma } from '../../src/scan/scanner';
import { frameWithoutCode } from './scan-frames';

export const prepare = frameWithoutCode;

export function op(frame: LumaImage): void {
  if (scanLuma(frame).kind !== 'none') throw new Error('expected no code');
}
