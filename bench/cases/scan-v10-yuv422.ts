// The version-10 frame delivered as YUV422 (YUYV): once a finder is confirmed, scanFrame converts every row.
import type { Frame } from '../../hal/camera';
import { scanFrame } from '../../src/scan/scanner';
import { frameWithV10Code } from './scan-frames';

export function prepare(): Frame & { text: string } {
  const { width, height, data, text } = frameWithV10Code();
  const yuyv = new Uint8Array(width * height * 2).fill(128);
  for (let i = 0; i < width * height; i++) yuyv[2 * i] = data[i];
  return { imageType: 'yuv422', width, height, stride: width * 2, data: yuyv, timestamp: 0, sequence: 0, text };
}

export function op(frame: Frame & { text: string }): void {
  const result = scanFrame(frame);
  if (result.kind !== 'code' || result.text !== frame.text) throw new Error('expected the version-10 payload');
}
