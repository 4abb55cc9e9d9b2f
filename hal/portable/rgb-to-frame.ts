/**
 * What a camera sensor's output stage does: RGB888 pixels to the frame layouts
 * of the camera contract. Luma uses the same BT.601 integer weights as
 * `src/frame/luma.ts` (77 R + 150 G + 29 B) >> 8; chroma is full-range (JPEG)
 * BT.601, averaged over each pixel pair for YUYV; RGB565 truncates as sensors do.
 */
import { bytesPerPixel, type Frame, type ImageType } from '../camera';

export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** 3 bytes per pixel (R, G, B), rows packed. */
  readonly rgb: Uint8Array;
}

/** Bytes per row of a packed frame (YUYV rows hold whole pixel pairs). */
export function packedStride(imageType: ImageType, width: number): number {
  return imageType === 'yuv422' ? Math.ceil(width / 2) * 4 : width * bytesPerPixel[imageType];
}

export function lumaOf(r: number, g: number, b: number): number {
  return (77 * r + 150 * g + 29 * b) >> 8;
}

/** Converts the image into a packed frame's bytes. */
export function rgbToFrameData(image: RgbImage, imageType: ImageType): Uint8Array {
  const { width, height, rgb } = image;
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(`image size must be positive integers, got ${width}x${height}`);
  }
  if (rgb.length < width * height * 3) throw new RangeError(`image needs ${width * height * 3} RGB bytes, has ${rgb.length}`);
  const stride = packedStride(imageType, width);
  const out = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const row = y * width * 3;
    const o = y * stride;
    if (imageType === 'gray8') {
      for (let x = 0; x < width; x++) out[o + x] = lumaOf(rgb[row + 3 * x], rgb[row + 3 * x + 1], rgb[row + 3 * x + 2]);
    } else if (imageType === 'rgb565le') {
      for (let x = 0; x < width; x++) {
        const i = row + 3 * x;
        const pixel = ((rgb[i] >> 3) << 11) | ((rgb[i + 1] >> 2) << 5) | (rgb[i + 2] >> 3);
        out[o + 2 * x] = pixel & 0xff;
        out[o + 2 * x + 1] = pixel >> 8;
      }
    } else if (imageType === 'yuv422') {
      for (let x = 0; x < width; x += 2) {
        const i = row + 3 * x;
        // An odd last column pairs its pixel with itself.
        const j = x + 1 < width ? i + 3 : i;
        const r = (rgb[i] + rgb[j] + 1) >> 1;
        const g = (rgb[i + 1] + rgb[j + 1] + 1) >> 1;
        const b = (rgb[i + 2] + rgb[j + 2] + 1) >> 1;
        const p = o + 2 * x;
        out[p] = lumaOf(rgb[i], rgb[i + 1], rgb[i + 2]);
        out[p + 1] = clampByte(128 + ((-43 * r - 85 * g + 128 * b) >> 8));
        out[p + 2] = lumaOf(rgb[j], rgb[j + 1], rgb[j + 2]);
        out[p + 3] = clampByte(128 + ((128 * r - 107 * g - 21 * b) >> 8));
      }
    } else {
      throw new TypeError(`unknown image type ${imageType}`);
    }
  }
  return out;
}

/** A whole frame from an RGB image, stamped with the given capture time and sequence. */
export function rgbToFrame(image: RgbImage, imageType: ImageType, timestamp = 0, sequence = 0): Frame {
  return {
    imageType,
    width: image.width,
    height: image.height,
    stride: packedStride(imageType, image.width),
    data: rgbToFrameData(image, imageType),
    timestamp,
    sequence,
  };
}

/** Nearest-neighbour resampling, as a sensor's scaler does when asked for another resolution. */
export function resizeRgb(image: RgbImage, width: number, height: number): RgbImage {
  if (width === image.width && height === image.height) return image;
  if (!(width > 0 && height > 0 && Number.isInteger(width) && Number.isInteger(height))) {
    throw new RangeError(`frame size must be positive integers, got ${width}x${height}`);
  }
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const sy = Math.floor((y * image.height) / height);
    for (let x = 0; x < width; x++) {
      const sx = Math.floor((x * image.width) / width);
      const s = (sy * image.width + sx) * 3;
      const d = (y * width + x) * 3;
      rgb[d] = image.rgb[s];
      rgb[d + 1] = image.rgb[s + 1];
      rgb[d + 2] = image.rgb[s + 2];
    }
  }
  return { width, height, rgb };
}

function clampByte(value: number): number {
  return value < 0 ? 0 : value > 255 ? 255 : value;
}
