/**
 * The camera of the Linux host board: frames from a file instead of a sensor.
 * The file holds one gray8 image (`width` × `height` bytes, no header), read
 * once when the camera starts; while started, the camera offers that frame
 * again every `intervalMs` like a sensor watching a still scene, so the
 * scanner (cameraCodeSource) reads the QR code in it exactly as on a board.
 */
import { File } from 'file';
import type { Camera, CameraFactory, Frame } from '../../hal/camera';
import type { Clock, TimerId } from '../../hal/clock';
import { HalError } from '../../hal/errors';

export interface FrameFile {
  path: string;
  width: number;
  height: number;
}

export function createFileCamera(frame: FrameFile, clock: Clock, intervalMs = 100): CameraFactory {
  return (options): Camera => {
    let data: Uint8Array | undefined;
    let timer: TimerId | undefined;
    let sequence = 0;
    let pending = false;
    const tick = () => {
      pending = true;
      options.onReadable?.(1);
      timer = clock.setTimer(tick, intervalMs);
    };
    return {
      imageType: 'gray8',
      width: frame.width,
      height: frame.height,
      start() {
        if (!data) {
          const file = new File(frame.path);
          const bytes = new Uint8Array(file.read(ArrayBuffer));
          file.close();
          if (bytes.length !== frame.width * frame.height) {
            throw new HalError('io', `${frame.path}: ${bytes.length} bytes, expected ${frame.width * frame.height} (gray8 ${frame.width}x${frame.height})`);
          }
          data = bytes;
        }
        if (timer === undefined) timer = clock.setTimer(tick, intervalMs);
      },
      stop() {
        if (timer !== undefined) clock.clearTimer(timer);
        timer = undefined;
      },
      read(): Frame | undefined {
        if (!pending || !data) return undefined;
        pending = false;
        return { imageType: 'gray8', width: frame.width, height: frame.height, stride: frame.width, data, timestamp: clock.monotonic(), sequence: sequence++ };
      },
      close() {
        this.stop();
        data = undefined;
      },
    };
  };
}
