/**
 * Camera to payment code: reads frames as the camera delivers them, runs the
 * scanner (src/scan) on each, and hands the first payload that looks like a
 * payment code to `onCode`. Frames without a code cost only the scanner's
 * pre-scan.
 */
import type { CameraFactory, Frame } from '../../hal/camera';
import { scanFrame } from '../../src/scan/scanner';

export interface ScanReport {
  text: string;
  frame: Frame;
  /** Frames looked at, this one included. */
  frames: number;
  /** Milliseconds spent scanning this frame. */
  scanMs: number;
  version: number;
  path: string;
}

export interface CameraScanner {
  stop(): void;
}

/** Starts the camera; calls `onCode` once per code seen, then stops scanning until `resume()`. */
export function scanCamera(camera: CameraFactory, accept: (text: string) => boolean, onCode: (report: ScanReport) => void): CameraScanner & { resume(): void } {
  let frames = 0;
  let paused = false;
  const device = camera({
    imageType: 'gray8',
    onReadable: () => {
      for (let frame = device.read(); frame; frame = device.read()) {
        if (paused) continue;
        frames++;
        const started = performance.now();
        const result = scanFrame(frame);
        const scanMs = performance.now() - started;
        if (result.kind === 'code' && accept(result.text)) {
          paused = true;
          onCode({ text: result.text, frame, frames, scanMs, version: result.version, path: result.path });
        }
      }
    },
  });
  device.start();
  return {
    stop: () => device.close(),
    resume: () => {
      paused = false;
    },
  };
}
