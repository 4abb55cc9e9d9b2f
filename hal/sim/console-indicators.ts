/** The simulator's display, status light and buzzer: one line each on a text stream. */
import type { Writable } from 'node:stream';
import type { DisplayMessage, Indicators, Tone } from '../indicators';

export interface ConsoleIndicatorsOptions {
  /** Default process.stdout. */
  stream?: Writable;
  /** Print nothing (scripts and tests). */
  quiet?: boolean;
}

export class ConsoleIndicators implements Indicators {
  readonly #stream: Writable;
  readonly #quiet: boolean;

  constructor(options: ConsoleIndicatorsOptions = {}) {
    this.#stream = options.stream ?? process.stdout;
    this.#quiet = options.quiet ?? false;
  }

  display(message: DisplayMessage): void {
    this.#print(`[display] ${message.title}${message.detail ? ` | ${message.detail}` : ''}`);
  }

  light(tone: Tone): void {
    this.#print(`[light]   ${tone}`);
  }

  beep(tone: Tone): void {
    this.#print(`[beep]    ${tone}`);
  }

  #print(line: string): void {
    if (!this.#quiet) this.#stream.write(`${line}\n`);
  }
}
