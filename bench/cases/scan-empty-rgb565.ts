// A frame without a code delivered as RGB565: scanFrame converts only the rows the scanner reads.
import type { Frame } from '../../hal/camera';
import { scanFrame } from '../../src/scan/scanner';
import { frameWithoutCode } from './scan-frames';

export function prepare(): Frame {
  const { width, height, data } = frameWithoutCode();
  const rgb = new Uint8Array(width * height * 2);
  for (let i = 0; i < width * height; i++) {
    const v = data[i];
    const pixel = ((v >> 3) << 11) | ((v >> 2) << 5) | (v >> 3);
    rgb[2 * i] = pixel & 0xff;
    rgb[2 * i + 1] = pixel >> 8;
  }
  return { imageType: 'rgb565le', width, height, stride: width * 2, data: rgb, timestamp: 0, sequence: 0 };
}

export function op(frame: Frame): void {
  if (scanFrame(frame).kind !== 'none') throw new Error('expected no code');
}
