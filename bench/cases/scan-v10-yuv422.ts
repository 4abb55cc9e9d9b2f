// The version-10 frame delivered as YUV422 (YUYV): once a finder is confirmed, scanFrame converts every row.
import type { Frame } from '../../hal/camera';
import { scanFrame } from '../../src/scan/scanner';
import { asYuyv, frameWithV10Code } from './scan-frames';

export function prepare(): Frame & { text: string } {
  const frame = frameWithV10Code();
  return { ...asYuyv(frame), text: frame.text };
}

export function op(frame: Frame & { text: string }): void {
  const result = scanFrame(frame);
  if (result.kind !== 'code' || result.text !== frame.text) throw new Error('expected the version-10 payload');
}
