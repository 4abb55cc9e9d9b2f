/**
 * Fault injection for the simulator's storage: cuts the power at the Nth write
 * (writes and deletes both count: each is a flash write on NVS). What the cut
 * write leaves behind is chosen by `cut`:
 * - `lost`: nothing of it reached the disk;
 * - `torn`: half of the new value sits in a temporary file, never renamed;
 * - `done`: the rename happened, but power failed before the call returned.
 * Whatever the choice, the cut call and every later call throw
 * HalError('power-lost'), as a dead device would; a fresh storage over the
 * same directory (a reboot) must then see the old value or the new one.
 */
import { HalError } from '../errors';

export type CutEffect = 'lost' | 'torn' | 'done';

export interface PowerCutOptions {
  /** 1-based: the write during which power fails. */
  atWrite: number;
  /** Default `torn`. */
  cut?: CutEffect;
}

export class PowerSwitch {
  #writes = 0;
  #off = false;
  #atWrite: number;
  cut: CutEffect;

  constructor(options?: PowerCutOptions) {
    this.#atWrite = options ? options.atWrite : Infinity;
    if (!(this.#atWrite >= 1)) throw new RangeError(`atWrite must be 1 or more, got ${options?.atWrite}`);
    this.cut = options?.cut ?? 'torn';
  }

  /** Writes started so far (including the cut one). */
  get writes(): number {
    return this.#writes;
  }

  get off(): boolean {
    return this.#off;
  }

  /**
   * Arms a cut while the storage runs: power fails during the `writes`-th write from now (the browser simulator's
   * "power cut during a payment", timed by what the terminal is doing rather than by a count known in advance).
   */
  cutAfter(writes: number, cut: CutEffect = this.cut): void {
    if (!(Number.isInteger(writes) && writes >= 1)) throw new RangeError(`cutAfter wants a whole number of writes, 1 or more, got ${writes}`);
    this.requirePower();
    this.#atWrite = this.#writes + writes;
    this.cut = cut;
  }

  /** Throws if power is already off. */
  requirePower(): void {
    if (this.#off) throw new HalError('power-lost', 'power was cut; reopen the storage (reboot) to continue');
  }

  /** Counts a write; true when this is the write power fails in (power is then off). */
  startWrite(): boolean {
    this.requirePower();
    this.#writes++;
    if (this.#writes === this.#atWrite) {
      this.#off = true;
      return true;
    }
    return false;
  }
}
