/**
 * Where payment codes come from while a charge waits for one. A board with a
 * camera uses `cameraCodeSource` (the scanner over the camera HAL); an
 * embedder that scans elsewhere passes none and calls `terminal.present()`.
 * Kept apart from terminal.ts so a terminal without a camera never loads the
 * QR decoder.
 */
import type { CameraFactory, Frame } from '../../hal/camera';
import type { Clock } from '../../hal/clock';
import type { HalError } from '../../hal/errors';
import { codePrefix } from '../paycode/format';
import { createScanLoop } from '../scan/scan-loop';
import type { ScanCode } from '../scan/result';

/** Starts looking; calls `found` with each payload read; the returned function stops looking. */
export type CodeSource = (found: (text: string) => void) => () => void;

export interface CameraCodeSourceOptions {
  camera: CameraFactory;
  clock: Clock;
  /** Told about each payment code read (frame, QR version, decode path; ms since the camera started looking). */
  onRead?: (code: ScanCode, frame: Frame, afterMs: number) => void;
  onError?: (error: HalError | Error) => void;
}

/**
 * The camera runs only while a charge waits for a code. Each wait starts a
 * fresh scan loop, so a code shown again for a new charge is read again (and
 * the payment-code verifier, not the scanner, decides that it is a copy).
 * Payloads that are not payment codes (a URL on a poster) are ignored.
 */
export function cameraCodeSource(options: CameraCodeSourceOptions): CodeSource {
  return (found) => {
    const started = options.clock.monotonic();
    const loop = createScanLoop({
      camera: options.camera,
      cameraOptions: { imageType: 'gray8' },
      clock: options.clock,
      onCode: (code, frame) => {
        if (code.text.indexOf(codePrefix) !== 0) return;
        if (options.onRead) options.onRead(code, frame, options.clock.monotonic() - started);
        found(code.text);
      },
      onError: options.onError,
    });
    loop.start();
    return () => loop.close();
  };
}
