/**
 * What the simulated camera sees in the demo: the counter (plain grey) until
 * a customer holds up a phone showing a QR code, which is then drawn centred
 * in view. The scene keeps one size, as a real sensor does.
 */
import type { Scene } from '../../hal/portable/scene';
import type { RgbImage } from '../../hal/portable/rgb-to-frame';

export class PhoneScene implements Scene {
  readonly width: number;
  readonly height: number;
  readonly #empty: RgbImage;
  #current: RgbImage;

  constructor(width = 320, height = 240) {
    this.width = width;
    this.height = height;
    this.#empty = { width, height, rgb: new Uint8Array(width * height * 3).fill(150) };
    this.#current = this.#empty;
  }

  imageAt(_index: number): RgbImage {
    return this.#current;
  }

  /** Holds a screen image (a rendered QR code) in front of the camera. */
  show(screen: RgbImage): void {
    if (screen.width > this.width || screen.height > this.height) {
      throw new RangeError(`a ${screen.width}x${screen.height} screen does not fit a ${this.width}x${this.height} view`);
    }
    const rgb = this.#empty.rgb.slice();
    const left = Math.floor((this.width - screen.width) / 2);
    const top = Math.floor((this.height - screen.height) / 2);
    for (let y = 0; y < screen.height; y++) {
      rgb.set(screen.rgb.subarray(y * screen.width * 3, (y + 1) * screen.width * 3), ((top + y) * this.width + left) * 3);
    }
    this.#current = { width: this.width, height: this.height, rgb };
  }

  /** The phone is taken away. */
  clear(): void {
    this.#current = this.#empty;
  }
}
