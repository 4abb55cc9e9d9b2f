/**
 * The clock of a log being replayed as fast as it can be read: monotonic time is
 * the log's own time (set by the replay loop), wall time follows it. The driver
 * opened with a serial factory needs no timers, so this clock offers none.
 */
import type { Clock, TimerId } from '../../hal/clock';

export class LogClock implements Clock {
  time = 0;
  constructor(private readonly wallOrigin: number) {}
  now(): number { return this.wallOrigin + this.time; }
  monotonic(): number { return this.time; }
  setTimer(_callback: () => void, _ms: number): TimerId {
    throw new Error('the log clock has no timers: open the driver with a serial factory');
  }
  clearTimer(_id: TimerId): void {
    throw new Error('the log clock has no timers');
  }
}
