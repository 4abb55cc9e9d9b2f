// The scanner on a 320x240 frame with a version-10 code.
import type { LumaImage } from '../../src/frame/luma';
import { scanLuma } from '../../src/scan/scanner';
import { frameWithV10Code } from './scan-frames';

export const prepare = frameWithV10Code;

export function op(frame: LumaImage & { text: string }): void {
  const result = scanLuma(frame);
  if (result.kind !== 'code' || result.text !== frame.text) throw new Error('expected the version-10 payload');
}
