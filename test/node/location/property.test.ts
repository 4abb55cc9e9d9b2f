/**
 * Property tests: whatever bytes reach the UART, in whatever chunks, the driver
 * neither throws nor invents a position.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SerialOptions } from '../../../hal/serial';
import { NmeaLocationSensor } from '../../../src/location/index';
import { TestClock } from '../../support/test-clock';

/** A port the test pushes chunks into directly, calling onReadable like a UART driver. */
function harness(maxAge = 5000) {
  const clock = new TestClock();
  let waiting: Uint8Array[] = [];
  let options: SerialOptions = {};
  const sensor = new NmeaLocationSensor({
    clock,
    maxAge,
    serial: (opened) => {
      options = opened;
      return { read: () => waiting.shift()?.slice().buffer, write: () => undefined, close: () => undefined };
    },
  });
  const push = (chunk: Uint8Array): void => {
    waiting.push(chunk);
    options.onReadable?.(chunk.length);
  };
  return { clock, sensor, push, reset: () => { waiting = []; } };
}

const ublox = new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'ublox-m8n-buenos-aires-midnight-ride.nmea')));

describe('GNSS driver under arbitrary input', () => {
  it('random bytes in random chunks never throw and never yield a position', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }), (chunks) => {
        const { sensor, push, clock } = harness();
        for (const chunk of chunks) {
          push(chunk);
          clock.advance(100);
          const sample = sensor.sample();
          expect(sample.status).not.toBe('fix');
          expect(sample.latitude).toBeUndefined();
        }
        const stats = sensor.stats();
        expect(stats.bytes).toBe(chunks.reduce((n, c) => n + c.length, 0));
      }),
      { numRuns: 300 },
    );
  });

  it('NMEA-looking noise (dollars, commas, digits, real talkers) never yields a position', () => {
    const alphabet = fc.constantFrom(...'$*,.0123456789ABCDEFGNPRSTVWX\r\n'.split(''), 'GPGGA,', 'GNRMC,', '*47\r\n');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 400 }), (pieces) => {
        const { sensor, push } = harness();
        const text = pieces.join('');
        push(Uint8Array.from(text, (c) => c.charCodeAt(0)));
        expect(sensor.sample().latitude).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });

  it('a real log cut into any chunks gives the same samples', () => {
    const reference = harness();
    reference.push(ublox);
    const expected = reference.sensor.sample();
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: ublox.length - 1 }), { maxLength: 60 }), (cuts) => {
        const { sensor, push } = harness();
        const points = [0, ...cuts.sort((a, b) => a - b), ublox.length];
        for (let i = 1; i < points.length; i++) push(ublox.subarray(points[i - 1], points[i]));
        expect(sensor.sample()).toEqual(expected);
        expect(sensor.stats()).toEqual(reference.sensor.stats());
      }),
      { numRuns: 100 },
    );
  });

  it('one corrupted byte anywhere in a real log never moves a reported position off the route', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: ublox.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const { sensor, push } = harness(60_000);
        const bytes = ublox.slice();
        bytes[at] ^= flip;
        // Epoch by epoch, so each fix is checked, not only the last.
        let start = 0;
        for (let i = 0; i < bytes.length; i++) {
          if (bytes[i] !== 0x0a) continue;
          push(bytes.subarray(start, i + 1));
          start = i + 1;
          const s = sensor.sample();
          if (s.status === 'fix') {
            expect(s.latitude).toBeGreaterThan(-34.605);
            expect(s.latitude).toBeLessThan(-34.600);
            expect(s.longitude).toBeGreaterThan(-58.383);
            expect(s.longitude).toBeLessThan(-58.374);
            expect(s.accuracy).toBeLessThan(20);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
