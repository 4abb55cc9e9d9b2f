/** Camera defects applied to a rendered luma frame, in place. */
import type { Point } from '../../../src/scan/result';
import { clamp } from './scene';
import type { Random } from './random';

/** Separable box blur of the given radius (defocus, motion smear). */
export function boxBlur(data: Uint8Array, width: number, height: number, radius: number): void {
  const tmp = new Float32Array(width * height);
  const span = 2 * radius + 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++) s += data[y * width + Math.min(width - 1, Math.max(0, x + k))];
      tmp[y * width + x] = s / span;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++) s += tmp[Math.min(height - 1, Math.max(0, y + k)) * width + x];
      data[y * width + x] = clamp(s / span);
    }
  }
}

/** Additive sensor noise with the given standard deviation. */
export function sensorNoise(data: Uint8Array, random: Random, sigma: number): void {
  for (let i = 0; i < data.length; i++) data[i] = clamp(data[i] + random.gaussian() * sigma);
}

/** A bright band (a reflection on the phone's screen) across the frame through `at`, at angle `angle`. */
export function glareBand(data: Uint8Array, width: number, height: number, at: Point, angle: number, halfWidth: number, strength: number): void {
  const nx = -Math.sin(angle);
  const ny = Math.cos(angle);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const d = ((x - at.x) * nx + (y - at.y) * ny) / halfWidth;
      if (d > 3 || d < -3) continue;
      const i = y * width + x;
      data[i] = clamp(data[i] + strength * Math.exp(-d * d));
    }
  }
}

/** Fills a rotated rectangle (a finger or a sticker over the code). */
export function occlude(data: Uint8Array, width: number, height: number, centre: Point, w: number, h: number, angle: number, shade: number): void {
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const reach = Math.ceil(Math.sqrt(w * w + h * h) / 2);
  for (let y = Math.max(0, Math.floor(centre.y - reach)); y < Math.min(height, centre.y + reach); y++) {
    for (let x = Math.max(0, Math.floor(centre.x - reach)); x < Math.min(width, centre.x + reach); x++) {
      const u = (x - centre.x) * cos + (y - centre.y) * sin;
      const v = -(x - centre.x) * sin + (y - centre.y) * cos;
      if (Math.abs(u) <= w / 2 && Math.abs(v) <= h / 2) data[y * width + x] = shade;
    }
  }
}
