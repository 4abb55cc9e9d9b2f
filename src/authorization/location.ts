/**
 * Where the terminal is, as carried in an authorization request. Our CBOR has
 * no floats (see src/codec/cbor.ts), so coordinates travel as integers the way
 * GNSS binary protocols carry them: degrees x 1e7 (about 1 cm), metres x 100.
 * Without a current fix the request says so explicitly, with the reason and the
 * age of the last fix when there was one: the authorizer judges, not guesses.
 *
 * Map keys: 1 status, 2 fix kind, 3 satellites, 4 latitude e7, 5 longitude e7,
 * 6 altitude cm, 7 accuracy cm, 8 speed cm/s, 9 heading centidegrees,
 * 10 fix time (ms since epoch, receiver's UTC), 11 age ms, 12 no-fix reason.
 */
import type { CborMap, CborValue } from '../codec/cbor';
import type { FixKind, LocationSample, LocationStatus } from '../../hal/gnss';
import { asMap, FormatError, mapOf, onlyKeys, optional, readChoice, readInt, readUint } from './fields';

export type NoFixReason = 'stale-fix' | 'no-fix-yet' | 'no-receiver';

/** A location sample as the request carries it: the sample's fields, plus why there is no fix. */
export interface WireLocation extends LocationSample {
  /** Present exactly when `status` is not `fix`. */
  reason?: NoFixReason;
}

const statuses: readonly LocationStatus[] = ['fix', 'stale', 'absent'];
const fixKinds: readonly FixKind[] = ['none', '2d', '3d', 'differential', 'rtk', 'estimated'];
const reasons: readonly NoFixReason[] = ['stale-fix', 'no-fix-yet', 'no-receiver'];

const scaled = (value: number | undefined, factor: number) => (value === undefined || !Number.isFinite(value) ? undefined : Math.round(value * factor));

/** The wire form of a sample; `undefined` means the terminal has no GNSS receiver. */
export function locationFromSample(sample: LocationSample | undefined): WireLocation {
  if (!sample) return { status: 'absent', fix: 'none', satellites: 0, reason: 'no-receiver' };
  const wire: WireLocation = { status: sample.status, fix: sample.fix, satellites: sample.satellites };
  if (sample.status === 'fix') {
    wire.latitude = sample.latitude;
    wire.longitude = sample.longitude;
    wire.altitude = sample.altitude;
    wire.accuracy = sample.accuracy;
    wire.speed = sample.speed;
    wire.heading = sample.heading;
    wire.timestamp = sample.timestamp;
  } else {
    wire.reason = sample.status === 'stale' ? 'stale-fix' : 'no-fix-yet';
  }
  if (sample.age !== undefined) wire.age = sample.age;
  return wire;
}

export function encodeLocation(location: WireLocation): CborMap {
  const entries: [number, CborValue | undefined][] = [
    [1, location.status],
    [2, location.fix],
    [3, location.satellites],
    [4, scaled(location.latitude, 1e7)],
    [5, scaled(location.longitude, 1e7)],
    [6, scaled(location.altitude, 100)],
    [7, scaled(location.accuracy, 100)],
    [8, scaled(location.speed, 100)],
    [9, scaled(location.heading, 100)],
    [10, scaled(location.timestamp, 1)],
    [11, scaled(location.age, 1)],
    [12, location.reason],
  ];
  return mapOf(entries);
}

export function decodeLocation(value: CborValue | undefined): WireLocation {
  const map = asMap(value, 'location');
  onlyKeys(map, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 'location');
  const status = readChoice(map, 1, 'location status', statuses);
  const location: WireLocation = {
    status,
    fix: readChoice(map, 2, 'location fix kind', fixKinds),
    satellites: readUint(map, 3, 'satellites', 255),
  };
  const put = (key: keyof WireLocation, raw: number | undefined, factor: number) => {
    if (raw !== undefined) (location as unknown as Record<string, number>)[key] = raw / factor;
  };
  put('latitude', optional(map, 4, (m, k) => readInt(m, k, 'latitude', -900_000_000, 900_000_000)), 1e7);
  put('longitude', optional(map, 5, (m, k) => readInt(m, k, 'longitude', -1_800_000_000, 1_800_000_000)), 1e7);
  put('altitude', optional(map, 6, (m, k) => readInt(m, k, 'altitude', -100_000_000, 100_000_000)), 100);
  put('accuracy', optional(map, 7, (m, k) => readUint(m, k, 'accuracy')), 100);
  put('speed', optional(map, 8, (m, k) => readUint(m, k, 'speed')), 100);
  put('heading', optional(map, 9, (m, k) => readUint(m, k, 'heading', 36_000)), 100);
  put('timestamp', optional(map, 10, (m, k) => readUint(m, k, 'fix time')), 1);
  put('age', optional(map, 11, (m, k) => readUint(m, k, 'fix age')), 1);
  const reason = optional(map, 12, (m, k) => readChoice(m, k, 'no-fix reason', reasons));
  if (reason !== undefined) location.reason = reason;
  const hasPosition = location.latitude !== undefined && location.longitude !== undefined;
  if (status === 'fix' && (!hasPosition || reason !== undefined)) {
    throw new FormatError('location', 'a fix must carry latitude and longitude and no no-fix reason');
  }
  if (status !== 'fix' && (location.latitude !== undefined || location.longitude !== undefined || reason === undefined)) {
    throw new FormatError('location', 'without a fix the location carries a reason and no position');
  }
  return location;
}

/** Text for logs and the demo: "48.8584000, 2.2945000 ±5 m" or "no fix (stale-fix, last 42 s ago)". */
export function describeLocation(location: WireLocation): string {
  if (location.status === 'fix') {
    const accuracy = location.accuracy === undefined ? '' : ` ±${location.accuracy} m`;
    return `${location.latitude!.toFixed(7)}, ${location.longitude!.toFixed(7)}${accuracy}`;
  }
  const age = location.age === undefined ? '' : `, last fix ${Math.round(location.age / 1000)} s ago`;
  return `no fix (${location.reason}${age})`;
}
