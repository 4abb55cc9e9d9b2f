/**
 * A camera in the ECMA-419 Image Input shape that looks at a scene (still
 * images or a sequence) and captures a frame every 1/frameRate seconds of the
 * clock HAL, converting RGB to the requested layout the way a sensor does
 * (`rgb-to-frame.ts`). Like a driver with a small frame-buffer pool, it keeps
 * at most `maxFrames` unread frames and drops the oldest; the sequence numbers
 * show the gap. Plain ECMAScript: the simulator's camera, and a camera for
 * portable tests on XS.
 */
import { HalError } from '../errors';
import type { Clock, TimerId } from '../clock';
import type { Camera, CameraFactory, CameraOptions, Frame, ImageType } from '../camera';
import { packedStride, resizeRgb, rgbToFrameData, type RgbImage } from './rgb-to-frame';
import type { Scene } from './scene';

export interface SceneCameraSetup {
  clock: Clock;
  scene: Scene;
  /** Captures per second. Default 10. */
  frameRate?: number;
  /** Unread frames kept before the oldest is dropped. Default 2. */
  maxFrames?: number;
}

export class SceneCamera implements Camera {
  readonly imageType: ImageType;
  readonly width: number;
  readonly height: number;
  readonly #setup: Required<SceneCameraSetup>;
  readonly #onReadable: CameraOptions['onReadable'];
  readonly #onError: CameraOptions['onError'];
  readonly #frames: Frame[] = [];
  /** Converted pixels per scene image, so a still scene is converted once. */
  readonly #converted = new Map<RgbImage, Uint8Array>();
  #captures = 0;
  #timer: TimerId | undefined;
  #closed = false;

  constructor(setup: SceneCameraSetup, options: CameraOptions = {}) {
    this.#setup = { ...setup, frameRate: setup.frameRate ?? 10, maxFrames: setup.maxFrames ?? 2 };
    const { frameRate, maxFrames, scene } = this.#setup;
    if (!(frameRate > 0 && frameRate <= 1000)) throw new RangeError(`frameRate must be in (0, 1000], got ${frameRate}`);
    if (!(Number.isInteger(maxFrames) && maxFrames >= 1)) throw new RangeError(`maxFrames must be a positive integer, got ${maxFrames}`);
    const imageType = options.imageType ?? 'gray8';
    if (imageType !== 'gray8' && imageType !== 'rgb565le' && imageType !== 'yuv422') {
      throw new RangeError(`unsupported imageType ${imageType}`);
    }
    this.imageType = imageType;
    this.width = options.width ?? scene.width;
    this.height = options.height ?? scene.height;
    if (!(Number.isInteger(this.width) && this.width > 0 && Number.isInteger(this.height) && this.height > 0)) {
      throw new RangeError(`frame size must be positive integers, got ${this.width}x${this.height}`);
    }
    this.#onReadable = options.onReadable;
    this.#onError = options.onError;
  }

  start(): void {
    this.#requireOpen();
    if (this.#timer === undefined) this.#schedule();
  }

  stop(): void {
    if (this.#timer !== undefined) this.#setup.clock.clearTimer(this.#timer);
    this.#timer = undefined;
  }

  read(): Frame | undefined {
    this.#requireOpen();
    return this.#frames.shift();
  }

  close(): void {
    this.stop();
    this.#frames.length = 0;
    this.#closed = true;
  }

  #schedule(): void {
    this.#timer = this.#setup.clock.setTimer(() => {
      this.#capture();
      if (this.#timer !== undefined) this.#schedule();
    }, 1000 / this.#setup.frameRate);
  }

  #capture(): void {
    let data: Uint8Array;
    try {
      data = this.#pixels(this.#setup.scene.imageAt(this.#captures));
    } catch (error) {
      this.#onError?.(error instanceof HalError ? error : new HalError('device', `capture failed: ${error}`));
      return;
    }
    const frame: Frame = {
      imageType: this.imageType,
      width: this.width,
      height: this.height,
      stride: packedStride(this.imageType, this.width),
      data,
      timestamp: this.#setup.clock.monotonic(),
      sequence: this.#captures++,
    };
    this.#frames.push(frame);
    if (this.#frames.length > this.#setup.maxFrames) this.#frames.shift();
    this.#onReadable?.(this.#frames.length);
  }

  /** A fresh copy of the image's pixels in this camera's layout (each frame owns its buffer). */
  #pixels(image: RgbImage): Uint8Array {
    let converted = this.#converted.get(image);
    if (!converted) {
      converted = rgbToFrameData(resizeRgb(image, this.width, this.height), this.imageType);
      this.#converted.set(image, converted);
    }
    return converted.slice();
  }

  #requireOpen(): void {
    if (this.#closed) throw new HalError('closed', 'camera is closed');
  }
}

/** A factory in the HAL's shape: the firmware passes its options, the board has fixed the scene. */
export function sceneCameraFactory(setup: SceneCameraSetup): CameraFactory {
  return (options) => new SceneCamera(setup, options);
}
