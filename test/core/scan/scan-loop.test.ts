/**
 * The scan loop over an in-test camera (frames pushed by the test, a driver
 * that holds at most three like a real DMA ring) and a manual clock.
 */
import { describe, expect, it } from 'vitest';
import type { Camera, CameraOptions, Frame } from '../../../hal/camera';
import type { Clock } from '../../../hal/clock';
import { HalError } from '../../../hal/errors';
import type { ScanResult } from '../../../src/scan/result';
import { createScanLoop, type ScanLoopOptions } from '../../../src/scan/scan-loop';

class ManualClock implements Clock {
  time = 0;
  now(): number { return 1_700_000_000_000 + this.time; }
  monotonic(): number { return this.time; }
  setTimer(): number { throw new Error('the scan loop needs no timers'); }
  clearTimer(): void {}
}

class FakeCamera implements Camera {
  readonly imageType = 'gray8' as const;
  readonly width = 4;
  readonly height = 1;
  started = false;
  closed = false;
  private held: Frame[] = [];
  private sequence = 0;

  constructor(readonly options: CameraOptions, private readonly clock: ManualClock) {}

  /** A frame arrives carrying `tag` as its pixel data; the oldest is lost when three are held. */
  capture(tag: number): void {
    if (!this.started) return;
    const data = Uint8Array.from([tag, 0, 0, 0]);
    this.held.push({ imageType: 'gray8', width: 4, height: 1, stride: 4, data, timestamp: this.clock.monotonic(), sequence: this.sequence++ });
    if (this.held.length > 3) this.held.shift();
    this.options.onReadable?.(this.held.length);
  }

  start(): void { this.started = true; }
  stop(): void { this.started = false; }
  read(): Frame | undefined { return this.held.shift(); }
  close(): void { this.closed = true; }
}

/** Tag 0: no code; 255: unreadable; anything else: a code whose payload is [tag]. */
function fakeScan(frame: Frame): ScanResult {
  const tag = frame.data[0];
  if (tag === 0) return { kind: 'none' };
  if (tag === 255) return { kind: 'unreadable', finders: [], reason: 'decode-failed' };
  const corner = { x: 0, y: 0 };
  return {
    kind: 'code', bytes: Uint8Array.from([tag]), text: String(tag), version: 2, path: 'grid',
    corners: { topLeft: corner, topRight: corner, bottomRight: corner, bottomLeft: corner },
  };
}

function setup(overrides: Partial<ScanLoopOptions> = {}) {
  const clock = new ManualClock();
  let camera!: FakeCamera;
  const codes: number[] = [];
  const scanned: number[] = [];
  const errors: Error[] = [];
  const loop = createScanLoop({
    camera: (options) => (camera = new FakeCamera(options, clock)),
    clock,
    onCode: (code) => codes.push(code.bytes[0]),
    onError: (error) => errors.push(error),
    scan: (frame, options) => {
      scanned.push(frame.sequence);
      return fakeScan(frame);
    },
    ...overrides,
  });
  return { clock, camera: () => camera, loop, codes, scanned, errors };
}

describe('scan loop', () => {
  it('hands a code held in front of the camera on once', () => {
    const { clock, camera, loop, codes } = setup();
    loop.start();
    for (let i = 0; i < 60; i++) {
      clock.time += 33;
      camera().capture(7);
    }
    expect(codes).toEqual([7]);
    expect(loop.stats.codes).toBe(1);
    expect(loop.stats.repeats).toBe(59);
  });

  it('hands the same code on again after it was away longer than the hold-off', () => {
    const { clock, camera, loop, codes } = setup({ holdOffMs: 1000 });
    loop.start();
    camera().capture(7);
    clock.time += 900;
    camera().capture(7);
    clock.time += 1001;
    camera().capture(7);
    expect(codes).toEqual([7, 7]);
  });

  it('hands each different code on at once', () => {
    const { clock, camera, loop, codes } = setup();
    loop.start();
    for (const tag of [1, 1, 0, 2, 2, 255, 1]) {
      clock.time += 33;
      camera().capture(tag);
    }
    expect(codes).toEqual([1, 2, 1]);
    expect(loop.stats.unreadable).toBe(1);
  });

  it('scans only the newest frame when several are waiting', () => {
    let camera!: FakeCamera;
    const clock = new ManualClock();
    const scanned: number[] = [];
    let deliver = true;
    const loop = createScanLoop({
      camera: (options) => {
        // A driver that raises onReadable only when told to: frames pile up meanwhile.
        camera = new FakeCamera({ ...options, onReadable: (n) => deliver && options.onReadable?.(n) }, clock);
        return camera;
      },
      clock,
      onCode: () => undefined,
      scan: (frame) => {
        scanned.push(frame.sequence);
        return fakeScan(frame);
      },
    });
    loop.start();
    deliver = false;
    camera.capture(0);
    camera.capture(0);
    deliver = true;
    camera.capture(0);
    expect(scanned).toEqual([2]);
    expect(loop.stats.dropped).toBe(2);
  });

  it('keeps the camera busy: frames that arrive during a scan are picked up when it ends', () => {
    const clock = new ManualClock();
    let camera!: FakeCamera;
    const scanned: number[] = [];
    const loop = createScanLoop({
      camera: (options) => (camera = new FakeCamera(options, clock)),
      clock,
      onCode: () => undefined,
      scan: (frame) => {
        scanned.push(frame.sequence);
        // While the first frame is being scanned, two more arrive.
        if (frame.sequence === 0) {
          camera.capture(0);
          camera.capture(0);
        }
        return fakeScan(frame);
      },
    });
    loop.start();
    camera.capture(0);
    expect(scanned).toEqual([0, 2]);
    expect(loop.stats.dropped).toBe(1);
  });

  it('drops a frame captured longer ago than maxFrameAgeMs', () => {
    const { clock, camera, loop, scanned } = setup({ maxFrameAgeMs: 100 });
    loop.start();
    const cam = camera();
    // Captured now, but delivered (onReadable) only after 200 ms.
    const onReadable = cam.options.onReadable;
    cam.options.onReadable = undefined;
    cam.capture(3);
    clock.time += 200;
    cam.options.onReadable = onReadable;
    onReadable?.(1);
    expect(scanned).toEqual([]);
    expect(loop.stats.dropped).toBe(1);
  });

  it('reports scanner exceptions and camera errors through onError and keeps going', () => {
    const { clock, camera, loop, codes, errors } = setup({
      scan: (frame) => {
        if (frame.data[0] === 9) throw new RangeError('bad frame');
        return fakeScan(frame);
      },
    });
    loop.start();
    camera().capture(9);
    camera().options.onError?.(new HalError('device', 'sensor timeout'));
    clock.time += 33;
    camera().capture(4);
    expect(errors.map((e) => e.message)).toEqual(['bad frame', 'sensor timeout']);
    expect(codes).toEqual([4]);
  });

  it('starts and stops the camera, and closes it once', () => {
    const { camera, loop, codes } = setup();
    loop.start();
    expect(camera().started).toBe(true);
    loop.stop();
    expect(camera().started).toBe(false);
    camera().capture(5);
    expect(codes).toEqual([]);
    loop.close();
    loop.close();
    expect(camera().closed).toBe(true);
    expect(() => loop.start()).toThrow();
  });
});
