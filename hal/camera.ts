/**
 * Camera: the ECMA-419 Image Input shape (Moddable's `embedded:io/image/in/camera`).
 * One options object at construction, `onReadable` when a frame is ready,
 * `read()` returns the newest frame or undefined.
 */
import type { HalError } from './errors';

/**
 * Pixel layouts a camera may deliver:
 * - `gray8`: one byte of luma per pixel;
 * - `rgb565le`: two bytes per pixel, little-endian RRRRRGGG GGGBBBBB;
 * - `yuv422`: YUYV, four bytes per two pixels (Y0 U Y1 V).
 */
export type ImageType = 'gray8' | 'rgb565le' | 'yuv422';

export interface Frame {
  readonly imageType: ImageType;
  readonly width: number;
  readonly height: number;
  /** Bytes from the start of one row to the start of the next (>= width * bytes per pixel). */
  readonly stride: number;
  readonly data: Uint8Array;
  /** Monotonic milliseconds (the clock HAL's `monotonic()`) when the frame was captured. */
  readonly timestamp: number;
  /** Increases by one per captured frame; a gap means frames were dropped. */
  readonly sequence: number;
}

export interface CameraOptions {
  imageType?: ImageType;
  width?: number;
  height?: number;
  /** Called with the number of frames ready to read (a camera keeps at most a few). */
  onReadable?: (count: number) => void;
  onError?: (error: HalError) => void;
}

export interface Camera {
  readonly imageType: ImageType;
  readonly width: number;
  readonly height: number;
  start(): void;
  stop(): void;
  /** The oldest unread frame still held, or undefined when none is ready. */
  read(): Frame | undefined;
  close(): void;
}

export type CameraFactory = (options: CameraOptions) => Camera;

export const bytesPerPixel: Record<ImageType, number> = { gray8: 1, rgb565le: 2, yuv422: 2 };
