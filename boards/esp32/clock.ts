/** The clock HAL over Moddable's `Date` (set by SNTP), `Time.ticks` and `Timer`. */
import Time from 'time';
import Timer from 'timer';
import type { Clock, TimerId } from '../../hal/clock';

export function createEsp32Clock(): Clock {
  const timers = new Map<TimerId, Timer>();
  let nextId = 1;
  return {
    now: () => Date.now(),
    monotonic: () => Time.ticks,
    setTimer(callback, ms) {
      const id = nextId++;
      timers.set(
        id,
        Timer.set(() => {
          timers.delete(id);
          callback();
        }, ms),
      );
      return id;
    },
    clearTimer(id) {
      const timer = timers.get(id);
      if (timer) Timer.clear(timer);
      timers.delete(id);
    },
  };
}
