/** Cuts a rectangle out of a luma image (packed rows), for jsQR to look only where the code is. */
import type { LumaImage } from '../frame/luma';
import type { Corners } from './result';

export interface Crop extends LumaImage {
  /** Offset of the crop's origin in the source image. */
  left: number;
  top: number;
}

/** The bounding box of `corners` grown by `margin` pixels, clamped to the image. */
export function cropAround(image: LumaImage, corners: Corners, margin: number): Crop | undefined {
  const xs = [corners.topLeft.x, corners.topRight.x, corners.bottomRight.x, corners.bottomLeft.x];
  const ys = [corners.topLeft.y, corners.topRight.y, corners.bottomRight.y, corners.bottomLeft.y];
  const left = Math.max(0, Math.floor(Math.min(xs[0], xs[1], xs[2], xs[3]) - margin));
  const top = Math.max(0, Math.floor(Math.min(ys[0], ys[1], ys[2], ys[3]) - margin));
  const right = Math.min(image.width, Math.ceil(Math.max(xs[0], xs[1], xs[2], xs[3]) + margin));
  const bottom = Math.min(image.height, Math.ceil(Math.max(ys[0], ys[1], ys[2], ys[3]) + margin));
  const width = right - left;
  const height = bottom - top;
  if (!(width > 0 && height > 0)) return undefined;
  if (width === image.width && height === image.height) return { ...image, left: 0, top: 0 };
  const data = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const from = (top + y) * image.width + left;
    data.set(image.data.subarray(from, from + width), y * width);
  }
  return { width, height, data, left, top };
}
