/**
 * The camera HAL over Moddable's `embedded:io/image/in/camera` (esp32-camera
 * component). Frames stay in the driver's buffers (`buffer/disposable`): the
 * scanner reads the newest one and the buffer is released on the next read, so
 * the driver never stalls for lack of buffers and no frame is copied.
 */
import ModdableCamera from 'embedded:io/image/in/camera';
import Bitmap from 'commodetto/Bitmap';
import type { Camera, CameraOptions, Frame, ImageType } from '../../hal/camera';
import { bytesPerPixel } from '../../hal/camera';
import { HalError } from '../../hal/errors';

const bitmapFormat: Record<ImageType, number> = {
  gray8: Bitmap.Gray256,
  rgb565le: Bitmap.RGB565LE,
  yuv422: Bitmap.YUV422,
};

export function createEsp32Camera(monotonic: () => number) {
  return (options: CameraOptions): Camera => {
    const imageType = options.imageType ?? 'yuv422';
    let sequence = 0;
    let held: { close?: () => void } | undefined;
    const camera = new ModdableCamera({
      width: options.width ?? 320,
      height: options.height ?? 240,
      imageType: bitmapFormat[imageType],
      format: 'buffer/disposable',
      onReadable(count) {
        options.onReadable?.(count);
      },
      onError(error) {
        options.onError?.(new HalError('device', `camera: ${error.message}`));
      },
    });
    const release = () => {
      held?.close?.();
      held = undefined;
    };
    return {
      imageType,
      width: camera.width,
      height: camera.height,
      start: () => camera.start(),
      stop: () => camera.stop(),
      read(): Frame | undefined {
        release();
        const buffer = camera.read();
        if (!buffer) return undefined;
        held = buffer;
        return {
          imageType,
          width: camera.width,
          height: camera.height,
          stride: camera.width * bytesPerPixel[imageType],
          data: new Uint8Array(buffer),
          timestamp: monotonic(),
          sequence: sequence++,
        };
      },
      close() {
        release();
        camera.close();
      },
    };
  };
}
