/**
 * The authorizer's log: one JSON object per line on stdout, for journald, a
 * container runtime or a log shipper. An exchange is one line (http/exchange.ts
 * says what it holds and what it never holds); start, stop and worker events
 * are lines too, with a `msg` a person can read.
 *
 * Our own writer rather than pino: every line is one object we build with a
 * fixed set of fields, so pino's levels, child loggers, redaction paths and
 * transports would go unused, and its buffered writes would lose the last
 * lines of a process that crashes. stdout to a pipe or a file is synchronous
 * in Node on Linux: a line written is a line the reader gets.
 */
import type { ExchangeEntry } from '../http/exchange';

export type LogLevel = 'info' | 'warn' | 'error';

export interface LogWriter {
  event(level: LogLevel, event: string, fields: Record<string, unknown>): void;
  exchange(entry: ExchangeEntry): void;
}

/** The longest error message a line carries (a driver's message can quote a statement). */
export const maxErrorChars = 200;

export function jsonLog(write: (line: string) => void = (line) => void process.stdout.write(line), base: Record<string, unknown> = { pid: process.pid }): LogWriter {
  const emit = (level: LogLevel, event: string, fields: Record<string, unknown>) =>
    write(`${JSON.stringify({ time: new Date().toISOString(), level, event, ...base, ...fields })}\n`);
  return {
    event: emit,
    exchange({ error, ms, ...entry }) {
      const failed = error !== undefined;
      emit(failed || entry.status >= 500 ? 'error' : 'info', 'exchange', {
        ...entry,
        ms: Math.round(ms * 100) / 100,
        ...(failed ? { error: errorText(error) } : {}),
      });
    },
  };
}

/** The class and message of what was thrown, cut to `maxErrorChars`; never its stack or a driver's detail fields. */
export function errorText(error: unknown): string {
  const text = error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
  return text.length > maxErrorChars ? `${text.slice(0, maxErrorChars - 1)}…` : text;
}
