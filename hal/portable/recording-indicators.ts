/**
 * Indicators that remember what they showed, for tests and for the simulator's
 * scenario checks ("the customer saw DECLINED and heard the failure tone").
 */
import type { Clock } from '../clock';
import type { DisplayMessage, Indicators, Tone } from '../indicators';

export type IndicatorEvent =
  | { kind: 'display'; title: string; detail?: string; at?: number }
  | { kind: 'light'; tone: Tone; at?: number }
  | { kind: 'beep'; tone: Tone; at?: number };

export class RecordingIndicators implements Indicators {
  readonly events: IndicatorEvent[] = [];
  readonly #clock: Clock | undefined;

  /** With a clock, each event carries its monotonic time in `at`. */
  constructor(clock?: Clock) {
    this.#clock = clock;
  }

  display(message: DisplayMessage): void {
    const event: IndicatorEvent = { kind: 'display', title: message.title };
    if (message.detail !== undefined) event.detail = message.detail;
    this.#record(event);
  }

  light(tone: Tone): void {
    this.#record({ kind: 'light', tone });
  }

  beep(tone: Tone): void {
    this.#record({ kind: 'beep', tone });
  }

  /** The last message displayed, if any. */
  get lastDisplay(): DisplayMessage | undefined {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const event = this.events[i];
      if (event.kind === 'display') return event.detail === undefined ? { title: event.title } : { title: event.title, detail: event.detail };
    }
    return undefined;
  }

  #record(event: IndicatorEvent): void {
    if (this.#clock) event.at = this.#clock.monotonic();
    this.events.push(event);
  }
}
