/**
 * The driver end to end on receiver-shaped logs, fed through the scripted serial
 * port in irregular chunks on a test clock — the way a UART delivers them.
 */
import { describe, expect, it } from 'vitest';
import { HalError, isHalError } from '../../../hal/errors';
import type { LocationSample } from '../../../hal/gnss';
import type { SerialOptions } from '../../../hal/serial';
import { scriptedSerial, type ScriptStep } from '../../../hal/portable/scripted-serial';
import { NmeaLocationSensor, UERE_METRES, type NmeaLocationSensorOptions } from '../../../src/location/index';
import { TestClock } from '../../support/test-clock';
import ublox from '../../fixtures/ublox-m8n-buenos-aires-midnight-ride.nmea';
import atgm from '../../fixtures/atgm336h-sydney-tunnel.nmea';
import quectel from '../../fixtures/quectel-l76-seattle-counter.nmea';

/** One step a second, cut where each burst's first timed sentence repeats its time (logs are written that way). */
function bursts(log: string): ScriptStep[] {
  const lines = log.split('\n');
  const steps: ScriptStep[] = [];
  let current = '';
  let lastTime = '';
  for (const line of lines) {
    const time = /^\$..(GGA|RMC),([0-9.]+),/.exec(line);
    if (time && time[2] !== lastTime && current) {
      steps.push({ at: steps.length * 1000, data: current });
      current = '';
    }
    if (time) lastTime = time[2];
    current += line + '\n';
  }
  steps.push({ at: steps.length * 1000, data: current });
  return steps;
}

interface Run { sensor: NmeaLocationSensor; clock: TestClock; samples: LocationSample[] }

function play(log: string, extra: Partial<NmeaLocationSensorOptions> = {}, seed = 5): Run {
  const clock = new TestClock();
  const samples: LocationSample[] = [];
  const steps = bursts(log);
  const sensor: NmeaLocationSensor = new NmeaLocationSensor({
    clock,
    serial: scriptedSerial({ clock, script: steps, baud: 115200, seed, minChunk: 1, maxChunk: 40 }),
    onSample: () => samples.push(sensor.sample()),
    ...extra,
  });
  clock.advance(steps.length * 1000 + 500);
  return { sensor, clock, samples };
}

const fixes = (samples: LocationSample[]): LocationSample[] => samples.filter((s) => s.status === 'fix');

describe('GNSS driver on a u-blox M8N log (Buenos Aires, over midnight, with noise)', () => {
  const { sensor, samples } = play(ublox);

  it('reports southern and western positions along the route', () => {
    const all = fixes(samples);
    expect(all.length).toBeGreaterThan(80);
    for (const s of all) {
      expect(s.latitude).toBeLessThan(-34.60);
      expect(s.latitude).toBeGreaterThan(-34.605);
      expect(s.longitude).toBeLessThan(-58.37);
      expect(s.longitude).toBeGreaterThan(-58.383);
      expect(s.fix).toBe('3d');
    }
  });

  it('crosses midnight UTC into the next day, one second per epoch', () => {
    const times = fixes(samples).map((s) => s.timestamp as number);
    const unique = times.filter((t, i) => i === 0 || t !== times[i - 1]);
    for (let i = 1; i < unique.length; i++) expect(unique[i] - unique[i - 1]).toBe(1000);
    expect(unique).toContain(Date.UTC(2026, 2, 14, 23, 59, 59));
    expect(unique).toContain(Date.UTC(2026, 2, 15, 0, 0, 0));
  });

  it('takes accuracy from GST once the epoch GST has arrived: sqrt(σlat² + σlon²)', () => {
    const gst = (/GNGST,235924\.00,[^,]*,,,,([0-9.]+),([0-9.]+),/.exec(ublox) as RegExpExecArray).slice(1).map(Number);
    const epoch = fixes(samples).filter((s) => s.timestamp === Date.UTC(2026, 2, 14, 23, 59, 24));
    expect(epoch[epoch.length - 1].accuracy).toBeCloseTo(Math.sqrt(gst[0] * gst[0] + gst[1] * gst[1]), 9);
  });

  it('counts the noise it refused and keeps going', () => {
    const stats = sensor.stats();
    expect(stats.rejected['bad-checksum']).toBe(1);
    expect(stats.rejected.truncated).toBe(1);
    expect(stats.garbageBytes).toBeGreaterThan(10);
    expect(stats.accepted.GGA).toBe(89);
    expect(stats.accepted.GST).toBe(90);
    expect(sensor.sample().status).toBe('fix');
  });
});

