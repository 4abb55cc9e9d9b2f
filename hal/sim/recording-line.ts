/**
 * A simulated relay or coin line: an ECMA-419 Digital output that records each
 * level change with its monotonic time, so a scenario can check that the lock
 * opened once, for how long, or that N coin pulses went out.
 */
import type { DigitalOutput } from '../actuator';
import type { Clock } from '../clock';

export interface LineTransition {
  value: 0 | 1;
  at: number;
}

export interface RecordingLineOptions {
  clock: Clock;
  /** Called on every change (the simulator prints it when verbose). */
  onChange?: (transition: LineTransition) => void;
}

export class RecordingLine implements DigitalOutput {
  readonly transitions: LineTransition[] = [];
  #value: 0 | 1 | undefined;
  readonly #options: RecordingLineOptions;

  constructor(options: RecordingLineOptions) {
    this.#options = options;
  }

  /** The current level, undefined before the first write. */
  get value(): 0 | 1 | undefined {
    return this.#value;
  }

  write(value: 0 | 1): void {
    if (value !== 0 && value !== 1) throw new RangeError(`a digital line takes 0 or 1, got ${value}`);
    if (value === this.#value) return;
    this.#value = value;
    const transition = { value, at: this.#options.clock.monotonic() };
    this.transitions.push(transition);
    this.#options.onChange?.(transition);
  }

  /** Completed activations (rising edge to falling edge) of an active-high line, as [start, duration]. */
  pulses(): Array<{ start: number; duration: number }> {
    const out: Array<{ start: number; duration: number }> = [];
    for (let i = 0; i + 1 < this.transitions.length; i++) {
      const [up, down] = [this.transitions[i], this.transitions[i + 1]];
      if (up.value === 1 && down.value === 0) out.push({ start: up.at, duration: down.at - up.at });
    }
    return out;
  }
}
