/**
 * A clock that moves only when told: tests step time explicitly and every
 * timer fires in due order, including timers that callbacks set while time
 * advances. Wall time moves with monotonic time and can be set (an SNTP fix).
 */
import type { Clock, TimerId } from '../clock';

interface PendingTimer {
  id: TimerId;
  due: number;
  callback: () => void;
}

export interface ManualClockOptions {
  /** Initial wall time, ms since the epoch. Default 2026-01-01T00:00:00Z. */
  wallTime?: number;
  /** Initial monotonic time. Default 0. */
  monotonic?: number;
  /** Promise turns `advanceAsync` lets run after each timer. Default 20. */
  microtaskTurns?: number;
}

export class ManualClock implements Clock {
  #monotonic: number;
  /** Wall time minus monotonic time. */
  #wallOffset: number;
  #nextId = 1;
  /** Kept sorted by due time, then by creation (ids increase). */
  #timers: PendingTimer[] = [];
  readonly #microtaskTurns: number;

  constructor(options: ManualClockOptions = {}) {
    this.#monotonic = options.monotonic ?? 0;
    this.#wallOffset = (options.wallTime ?? Date.UTC(2026, 0, 1)) - this.#monotonic;
    this.#microtaskTurns = options.microtaskTurns ?? 20;
  }

  now(): number {
    return this.#monotonic + this.#wallOffset;
  }

  monotonic(): number {
    return this.#monotonic;
  }

  /** Sets wall time (as an SNTP sync would); monotonic time and timers are unaffected. */
  setWallTime(ms: number): void {
    this.#wallOffset = ms - this.#monotonic;
  }

  setTimer(callback: () => void, ms: number): TimerId {
    if (typeof callback !== 'function') throw new TypeError('setTimer needs a callback');
    const timer = { id: this.#nextId++, due: this.#monotonic + (ms > 0 ? ms : 0), callback };
    let at = this.#timers.length;
    while (at > 0 && this.#timers[at - 1].due > timer.due) at--;
    this.#timers.splice(at, 0, timer);
    return timer.id;
  }

  clearTimer(id: TimerId): void {
    const at = this.#timers.findIndex((t) => t.id === id);
    if (at >= 0) this.#timers.splice(at, 1);
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order; returns how many fired. */
  advance(ms: number): number {
    const target = this.#target(ms);
    let fired = 0;
    for (let timer = this.#takeDue(target); timer; timer = this.#takeDue(target)) {
      timer.callback();
      fired++;
    }
    this.#monotonic = target;
    return fired;
  }

  /**
   * Like `advance`, but lets promise reactions run after each timer, so code
   * that awaits `sleep(clock, ...)` in a loop keeps up with the clock.
   */
  async advanceAsync(ms: number): Promise<number> {
    const target = this.#target(ms);
    let fired = 0;
    await this.#yieldTurns();
    for (let timer = this.#takeDue(target); timer; timer = this.#takeDue(target)) {
      timer.callback();
      fired++;
      await this.#yieldTurns();
    }
    this.#monotonic = target;
    return fired;
  }

  #target(ms: number): number {
    if (!(ms >= 0) || ms === Infinity) throw new RangeError(`advance needs a finite, non-negative duration, got ${ms}`);
    return this.#monotonic + ms;
  }

  /** Removes and returns the first timer due by `target`, moving time to its due time. */
  #takeDue(target: number): PendingTimer | undefined {
    const first = this.#timers[0];
    if (!first || first.due > target) return undefined;
    this.#timers.shift();
    if (first.due > this.#monotonic) this.#monotonic = first.due;
    return first;
  }

  async #yieldTurns(): Promise<void> {
    for (let i = 0; i < this.#microtaskTurns; i++) await Promise.resolve();
  }
}
