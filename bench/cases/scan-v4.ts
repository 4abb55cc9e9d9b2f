// The scanner on a 320x240 frame with a version-4 code.
import type { LumaImage } from '../../src/frame/luma';
import { scanLuma } from '../../src/scan/scanner';
import { frameWithV4Code } from './scan-frames';

export const prepare = frameWithV4Code;

export function op(frame: LumaImage & { text: string }): void {
  const result = scanLuma(frame);
  if (result.kind !== 'code' || result.text !== frame.text) throw new Error('expected the version-4 payload');
}
