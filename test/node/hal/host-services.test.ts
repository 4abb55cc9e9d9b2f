import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { nodeEntropy } from '../../../hal/sim/entropy';
import { SystemClock } from '../../../hal/sim/system-clock';
import { ConsoleIndicators } from '../../../hal/sim/console-indicators';
import { ConsoleLogger } from '../../../hal/sim/console-logger';
import { ManualClock } from '../../../hal/portable/manual-clock';
import { sleep } from '../../../hal/clock';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk) => (text += chunk));
  return { stream, text: () => text };
}

describe('node entropy', () => {
  it('fills the buffer it is given with varying bytes', () => {
    const a = new Uint8Array(32);
    expect(nodeEntropy.fill(a)).toBe(a);
    const b = nodeEntropy.fill(new Uint8Array(32));
    expect(a).not.toEqual(b);
    expect(new Set(a).size).toBeGreaterThan(8);
  });
});

describe('SystemClock', () => {
  it('tells wall and monotonic time and fires and clears real timers', async () => {
    const clock = new SystemClock();
    expect(Math.abs(clock.now() - Date.now())).toBeLessThan(1000);
    const start = clock.monotonic();
    let cleared = false;
    const id = clock.setTimer(() => (cleared = true), 5);
    clock.clearTimer(id);
    await sleep(clock, 20);
    expect(clock.monotonic() - start).toBeGreaterThanOrEqual(19);
    expect(cleared).toBe(false);
    clock.setTimer(() => (cleared = true), 5);
    clock.clearAll();
    await sleep(clock, 20);
    expect(cleared).toBe(false);
  });
});

describe('ConsoleIndicators and ConsoleLogger', () => {
  it('print one line per indication, or nothing when quiet', () => {
    const out = capture();
    const indicators = new ConsoleIndicators({ stream: out.stream });
    indicators.display({ title: 'APPROVED', detail: '12.50 EUR' });
    indicators.light('success');
    indicators.beep('failure');
    expect(out.text()).toBe('[display] APPROVED | 12.50 EUR\n[light]   success\n[beep]    failure\n');
    const silent = capture();
    new ConsoleIndicators({ stream: silent.stream, quiet: true }).display({ title: 'X' });
    expect(silent.text()).toBe('');
  });

  it('logs at or above its level with a clock timestamp and quoted fields', () => {
    const out = capture();
    const logger = new ConsoleLogger({ stream: out.stream, level: 'info', clock: new ManualClock({ wallTime: Date.UTC(2026, 0, 2) }) });
    logger.log('debug', 'hidden');
    logger.log('warn', 'gnss stale', { age: 12000, fix: 'none', note: 'no sky', skipped: undefined });
    expect(out.text()).toBe('2026-01-02T00:00:00.000Z WARN  gnss stale age=12000 fix=none note="no sky"\n');
  });
});
