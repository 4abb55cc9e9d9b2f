/**
 * A digital output of the Linux host board, which has no GPIO: each write is
 * traced as `gpio <pin> <value>`, the line a test reads to see the relay move.
 */
import type { DigitalOutput } from '../../hal/actuator';

export function recordedOutput(pin: number): DigitalOutput {
  return {
    write(value) {
      trace(`gpio ${pin} ${value}\n`);
    },
  };
}
