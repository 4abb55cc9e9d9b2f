import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../hal/portable/manual-clock';
import { sleep } from '../../../hal/clock';

describe('ManualClock', () => {
  it('fires due timers in time order, ties in creation order, at their due time', () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    clock.setTimer(() => seen.push(`b@${clock.monotonic()}`), 20);
    clock.setTimer(() => seen.push(`a@${clock.monotonic()}`), 10);
    clock.setTimer(() => seen.push(`c@${clock.monotonic()}`), 20);
    clock.setTimer(() => seen.push('late'), 31);
    expect(clock.advance(30)).toBe(3);
    expect(seen).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.monotonic()).toBe(30);
    expect(clock.pending).toBe(1);
  });

  it('fires timers that callbacks set within the same advance', () => {
    const clock = new ManualClock();
    const ticks: number[] = [];
    const tick = () => {
      ticks.push(clock.monotonic());
      if (ticks.length < 5) clock.setTimer(tick, 7);
    };
    clock.setTimer(tick, 7);
    clock.advance(100);
    expect(ticks).toEqual([7, 14, 21, 28, 35]);
  });

  it('clears timers and treats negative delays as zero', () => {
    const clock = new ManualClock();
    let fired = 0;
    const id = clock.setTimer(() => fired++, 5);
    clock.clearTimer(id);
    clock.setTimer(() => fired++, -3);
    clock.advance(10);
    expect(fired).toBe(1);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });

  it('moves wall time with monotonic time and lets it be set', () => {
    const clock = new ManualClock({ wallTime: 1_000_000, monotonic: 50 });
    clock.advance(250);
    expect(clock.now()).toBe(1_000_250);
    clock.setWallTime(5_000_000);
    clock.advance(10);
    expect(clock.now()).toBe(5_000_010);
    expect(clock.monotonic()).toBe(310);
  });

  it('drives async code that sleeps in a loop with advanceAsync', async () => {
    const clock = new ManualClock();
    const wakes: number[] = [];
    const done = (async () => {
      for (let i = 0; i < 4; i++) {
        await sleep(clock, 100);
        wakes.push(clock.monotonic());
      }
      return 'finished';
    })();
    await clock.advanceAsync(1000);
    expect(wakes).toEqual([100, 200, 300, 400]);
    await expect(done).resolves.toBe('finished');
  });
});
