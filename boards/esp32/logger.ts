/** The logger HAL over xsbug / the serial console (`trace`). */
import type { Logger } from '../../hal/logger';

export function createEsp32Logger(minimum: 'debug' | 'info' | 'warn' | 'error' = 'info'): Logger {
  const order = { debug: 0, info: 1, warn: 2, error: 3 };
  return {
    log(level, message, fields) {
      if (order[level] < order[minimum]) return;
      let line = `${level} ${message}`;
      if (fields) for (const key of Object.keys(fields)) line += ` ${key}=${fields[key]}`;
      trace(`${line}\n`);
    },
  };
}
