/**
 * A PNG file to the luma a camera would deliver: pixels composited over white,
 * packed as RGB565 (what the ESP32 camera drivers emit) and converted by the
 * firmware's own `toLuma`, so the CLI sees what the terminal would see.
 */
import { PNG } from 'pngjs';
import type { Frame } from '../../hal/camera';
import { toLuma, type LumaImage } from '../../src/frame/luma';

export function pngToLuma(file: Uint8Array): LumaImage {
  const png = PNG.sync.read(Buffer.from(file.buffer, file.byteOffset, file.byteLength));
  const { width, height, data } = png;
  const rgb565 = new Uint8Array(width * height * 2);
  for (let i = 0; i < width * height; i++) {
    const alpha = data[4 * i + 3];
    const over = (c: number) => Math.round((c * alpha + 255 * (255 - alpha)) / 255);
    const r = over(data[4 * i]);
    const g = over(data[4 * i + 1]);
    const b = over(data[4 * i + 2]);
    const pixel = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
    rgb565[2 * i] = pixel & 0xff;
    rgb565[2 * i + 1] = pixel >> 8;
  }
  const frame: Frame = { imageType: 'rgb565le', width, height, stride: width * 2, data: rgb565, timestamp: 0, sequence: 0 };
  return toLuma(frame);
}

/** Box-averages by an integer factor (a photo or screenshot down to camera resolution). */
export function downscale(image: LumaImage, factor: number): LumaImage {
  const width = Math.floor(image.width / factor);
  const height = Math.floor(image.height / factor);
  const data = new Uint8Array(width * height);
  const area = factor * factor;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (let dy = 0; dy < factor; dy++) {
        const row = (y * factor + dy) * image.width + x * factor;
        for (let dx = 0; dx < factor; dx++) sum += image.data[row + dx];
      }
      data[y * width + x] = Math.round(sum / area);
    }
  }
  return { width, height, data };
}