describe('GNSS driver on an ATGM336H log (Sydney, a tunnel, GGA before RMC at midnight)', () => {
  const maxAge = 3000;
  const { samples, clock, sensor } = play(atgm, { maxAge });

  it('dates a GGA that passes midnight before its RMC on the new day', () => {
    // The very first fix comes before any valid RMC: undated until that RMC arrives.
    const times = fixes(samples).filter((s) => s.timestamp !== undefined).map((s) => s.timestamp as number);
    expect(fixes(samples)[0].timestamp).toBeUndefined();
    expect(times.length).toBeGreaterThan(40);
    expect(times).toContain(Date.UTC(2026, 10, 3, 0, 0, 0));
    expect(times).not.toContain(Date.UTC(2026, 10, 2, 0, 0, 0));
    for (let i = 1; i < times.length; i++) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1]);
  });

  it('goes from 3D to 2D as the sky closes, then stale, never a position without a fix', () => {
    const kinds = fixes(samples).map((s) => s.fix);
    expect(kinds).toContain('2d');
    expect(fixes(samples).filter((s) => s.fix === '2d').every((s) => s.altitude === undefined)).toBe(true);
    const tunnel = new TestClock();
    const inside: LocationSample[] = [];
    const steps = bursts(atgm).slice(0, 35);
    const probe = new NmeaLocationSensor({ clock: tunnel, maxAge, serial: scriptedSerial({ clock: tunnel, script: steps, baud: 115200 }) });
    for (let s = 0; s < 35; s++) {
      tunnel.advance(1000);
      inside.push(probe.sample());
    }
    const stale = inside.filter((s) => s.status === 'stale');
    expect(stale.length).toBeGreaterThan(3);
    for (const s of stale) {
      expect(s.latitude).toBeUndefined();
      expect(s.longitude).toBeUndefined();
      expect(s.accuracy).toBeUndefined();
      expect(s.age).toBeGreaterThan(maxAge);
      expect(s.fix).toBe('none');
    }
    probe.close();
  });

  it('reports the fix again after the tunnel, and stale when the receiver falls silent', () => {
    expect(sensor.sample()).toMatchObject({ status: 'fix', fix: '3d' });
    clock.advance(maxAge + 1);
    const silent = sensor.sample();
    expect(silent.status).toBe('stale');
    expect(silent.latitude).toBeUndefined();
    expect(silent.timestamp).toBe(Date.UTC(2026, 10, 3, 0, 0, 49));
  });
});

describe('GNSS driver on a Quectel L76 log (Seattle counter, standing still)', () => {
  const { samples, sensor } = play(quectel, {}, 9);

  it('is absent before the first fix, then wanders a few metres around the counter', () => {
    const clock = new TestClock();
    const cold = new NmeaLocationSensor({ clock, serial: scriptedSerial({ clock, script: bursts(quectel), baud: 115200 }) });
    clock.advance(3000);
    expect(cold.sample()).toEqual({ status: 'absent', fix: 'none', satellites: 0 });
    cold.close();
    const all = fixes(samples);
    expect(all.length).toBeGreaterThan(45);
    for (const s of all) {
      const north = ((s.latitude as number) - 47.60621) * 111_320;
      const east = ((s.longitude as number) + 122.33207) * 111_320 * Math.cos(47.6 * Math.PI / 180);
      expect(Math.hypot(north, east)).toBeLessThan(25);
      expect(s.heading).toBeUndefined();
    }
  });

  it('derives accuracy as HDOP × UERE when there is no GST', () => {
    const last = fixes(samples)[fixes(samples).length - 1];
    // The last GGA of the log: HDOP 1.0 at the L76's one decimal.
    expect(last.accuracy).toBeCloseTo(1.0 * UERE_METRES['3d'], 9);
    expect(sensor.stats().accepted.GST).toBeUndefined();
  });
});

