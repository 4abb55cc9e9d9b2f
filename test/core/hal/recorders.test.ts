import { describe, expect, it } from 'vitest';
import { RecordingIndicators } from '../../../hal/portable/recording-indicators';
import { MemoryLogger } from '../../../hal/portable/memory-logger';
import { ManualClock } from '../../../hal/portable/manual-clock';

describe('RecordingIndicators', () => {
  it('records what was shown, in order, with the time when given a clock', () => {
    const clock = new ManualClock();
    const indicators = new RecordingIndicators(clock);
    expect(indicators.lastDisplay).toBe(undefined);
    indicators.display({ title: 'SCAN CODE' });
    clock.advance(50);
    indicators.light('success');
    indicators.beep('success');
    indicators.display({ title: 'APPROVED', detail: '12.50' });
    expect(indicators.events).toEqual([
      { kind: 'display', title: 'SCAN CODE', at: 0 },
      { kind: 'light', tone: 'success', at: 50 },
      { kind: 'beep', tone: 'success', at: 50 },
      { kind: 'display', title: 'APPROVED', detail: '12.50', at: 50 },
    ]);
    expect(indicators.lastDisplay).toEqual({ title: 'APPROVED', detail: '12.50' });
  });
});

describe('MemoryLogger', () => {
  it('keeps entries up to its capacity, copying fields, and finds them', () => {
    const logger = new MemoryLogger({ capacity: 2 });
    const fields = { trace: 1 };
    logger.log('info', 'first');
    logger.log('warn', 'gnss stale', fields);
    fields.trace = 2;
    logger.log('warn', 'offline');
    expect(logger.entries).toEqual([
      { level: 'warn', message: 'gnss stale', fields: { trace: 1 } },
      { level: 'warn', message: 'offline' },
    ]);
    expect(logger.find('warn', 'gnss')).toHaveLength(1);
    expect(logger.find('info')).toEqual([]);
  });
});
