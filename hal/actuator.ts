/**
 * What a payment unlocks: a relay held for a while (a bike lock's latch) or a
 * train of pulses (an arcade machine's coin line). Implementations drive an
 * ECMA-419 Digital output; see `hal/portable/digital-actuator.ts`.
 */
export interface PulseTrain {
  count: number;
  /** Milliseconds the line is active per pulse. */
  width: number;
  /** Milliseconds between pulses. */
  gap: number;
}

export interface Actuator {
  /** Activates the line for `ms` milliseconds; resolves when released. */
  hold(ms: number): Promise<void>;
  /** Emits the pulses; resolves after the last one. */
  pulse(train: PulseTrain): Promise<void>;
}

/** The ECMA-419 Digital output shape the actuator drives. */
export interface DigitalOutput {
  write(value: 0 | 1): void;
}
