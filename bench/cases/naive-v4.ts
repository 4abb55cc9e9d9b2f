// Baseline on the version-4 frame: luma to RGBA, jsQR default options.
import type { LumaImage } from '../../src/frame/luma';
import { naiveDecode } from './naive-jsqr';
import { frameWithV4Code } from './scan-frames';

export const prepare = frameWithV4Code;

export function op(frame: LumaImage & { text: string }): void {
  if (naiveDecode(frame) !== frame.text) throw new Error('expected the version-4 payload');
}
