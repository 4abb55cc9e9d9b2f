/**
 * The simulator's receivers: what they print is real NMEA (checksums, field
 * shapes) that the driver reads back to the truth they were generated from, and
 * captured logs replay at their own pace.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LocationSample } from '../../../hal/gnss';
import { formatCoordinate, formatEpoch, sentence } from '../../../hal/sim/nmea-format';
import { nmeaLogSteps } from '../../../hal/sim/nmea-log';
import { replaySerial, trackSerial } from '../../../hal/sim/track-serial';
import { ride, stationary } from '../../../hal/sim/tracks';
import { NmeaLocationSensor } from '../../../src/location/index';
import { parseSentence } from '../../../src/location/sentences/index';
import { TestClock } from '../../support/test-clock';

const fixtures = join(import.meta.dirname, '..', '..', 'fixtures');

function collect(clock: TestClock, sensor: NmeaLocationSensor, seconds: number): LocationSample[] {
  const out: LocationSample[] = [];
  for (let s = 0; s < seconds; s++) {
    clock.advance(1000);
    out.push(sensor.sample());
  }
  return out;
}

describe('simulated receivers', () => {
  it('write the textbook sentences with their published checksums', () => {
    expect(sentence('GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,')).toBe(
      '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47',
    );
    expect(formatCoordinate(-34.6037158, 2, 5, 'N', 'S')).toBe('3436.22295,S');
    expect(formatCoordinate(-58.99999999, 3, 4, 'E', 'W')).toBe('05900.0000,W');
  });

  it('print every sentence in a form the parser accepts, for every model', () => {
    const epoch = stationary({ start: Date.UTC(2026, 0, 1), seconds: 6, latitude: -12.0464, longitude: -77.0428, altitude: 150 });
    for (const model of ['ublox-m8n', 'quectel-l76', 'atgm336h'] as const) {
      for (const e of epoch) {
        for (const line of formatEpoch(model, e)) expect([line, typeof parseSentence(line.slice(1, line.indexOf('*')))]).not.toContain('string');
      }
    }
  });

  it('a counter terminal stays within a few metres of where it stands', () => {
    const clock = new TestClock();
    const truth = { latitude: 59.3293, longitude: 18.0686, altitude: 28 };
    const sensor = new NmeaLocationSensor({
      clock,
      serial: trackSerial('ublox-m8n', stationary({ start: Date.UTC(2026, 0, 5, 12), seconds: 300, seed: 4, ...truth }), { clock, seed: 2 }),
    });
    const fixes = collect(clock, sensor, 300).filter((s) => s.status === 'fix');
    expect(fixes.length).toBeGreaterThan(290);
    const errors = fixes.map((s) => Math.hypot(((s.latitude as number) - truth.latitude) * 111_320, ((s.longitude as number) - truth.longitude) * 111_320 * Math.cos(59.33 * Math.PI / 180)));
    const rms = Math.sqrt(errors.reduce((a, e) => a + e * e, 0) / errors.length);
    expect(rms).toBeGreaterThan(0.5); // it does jitter
    expect(rms).toBeLessThan(12);
    expect(fixes.every((s) => s.heading === undefined && (s.speed as number) < 0.5)).toBe(true);
  });

  it('a bike ride heads along its street at its speed, and a tunnel takes the fix away', () => {
    const clock = new TestClock();
    const route: [number, number][] = [[40.4168, -3.7038], [40.4168, -3.6938]]; // due east, Madrid
    const sensor = new NmeaLocationSensor({
      clock,
      maxAge: 2000,
      serial: trackSerial('quectel-l76', ride({ start: Date.UTC(2026, 3, 1, 8), seconds: 90, seed: 6, route, speed: 6, tunnel: [40, 60] }), { clock }),
    });
    const samples = collect(clock, sensor, 90);
    const moving = samples.slice(10, 30);
    for (const s of moving) {
      expect(s.status).toBe('fix');
      expect(Math.abs((s.heading as number) - 90)).toBeLessThan(10);
      expect(Math.abs((s.speed as number) - 6)).toBeLessThan(1);
    }
    const inside = samples.slice(44, 58);
    expect(inside.every((s) => s.status === 'stale' && s.latitude === undefined)).toBe(true);
    expect(samples[samples.length - 1].status).toBe('fix');
  });

  it('replays a captured log at the pace of the times in it, across midnight', () => {
    const steps = nmeaLogSteps('$GPGGA,235959.00,x\r\n$GPGSA,y\r\n$GPGGA,000000.00,z\r\n$GPGGA,000002.50,w\r\n');
    expect(steps.map((s) => s.at)).toEqual([0, 1000, 3500]);
    expect(steps[0].data).toBe('$GPGGA,235959.00,x\r\n$GPGSA,y\r\n');
    // A MediaTek clock being set (1980 RTC time → GPS time) is not eighteen hours of silence.
    expect(nmeaLogSteps('$GPRMC,000001.800,V\n$GPRMC,000002.800,V\n$GPRMC,180404.000,A\n$GPRMC,180405.000,A\n').map((s) => s.at)).toEqual([0, 1000, 2000, 3000]);
    const clock = new TestClock();
    const sensor = new NmeaLocationSensor({ clock, serial: replaySerial(join(fixtures, 'atgm336h-sydney-tunnel.nmea'), { clock }) });
    clock.advance(10_500);
    const early = sensor.sample();
    expect(early.status).toBe('fix');
    // The log's first time is 23:59:42; 10.5 s later the burst of :52 is on the wire (or just read).
    expect(early.timestamp).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 2, 23, 59, 51));
    expect(early.timestamp).toBeLessThanOrEqual(Date.UTC(2026, 10, 2, 23, 59, 52));
    clock.advance(20_000);
    expect(sensor.sample().timestamp).toBe(Date.UTC(2026, 10, 3, 0, 0, 4)); // the last fix before the tunnel
  });
});
