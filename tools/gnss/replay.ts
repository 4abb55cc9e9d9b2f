/**
 * Runs a captured NMEA log through the real driver, burst by burst at the log's
 * own pace (on a virtual clock, so a one-hour log takes a moment), and collects
 * the sample after every burst that changed it.
 */
import type { LocationSample } from '../../hal/gnss';
import type { SerialOptions } from '../../hal/serial';
import { NmeaLocationSensor, type LocationStats } from '../../src/location/index';
import type { Rejection } from '../../src/location/rejection';
import { nmeaLogSteps } from '../../hal/sim/nmea-log';
import { LogClock } from './log-clock';

export interface ReplayedSample {
  /** Milliseconds into the log. */
  at: number;
  sample: LocationSample;
}

export interface ReplayResult {
  samples: ReplayedSample[];
  rejections: Rejection[];
  stats: LocationStats;
}

/** `text` is the log byte for byte (read it as latin1). */
export function replayLog(text: string, options: { maxAge?: number } = {}): ReplayResult {
  const clock = new LogClock(0);
  const samples: ReplayedSample[] = [];
  const rejections: Rejection[] = [];
  let pending: Uint8Array | undefined;
  let serialOptions: SerialOptions = {};
  let changed = false;
  const sensor = new NmeaLocationSensor({
    clock,
    maxAge: options.maxAge,
    serial: (opened) => {
      serialOptions = opened;
      return {
        read: () => {
          const bytes = pending;
          pending = undefined;
          return bytes?.buffer as ArrayBuffer | undefined;
        },
        write: () => undefined,
        close: () => undefined,
      };
    },
    onSample: () => { changed = true; },
    onRejected: (rejection) => rejections.push(rejection),
  });
  let lastStatus = '';
  for (const step of nmeaLogSteps(text)) {
    clock.time = step.at;
    const data = step.data as string;
    pending = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) pending[i] = data.charCodeAt(i) & 0xff;
    serialOptions.onReadable?.(pending.length);
    const sample = sensor.sample();
    // Print on a new fix, and when the status moves (a fix going stale shows even without new sentences).
    if (changed || sample.status !== lastStatus) samples.push({ at: step.at, sample });
    changed = false;
    lastStatus = sample.status;
  }
  const stats = sensor.stats();
  sensor.close();
  return { samples, rejections, stats };
}
