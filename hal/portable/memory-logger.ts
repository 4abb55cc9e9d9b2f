/** A logger that keeps its lines in memory (a ring of `capacity` lines), for tests and on-device diagnostics. */
import type { Clock } from '../clock';
import type { LogFields, Logger, LogLevel } from '../logger';

export interface LogEntry {
  level: LogLevel;
  message: string;
  fields?: LogFields;
  /** Monotonic time, when the logger has a clock. */
  at?: number;
}

export interface MemoryLoggerOptions {
  clock?: Clock;
  /** Oldest lines are dropped beyond this many. Default 1000. */
  capacity?: number;
}

export class MemoryLogger implements Logger {
  readonly entries: LogEntry[] = [];
  readonly #clock: Clock | undefined;
  readonly #capacity: number;

  constructor(options: MemoryLoggerOptions = {}) {
    this.#clock = options.clock;
    this.#capacity = options.capacity ?? 1000;
  }

  log(level: LogLevel, message: string, fields?: LogFields): void {
    const entry: LogEntry = { level, message };
    if (fields) entry.fields = { ...fields };
    if (this.#clock) entry.at = this.#clock.monotonic();
    this.entries.push(entry);
    if (this.entries.length > this.#capacity) this.entries.splice(0, this.entries.length - this.#capacity);
  }

  /** Entries at `level`, optionally whose message contains `text`. */
  find(level: LogLevel, text?: string): LogEntry[] {
    return this.entries.filter((e) => e.level === level && (text === undefined || e.message.indexOf(text) >= 0));
  }
}
