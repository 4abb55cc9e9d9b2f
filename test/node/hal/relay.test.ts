import { describe, expect, it } from 'vitest';
import { RecordingLine } from '../../../hal/sim/recording-line';
import { DigitalActuator } from '../../../hal/portable/digital-actuator';
import { ManualClock } from '../../../hal/portable/manual-clock';

describe('RecordingLine driven by the digital actuator', () => {
  it('records a coin pulse train with timestamps', async () => {
    const clock = new ManualClock({ monotonic: 100 });
    const changes: string[] = [];
    const line = new RecordingLine({ clock, onChange: (t) => changes.push(`${t.value}@${t.at}`) });
    const actuator = new DigitalActuator({ output: line, clock });
    const done = actuator.pulse({ count: 2, width: 30, gap: 70 });
    await clock.advanceAsync(500);
    await done;
    expect(changes).toEqual(['0@100', '1@100', '0@130', '1@200', '0@230']);
    expect(line.pulses()).toEqual([{ start: 100, duration: 30 }, { start: 200, duration: 30 }]);
    expect(line.value).toBe(0);
  });

  it('ignores writes that do not change the level and refuses bad levels', () => {
    const line = new RecordingLine({ clock: new ManualClock() });
    line.write(1);
    line.write(1);
    expect(line.transitions).toHaveLength(1);
    expect(() => line.write(2 as 0)).toThrow(RangeError);
  });
});
