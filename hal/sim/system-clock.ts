/**
 * The real clock for the simulator: wall time from the host, monotonic time
 * from `performance.now()` (never goes backwards), timers from Node's.
 */
import type { Clock, TimerId } from '../clock';

export interface SystemClockOptions {
  /** Let the process exit while timers are pending (for CLIs that end on their own). Default false. */
  unref?: boolean;
}

export class SystemClock implements Clock {
  readonly #timers = new Map<TimerId, NodeJS.Timeout>();
  readonly #unref: boolean;
  #nextId = 1;

  constructor(options: SystemClockOptions = {}) {
    this.#unref = options.unref ?? false;
  }

  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }

  setTimer(callback: () => void, ms: number): TimerId {
    const id = this.#nextId++;
    const handle = setTimeout(() => {
      this.#timers.delete(id);
      callback();
    }, ms > 0 ? ms : 0);
    if (this.#unref) handle.unref();
    this.#timers.set(id, handle);
    return id;
  }

  clearTimer(id: TimerId): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
  }

  /** Cancels every pending timer (when the simulator shuts down). */
  clearAll(): void {
    for (const handle of this.#timers.values()) clearTimeout(handle);
    this.#timers.clear();
  }
}
