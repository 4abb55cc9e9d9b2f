/**
 * An actuator over an ECMA-419 Digital output: a relay held for a while or a
 * train of pulses, timed by the clock HAL. One activation at a time: a second
 * request while the line is active is refused with HalError('busy') rather
 * than queued, because a payment must never unlock or credit twice by accident.
 */
import { HalError } from '../errors';
import { sleep, type Clock } from '../clock';
import type { Actuator, DigitalOutput, PulseTrain } from '../actuator';

export interface DigitalActuatorOptions {
  output: DigitalOutput;
  clock: Clock;
  /** The level that activates the relay or line. Default 1 (active high). */
  activeLevel?: 0 | 1;
}

export class DigitalActuator implements Actuator {
  readonly #output: DigitalOutput;
  readonly #clock: Clock;
  readonly #active: 0 | 1;
  readonly #idle: 0 | 1;
  #busy = false;

  constructor(options: DigitalActuatorOptions) {
    this.#output = options.output;
    this.#clock = options.clock;
    this.#active = options.activeLevel ?? 1;
    this.#idle = this.#active === 1 ? 0 : 1;
    // Start from a known released state whatever the pin did at boot.
    this.#output.write(this.#idle);
  }

  /** True while a hold or a pulse train is running. */
  get busy(): boolean {
    return this.#busy;
  }

  // Async so that bad arguments reject like every other failure; the body runs
  // synchronously up to its first await, so `busy` is claimed at the call.
  async hold(ms: number): Promise<void> {
    requireDuration(ms, 'hold time');
    await this.#exclusive(() => this.#activeFor(ms));
  }

  async pulse(train: PulseTrain): Promise<void> {
    const count = train?.count;
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`pulse count must be a positive integer, got ${count}`);
    requireDuration(train.width, 'pulse width');
    requireDuration(train.gap, 'pulse gap');
    await this.#exclusive(async () => {
      for (let i = 0; i < count; i++) {
        if (i > 0) await sleep(this.#clock, train.gap);
        await this.#activeFor(train.width);
      }
    });
  }

  async #activeFor(ms: number): Promise<void> {
    this.#output.write(this.#active);
    try {
      await sleep(this.#clock, ms);
    } finally {
      this.#output.write(this.#idle);
    }
  }

  async #exclusive(run: () => Promise<void>): Promise<void> {
    if (this.#busy) throw new HalError('busy', 'the actuator is already active; one activation at a time');
    this.#busy = true;
    try {
      await run();
    } finally {
      this.#busy = false;
    }
  }
}

function requireDuration(ms: unknown, what: string): void {
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) {
    throw new RangeError(`${what} must be a positive number of milliseconds, got ${ms}`);
  }
}
