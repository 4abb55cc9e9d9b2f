/**
 * Indicators on boards without a screen: a status LED (one pin, or three for an
 * RGB LED), a buzzer on a digital pin, and display text sent to the log. A board
 * with a display passes its own `display` function.
 */
import Digital from 'embedded:io/digital';
import type { DisplayMessage, Indicators, Tone } from '../../hal/indicators';
import type { Clock } from '../../hal/clock';

export interface Esp32IndicatorPins {
  /** One LED: lit for every tone but idle. Three LEDs: red, green, blue. */
  led?: number | { red: number; green: number; blue: number };
  /** Active-high buzzer (with its own oscillator). */
  buzzer?: number;
  /** LEDs that light on 0 (common on ESP32 boards, the XIAO's user LED among them). */
  ledActiveLow?: boolean;
}

const rgb: Record<Tone, [0 | 1, 0 | 1, 0 | 1]> = {
  idle: [0, 0, 0],
  busy: [0, 0, 1],
  success: [0, 1, 0],
  failure: [1, 0, 0],
  attention: [1, 1, 0],
};

/** Buzzer on/off times in milliseconds per tone. */
const beeps: Record<Tone, number[]> = {
  idle: [],
  busy: [30],
  success: [80],
  failure: [300, 100, 300],
  attention: [80, 80, 80, 80, 80],
};

function output(pin: number): Digital {
  return new Digital({ pin, mode: Digital.Output });
}

export function createEsp32Indicators(
  pins: Esp32IndicatorPins,
  clock: Clock,
  display: (message: DisplayMessage) => void,
): Indicators {
  const level = (on: 0 | 1): 0 | 1 => (pins.ledActiveLow ? ((1 - on) as 0 | 1) : on);
  const leds =
    pins.led === undefined ? [] : typeof pins.led === 'number' ? [output(pins.led)] : [output(pins.led.red), output(pins.led.green), output(pins.led.blue)];
  const buzzer = pins.buzzer === undefined ? undefined : output(pins.buzzer);
  let beepTimer: number | undefined;
  return {
    display,
    light(tone) {
      if (leds.length === 1) leds[0].write(level(tone === 'idle' ? 0 : 1));
      else leds.forEach((led, i) => led.write(level(rgb[tone][i])));
    },
    beep(tone) {
      if (!buzzer) return;
      if (beepTimer !== undefined) clock.clearTimer(beepTimer);
      const steps = beeps[tone];
      const step = (i: number) => {
        if (i >= steps.length) {
          buzzer.write(0);
          beepTimer = undefined;
          return;
        }
        buzzer.write(i % 2 === 0 ? 1 : 0);
        beepTimer = clock.setTimer(() => step(i + 1), steps[i]);
      };
      step(0);
    },
  };
}
