import { describe, expect, it } from 'vitest';
import { DigitalActuator } from '../../../hal/portable/digital-actuator';
import { ManualClock } from '../../../hal/portable/manual-clock';
import { isHalError } from '../../../hal/errors';

function recordingLine(clock: ManualClock) {
  const writes: string[] = [];
  return { writes, write: (value: 0 | 1) => void writes.push(`${value}@${clock.monotonic()}`) };
}

describe('DigitalActuator', () => {
  it('releases the line at construction and holds it for the given time', async () => {
    const clock = new ManualClock();
    const line = recordingLine(clock);
    const actuator = new DigitalActuator({ output: line, clock });
    const held = actuator.hold(500);
    expect(actuator.busy).toBe(true);
    await clock.advanceAsync(499);
    expect(line.writes).toEqual(['0@0', '1@0']);
    await clock.advanceAsync(1);
    await held;
    expect(line.writes).toEqual(['0@0', '1@0', '0@500']);
    expect(actuator.busy).toBe(false);
  });

  it('emits a pulse train with the given width and gap', async () => {
    const clock = new ManualClock();
    const line = recordingLine(clock);
    const actuator = new DigitalActuator({ output: line, clock });
    const pulses = actuator.pulse({ count: 3, width: 50, gap: 100 });
    await clock.advanceAsync(1000);
    await pulses;
    expect(line.writes).toEqual(['0@0', '1@0', '0@50', '1@150', '0@200', '1@300', '0@350']);
  });

  it('drives an active-low line', async () => {
    const clock = new ManualClock();
    const line = recordingLine(clock);
    const actuator = new DigitalActuator({ output: line, clock, activeLevel: 0 });
    const held = actuator.hold(10);
    await clock.advanceAsync(10);
    await held;
    expect(line.writes).toEqual(['1@0', '0@0', '1@10']);
  });

  it('refuses an overlapping activation with a busy error and leaves the first one intact', async () => {
    const clock = new ManualClock();
    const line = recordingLine(clock);
    const actuator = new DigitalActuator({ output: line, clock });
    const first = actuator.hold(100);
    let refused: unknown;
    await actuator.pulse({ count: 1, width: 10, gap: 10 }).catch((error) => (refused = error));
    expect(isHalError(refused, 'busy')).toBe(true);
    await clock.advanceAsync(100);
    await first;
    expect(line.writes).toEqual(['0@0', '1@0', '0@100']);
    const second = actuator.hold(5);
    await clock.advanceAsync(5);
    await expect(second).resolves.toBe(undefined);
  });

  it('rejects bad durations and counts without touching the line', async () => {
    const clock = new ManualClock();
    const line = recordingLine(clock);
    const actuator = new DigitalActuator({ output: line, clock });
    await expect(actuator.hold(0)).rejects.toThrow(RangeError);
    await expect(actuator.hold(Number.NaN)).rejects.toThrow(RangeError);
    await expect(actuator.pulse({ count: 0, width: 10, gap: 10 })).rejects.toThrow(RangeError);
    await expect(actuator.pulse({ count: 2, width: 10, gap: -1 })).rejects.toThrow(RangeError);
    expect(line.writes).toEqual(['0@0']);
    expect(actuator.busy).toBe(false);
  });
});
