// A frame without a code delivered as YUV422 (YUYV, the ESP32 camera's default): scanFrame converts only the rows
// the scanner reads, taking each pixel's Y byte.
import type { Frame } from '../../hal/camera';
import { scanFrame } from '../../src/scan/scanner';
import { frameWithoutCode } from './scan-frames';

export function prepare(): Frame {
  const { width, height, data } = frameWithoutCode();
  const yuyv = new Uint8Array(width * height * 2).fill(128);
  for (let i = 0; i < width * height; i++) yuyv[2 * i] = data[i];
  return { imageType: 'yuv422', width, height, stride: width * 2, data: yuyv, timestamp: 0, sequence: 0 };
}

export function op(frame: Frame): void {
  if (scanFrame(frame).kind !== 'none') throw new Error('expected no code');
}
