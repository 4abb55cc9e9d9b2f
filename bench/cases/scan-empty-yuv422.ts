// A frame without a code delivered as YUV422 (YUYV, the ESP32 camera's default): scanFrame converts only the rows
// the scanner reads, taking each pixel's Y byte.
import type { Frame } from '../../hal/camera';
import { scanFrame } from '../../src/scan/scanner';
import { asYuyv, frameWithoutCode } from './scan-frames';

export const prepare = (): Frame => asYuyv(frameWithoutCode());

export function op(frame: Frame): void {
  if (scanFrame(frame).kind !== 'none') throw new Error('expected no code');
}
