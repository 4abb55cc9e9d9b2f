/**
 * The camera side of the scanner: keeps the camera running, scans the newest
 * frame each time, and hands each new payload on once.
 *
 * - Stale frames are dropped, never queued: when frames are ready, all are
 *   read and only the newest is scanned (scanning takes longer than a frame
 *   period on a device, so an old frame shows where the phone was, not where
 *   it is). A frame older than `maxFrameAgeMs` is dropped too.
 * - The camera stays busy: after a scan the loop reads again at once, and
 *   waits for `onReadable` only when nothing is ready.
 * - One code held in front of the camera is one scan (PayloadFilter, with the
 *   hold-off measured on the clock HAL).
 *
 * Callbacks are ECMA-419 style: passed in the options object.
 */
import type { Camera, CameraFactory, CameraOptions, Frame } from '../../hal/camera';
import type { Clock } from '../../hal/clock';
import type { HalError } from '../../hal/errors';
import { PayloadFilter } from './payload-filter';
import type { ScanCode, ScanResult, ScanUnreadable } from './result';
import { createFrameScanner, type ScanOptions } from './scanner';

export interface ScanLoopOptions {
  camera: CameraFactory;
  /** Passed to the camera factory (imageType, width, height); the loop adds its own callbacks. */
  cameraOptions?: Omit<CameraOptions, 'onReadable' | 'onError'>;
  clock: Clock;
  /** A new payload: called once per distinct code presented. */
  onCode: (code: ScanCode, frame: Frame) => void;
  /** A code was seen but could not be read (to prompt "hold still"). */
  onUnreadable?: (result: ScanUnreadable, frame: Frame) => void;
  /** Camera errors and frames the scanner rejected as malformed. */
  onError?: (error: HalError | Error) => void;
  /** The same payload seen again within this many ms of its last sighting is the same scan (default 2000). */
  holdOffMs?: number;
  /** Frames captured longer ago than this are dropped unscanned (default 500). */
  maxFrameAgeMs?: number;
  scanOptions?: ScanOptions;
  /** The frame decoder (default: a `createFrameScanner()` of this loop's, one luma buffer for all its frames); replaceable for tests and for other symbologies. */
  scan?: (frame: Frame, options: ScanOptions) => ScanResult;
}

export interface ScanLoopStats {
  scanned: number;
  /** Frames read but not scanned because a newer one was ready or they were too old. */
  dropped: number;
  codes: number;
  /** Readings of a payload already handed on (held in front of the camera). */
  repeats: number;
  unreadable: number;
}

export interface ScanLoop {
  start(): void;
  stop(): void;
  close(): void;
  readonly stats: Readonly<ScanLoopStats>;
}

export function createScanLoop(options: ScanLoopOptions): ScanLoop {
  const { clock, onCode } = options;
  const maxFrameAgeMs = options.maxFrameAgeMs ?? 500;
  const scan = options.scan ?? createFrameScanner();
  const scanOptions = options.scanOptions ?? {};
  const filter = new PayloadFilter(options.holdOffMs ?? 2000);
  const stats: ScanLoopStats = { scanned: 0, dropped: 0, codes: 0, repeats: 0, unreadable: 0 };
  let running = false;
  let busy = false;
  let closed = false;

  const camera: Camera = options.camera({
    ...options.cameraOptions,
    onReadable: () => drain(),
    onError: (error) => options.onError?.(error),
  });

  /** Reads everything ready, keeps the newest. */
  function newestFrame(): Frame | undefined {
    let newest: Frame | undefined;
    for (let frame = camera.read(); frame; frame = camera.read()) {
      if (newest) stats.dropped++;
      newest = frame;
    }
    return newest;
  }

  function drain(): void {
    // onReadable may fire while a scan runs (a synchronous driver): the running drain picks the frame up.
    if (busy || !running) return;
    busy = true;
    try {
      for (let frame = newestFrame(); frame && running; frame = newestFrame()) {
        if (clock.monotonic() - frame.timestamp > maxFrameAgeMs) {
          stats.dropped++;
          continue;
        }
        handle(frame);
      }
    } finally {
      busy = false;
    }
  }

  function handle(frame: Frame): void {
    let result: ScanResult;
    try {
      result = scan(frame, scanOptions);
    } catch (error) {
      options.onError?.(error instanceof Error ? error : new Error(String(error)));
      return;
    }
    stats.scanned++;
    if (result.kind === 'code') {
      if (filter.accept(result.bytes, clock.monotonic())) {
        stats.codes++;
        onCode(result, frame);
      } else {
        stats.repeats++;
      }
    } else if (result.kind === 'unreadable') {
      stats.unreadable++;
      options.onUnreadable?.(result, frame);
    }
  }

  return {
    start() {
      if (closed) throw new Error('scan loop is closed');
      if (running) return;
      running = true;
      camera.start();
      drain();
    },
    stop() {
      if (!running) return;
      running = false;
      camera.stop();
    },
    close() {
      if (closed) return;
      if (running) this.stop();
      closed = true;
      camera.close();
    },
    get stats() {
      return stats;
    },
  };
}