describe('GNSS driver plumbing', () => {
  const fix = '$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n';

  it('polls an open port on the clock when it is not given a factory', () => {
    const clock = new TestClock();
    const port = scriptedSerial({ clock, script: [{ at: 0, data: fix }], baud: 115200 })({});
    const sensor = new NmeaLocationSensor({ clock, serial: port, pollInterval: 50 });
    expect(sensor.sample().status).toBe('absent');
    clock.advance(60);
    expect(sensor.sample()).toMatchObject({ status: 'fix', latitude: 48.1173, satellites: 8 });
    // No RMC, no date: the UTC time of the fix is unknown, not guessed.
    expect(sensor.sample().timestamp).toBeUndefined();
    sensor.close();
    expect(clock.pending()).toBe(0);
  });

  it('hands an exception from onSample to onError and keeps reading', () => {
    const clock = new TestClock();
    const errors: Error[] = [];
    const sensor = new NmeaLocationSensor({
      clock,
      serial: scriptedSerial({ clock, script: [{ at: 0, data: fix }, { at: 1000, data: fix.replace('123519', '123520').replace('*47', '*4D') }], baud: 115200 }),
      onSample: () => { throw new Error('application bug'); },
      onError: (e) => errors.push(e),
    });
    clock.advance(2000);
    expect(errors.map((e) => e.message)).toEqual(['application bug', 'application bug']);
    expect(sensor.stats().accepted.GGA).toBe(2);
  });

  it('does not let a frozen receiver repeating one epoch keep its fix fresh', () => {
    const clock = new TestClock();
    const script = [];
    for (let s = 0; s < 10; s++) script.push({ at: s * 1000, data: fix });
    const sensor = new NmeaLocationSensor({ clock, maxAge: 3000, serial: scriptedSerial({ clock, script, baud: 115200 }) });
    clock.advance(2000);
    expect(sensor.sample().status).toBe('fix');
    clock.advance(4500);
    expect(sensor.sample()).toMatchObject({ status: 'stale', fix: 'none' });
    expect(sensor.stats().accepted.GGA).toBe(7);
  });

  it('reports a port that fails mid-read to onError and reads again at the next signal', () => {
    const clock = new TestClock();
    const errors: unknown[] = [];
    let options: SerialOptions = {};
    let failNext = true;
    const sensor = new NmeaLocationSensor({
      clock,
      serial: (opened) => {
        options = opened;
        let sent = false;
        return {
          read: () => {
            if (failNext) {
              failNext = false;
              throw new HalError('io', 'UART overrun');
            }
            if (sent) return undefined;
            sent = true;
            return Uint8Array.from(fix, (c) => c.charCodeAt(0)).buffer;
          },
          write: () => undefined,
          close: () => undefined,
        };
      },
      onError: (e) => errors.push(e),
    });
    options.onReadable?.(10);
    expect(errors).toHaveLength(1);
    expect(isHalError(errors[0], 'io')).toBe(true);
    options.onReadable?.(10);
    expect(sensor.sample().status).toBe('fix');
  });

  it('refuses a nonsensical maxAge or poll interval with a RangeError', () => {
    const clock = new TestClock();
    const serial = scriptedSerial({ clock, script: [] });
    expect(() => new NmeaLocationSensor({ clock, serial, maxAge: -1 })).toThrow(RangeError);
    expect(() => new NmeaLocationSensor({ clock, serial, maxAge: NaN })).toThrow(RangeError);
    expect(() => new NmeaLocationSensor({ clock, serial, pollInterval: 0 })).toThrow(RangeError);
  });

  it('offers each refusal to onRejected with the sentence', () => {
    const clock = new TestClock();
    const seen: unknown[] = [];
    new NmeaLocationSensor({
      clock,
      serial: scriptedSerial({ clock, script: [{ at: 0, data: fix.replace('*47', '*46') }] }),
      onRejected: (r) => seen.push(r),
    });
    clock.advance(1000);
    expect(seen).toEqual([{ reason: 'bad-checksum', sentence: fix.slice(1, fix.indexOf('*')) }]);
  });
});

describe('GNSS driver dating', () => {
  it('ignores the 1980 date a MediaTek receiver prints before its fix', () => {
    const clock = new TestClock();
    const lines = [
      '$GPRMC,000114.800,V,,,,,0.00,0.00,060180,,,N*4E',
      '$GPGGA,180404.000,4736.3726,N,12219.9242,W,1,09,1.02,56.0,M,-17.1,M,,*66',
    ];
    const sensor = new NmeaLocationSensor({ clock, serial: scriptedSerial({ clock, script: [{ at: 0, data: lines.join('\r\n') + '\r\n' }] }) });
    clock.advance(1000);
    expect(sensor.sample()).toMatchObject({ status: 'fix', satellites: 9 });
    expect(sensor.sample().timestamp).toBeUndefined();
  });
});
