/**
 * Time comes only through this interface: the core never reads a global clock
 * nor schedules with global timers.
 */
export type TimerId = number;

export interface Clock {
  /** Wall time: milliseconds since the Unix epoch (from SNTP or the RTC). */
  now(): number;
  /** Milliseconds since an arbitrary origin; never goes backwards, unaffected by wall-time changes. */
  monotonic(): number;
  /** Calls `callback` once after `ms` milliseconds. */
  setTimer(callback: () => void, ms: number): TimerId;
  clearTimer(id: TimerId): void;
}

/** Resolves after `ms` milliseconds of the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => {
    clock.setTimer(resolve, ms);
  });
}
