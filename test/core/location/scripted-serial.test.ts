import { describe, expect, it } from 'vitest';
import { isHalError } from '../../../hal/errors';
import { scriptedSerial } from '../../../hal/portable/scripted-serial';
import { TestClock } from '../../support/test-clock';

function text(buffer: ArrayBuffer | undefined): string {
  return buffer === undefined ? '' : String.fromCharCode.apply(null, new Uint8Array(buffer) as unknown as number[]);
}

describe('scripted serial port', () => {
  it('delivers each step at its time, in chunks within bounds, at the wire speed of its baud rate', () => {
    const clock = new TestClock();
    const chunks: number[] = [];
    const at: number[] = [];
    let received = '';
    const port = scriptedSerial({
      clock, baud: 9600, minChunk: 3, maxChunk: 9, seed: 42,
      script: [{ at: 0, data: 'x'.repeat(100) }, { at: 1000, data: 'hello' }],
    })({
      onReadable: (count) => {
        chunks.push(count);
        at.push(clock.monotonic());
        received += text(port.read());
      },
    });
    clock.advance(999);
    expect(received).toBe('x'.repeat(100));
    // Every chunk within bounds but the step's last, which takes what is left.
    for (const size of chunks.slice(0, -1)) expect([size, size >= 3 && size <= 9]).toEqual([size, true]);
    expect(chunks[chunks.length - 1]).toBeLessThanOrEqual(9);
    // 100 bytes at 9600 baud (10 bits each) take about 104 ms on the wire.
    expect(at[at.length - 1]).toBeCloseTo(100 * 10_000 / 9600, 6);
    clock.advance(1000);
    expect(received.slice(100)).toBe('hello');
    expect(at[at.length - 1]).toBeGreaterThanOrEqual(1000);
  });

  it('reads part of what waits, then the rest, then nothing', () => {
    const clock = new TestClock();
    const port = scriptedSerial({ clock, script: [{ at: 0, data: 'abcdef' }], minChunk: 6, maxChunk: 6 })({});
    expect(port.read()).toBeUndefined();
    clock.advance(100);
    expect(text(port.read(4))).toBe('abcd');
    expect(text(port.read())).toBe('ef');
    expect(port.read()).toBeUndefined();
  });

  it('stops on close and refuses to be used after', () => {
    const clock = new TestClock();
    let readable = 0;
    const port = scriptedSerial({ clock, script: [{ at: 10, data: 'late' }] })({ onReadable: () => readable++ });
    port.close();
    clock.advance(1000);
    expect(readable).toBe(0);
    expect(clock.pending()).toBe(0);
    let error: unknown;
    try {
      port.read();
    } catch (e) {
      error = e;
    }
    expect(isHalError(error, 'closed')).toBe(true);
  });

  it('cuts the same way for the same seed', () => {
    const cut = (seed: number): number[] => {
      const clock = new TestClock();
      const sizes: number[] = [];
      const port = scriptedSerial({ clock, seed, script: [{ at: 0, data: 'y'.repeat(500) }] })({
        onReadable: () => sizes.push((port.read() as ArrayBuffer).byteLength),
      });
      clock.advance(5000);
      return sizes;
    };
    expect(cut(7)).toEqual(cut(7));
    expect(cut(7)).not.toEqual(cut(8));
  });
});
