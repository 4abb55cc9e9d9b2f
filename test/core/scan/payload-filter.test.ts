import { describe, expect, it } from 'vitest';
import { PayloadFilter } from '../../../src/scan/payload-filter';

const bytes = (...b: number[]) => Uint8Array.from(b);

describe('PayloadFilter', () => {
  it('passes a payload once while it stays in view', () => {
    const filter = new PayloadFilter(2000);
    expect(filter.accept(bytes(1, 2, 3), 0)).toBe(true);
    // Thirty frames a second for five seconds: still the same scan.
    for (let t = 33; t < 5000; t += 33) expect(filter.accept(bytes(1, 2, 3), t)).toBe(false);
  });

  it('passes the same payload again after it was out of view for longer than the hold-off', () => {
    const filter = new PayloadFilter(2000);
    expect(filter.accept(bytes(9), 1000)).toBe(true);
    expect(filter.accept(bytes(9), 3000)).toBe(false);
    expect(filter.accept(bytes(9), 5001)).toBe(true);
  });

  it('passes a different payload at once, and the first one again after it', () => {
    const filter = new PayloadFilter(2000);
    expect(filter.accept(bytes(1), 0)).toBe(true);
    expect(filter.accept(bytes(2), 10)).toBe(true);
    expect(filter.accept(bytes(1), 20)).toBe(true);
    expect(filter.accept(bytes(1, 0), 30)).toBe(true);
  });

  it('forgets on reset and rejects a negative hold-off', () => {
    const filter = new PayloadFilter(0);
    expect(filter.accept(bytes(5), 0)).toBe(true);
    expect(filter.accept(bytes(5), 0)).toBe(false);
    filter.reset();
    expect(filter.accept(bytes(5), 0)).toBe(true);
    expect(() => new PayloadFilter(-1)).toThrow(RangeError);
  });
});
