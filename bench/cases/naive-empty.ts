// Baseline on the frame without a code: luma to RGBA, jsQR default options.
import type { LumaImage } from '../../src/frame/luma';
import { naiveDecode } from './naive-jsqr';
import { frameWithoutCode } from './scan-frames';

export const prepare = frameWithoutCode;

export function op(frame: LumaImage): void {
  if (naiveDecode(frame) !== undefined) throw new Error('expected no code');
}
