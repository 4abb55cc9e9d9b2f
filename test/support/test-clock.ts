/**
 * A clock that moves only when a test says so; timers fire in time order as it
 * advances. Portable (runs on XS). The hal branch brings a fuller manual clock
 * (hal/portable/manual-clock.ts); this one stays minimal for the location tests.
 */
import type { Clock, TimerId } from '../../hal/clock';

interface Timer { id: TimerId; at: number; callback: () => void }

export class TestClock implements Clock {
  private time: number;
  private readonly wallOrigin: number;
  private timers: Timer[] = [];
  private nextId = 1;

  constructor(wallOrigin = Date.UTC(2026, 0, 1), start = 0) {
    this.wallOrigin = wallOrigin;
    this.time = start;
  }

  now(): number { return this.wallOrigin + this.time; }
  monotonic(): number { return this.time; }

  setTimer(callback: () => void, ms: number): TimerId {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + Math.max(0, ms), callback });
    return id;
  }

  clearTimer(id: TimerId): void {
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Moves time forward by `ms`, firing each due timer at its own time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      let next: Timer | undefined;
      for (const t of this.timers) if (t.at <= end && (next === undefined || t.at < next.at)) next = t;
      if (next === undefined) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.time = next.at;
      next.callback();
    }
    this.time = end;
  }

  pending(): number { return this.timers.length; }
}
