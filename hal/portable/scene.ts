/**
 * What a simulated camera looks at: the image in view at each capture. Still
 * images or a sequence, in memory; `hal/sim/camera.ts` adds PNG files.
 */
import type { RgbImage } from './rgb-to-frame';

export interface Scene {
  readonly width: number;
  readonly height: number;
  /** The image in view for the `index`-th capture (0-based). */
  imageAt(index: number): RgbImage;
}

/** A scene of images shown one per capture; after the last, it holds the last one or starts over. */
export function sequenceScene(images: RgbImage[], options: { loop?: boolean } = {}): Scene {
  if (images.length === 0) throw new RangeError('a scene needs at least one image');
  const { width, height } = images[0];
  for (const image of images) {
    if (image.width !== width || image.height !== height) {
      throw new RangeError(`every image of a scene must be ${width}x${height}, got ${image.width}x${image.height}`);
    }
  }
  return {
    width,
    height,
    imageAt: (index) => images[options.loop ? index % images.length : Math.min(index, images.length - 1)],
  };
}

export function stillScene(image: RgbImage): Scene {
  return sequenceScene([image]);
}

/** An RGB image from 8-bit luma, to put a rendered QR code in front of the camera. */
export function grayImage(width: number, height: number, luma: Uint8Array): RgbImage {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = luma[i];
  return { width, height, rgb };
}
