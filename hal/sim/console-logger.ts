/** The simulator's logger: `time level message key=value ...` lines on a text stream, below a threshold dropped. */
import type { Writable } from 'node:stream';
import type { Clock } from '../clock';
import type { LogFields, Logger, LogLevel } from '../logger';

const rank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export interface ConsoleLoggerOptions {
  /** Default process.stderr, so logs do not mix with the indicators on stdout. */
  stream?: Writable;
  /** Lowest level printed. Default 'info'. */
  level?: LogLevel;
  /** Source of the timestamp; without one, lines carry none. */
  clock?: Clock;
}

export class ConsoleLogger implements Logger {
  readonly #stream: Writable;
  readonly #level: LogLevel;
  readonly #clock: Clock | undefined;

  constructor(options: ConsoleLoggerOptions = {}) {
    this.#stream = options.stream ?? process.stderr;
    this.#level = options.level ?? 'info';
    this.#clock = options.clock;
  }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (rank[level] < rank[this.#level]) return;
    let line = this.#clock ? `${new Date(this.#clock.now()).toISOString()} ` : '';
    line += `${level.toUpperCase().padEnd(5)} ${message}`;
    if (fields) {
      for (const [key, value] of Object.entries(fields)) {
        if (value !== undefined) line += ` ${key}=${typeof value === 'string' && /[\s"=]/.test(value) ? JSON.stringify(value) : value}`;
      }
    }
    this.#stream.write(`${line}\n`);
  }
}
