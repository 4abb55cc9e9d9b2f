/**
 * Generated receiver tracks: what a receiver reports, second by second, in
 * three situations the terminal meets. Deterministic for a seed. Position noise
 * is a first-order Gauss–Markov process per axis (correlated over about a
 * minute, as real multipath and atmosphere errors are), scaled by HDOP × UERE,
 * so a terminal standing still wanders by a few metres instead of jumping.
 */
import type { ReceiverEpoch } from './nmea-format';

const EARTH_RADIUS_M = 6_371_000;
const UERE_M = 4.0;
const DEG = Math.PI / 180;

export interface TrackOptions {
  /** UTC start, epoch milliseconds. */
  start: number;
  seconds: number;
  seed?: number;
  /** Seconds before the first fix (a cold or warm start), default 4. */
  acquisition?: number;
}

function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

/** Correlated error, metres, with 1 σ `sigma` and time constant `tau` seconds. */
class GaussMarkov {
  private value = 0;
  constructor(private readonly rand: () => number, private readonly tau: number) {}
  next(sigma: number): number {
    const a = Math.exp(-1 / this.tau);
    this.value = a * this.value + Math.sqrt(1 - a * a) * sigma * gaussian(this.rand);
    return this.value;
  }
}

function offset(lat: number, lon: number, north: number, east: number): [number, number] {
  return [lat + (north / EARTH_RADIUS_M) / DEG, lon + (east / (EARTH_RADIUS_M * Math.cos(lat * DEG))) / DEG];
}

function distance(a: [number, number], b: [number, number]): number {
  const north = (b[0] - a[0]) * DEG * EARTH_RADIUS_M;
  const east = (b[1] - a[1]) * DEG * EARTH_RADIUS_M * Math.cos(a[0] * DEG);
  return Math.hypot(north, east);
}

function bearing(a: [number, number], b: [number, number]): number {
  const north = b[0] - a[0];
  const east = (b[1] - a[1]) * Math.cos(a[0] * DEG);
  return (Math.atan2(east, north) / DEG + 360) % 360;
}

interface Truth { latitude: number; longitude: number; altitude: number; speed: number; course: number; sky: number }

/** Turns a truth path into what the receiver reports, adding noise, satellites and acquisition. */
function* receiverView(options: TrackOptions, truth: (second: number) => Truth): Generator<ReceiverEpoch> {
  const rand = random(options.seed ?? 1);
  const north = new GaussMarkov(rand, 60);
  const east = new GaussMarkov(rand, 60);
  const up = new GaussMarkov(rand, 60);
  const acquisition = options.acquisition ?? 4;
  let gps = 8;
  let glonass = 6;
  for (let s = 0; s < options.seconds; s++) {
    const t = truth(s);
    // Satellites come and go one at a time; `sky` (0..1) scales how many are visible.
    gps = Math.max(4, Math.min(12, gps + (rand() < 0.1 ? (rand() < 0.5 ? -1 : 1) : 0)));
    glonass = Math.max(3, Math.min(9, glonass + (rand() < 0.1 ? (rand() < 0.5 ? -1 : 1) : 0)));
    const seenGps = Math.round(gps * t.sky);
    const seenSecond = Math.round(glonass * t.sky);
    const used = seenGps + seenSecond;
    const hdop = used >= 4 ? 0.55 + 6 / used + 0.05 * rand() : 99.99;
    // Without a fix the printed HDOP is a placeholder (99.99); the error process keeps its usual scale.
    const sigma = (Math.min(hdop, 3) * UERE_M) / Math.SQRT2;
    const n = north.next(sigma);
    const e = east.next(sigma);
    const [latitude, longitude] = offset(t.latitude, t.longitude, n, e);
    const fix = s < acquisition || used < 4 ? 'none' : used < 5 ? '2d' : '3d';
    yield {
      time: options.start + s * 1000,
      timeKnown: s >= acquisition / 2,
      uptime: s * 1000,
      fix,
      latitude,
      longitude,
      altitude: t.altitude + up.next(sigma * 1.6),
      speed: t.speed > 0 ? Math.max(0, t.speed + 0.2 * gaussian(rand)) : 0.02 * rand(),
      course: t.speed > 0 ? (t.course + 2 * gaussian(rand) + 360) % 360 : 0,
      gps: fix === 'none' ? 0 : seenGps,
      glonass: fix === 'none' ? 0 : seenSecond,
      beidou: fix === 'none' ? 0 : seenSecond,
      hdop,
      vdop: hdop * 1.5,
      latitudeSigma: sigma * (0.9 + 0.2 * rand()),
      longitudeSigma: sigma * (0.9 + 0.2 * rand()),
      altitudeSigma: sigma * 1.6,
    };
  }
}

/** A terminal on a counter: no motion, only the receiver's wander. */
export function stationary(options: TrackOptions & { latitude: number; longitude: number; altitude: number }): Generator<ReceiverEpoch> {
  return receiverView(options, () => ({ latitude: options.latitude, longitude: options.longitude, altitude: options.altitude, speed: 0, course: 0, sky: 1 }));
}

export interface RideOptions extends TrackOptions {
  /** The streets, as [latitude, longitude] corners. */
  route: [number, number][];
  /** Metres per second, default 5 (18 km/h). */
  speed?: number;
  altitude?: number;
  /** Seconds of the ride under a roof: [from, to). The sky fades out and back over 3 s. */
  tunnel?: [number, number];
}

/** A bike ride along a route; with `tunnel`, a stretch without sky. */
export function ride(options: RideOptions): Generator<ReceiverEpoch> {
  const speed = options.speed ?? 5;
  const legs = options.route.slice(1).map((to, i) => ({ from: options.route[i], to, length: distance(options.route[i], to) }));
  const position = (metres: number): { at: [number, number]; course: number; moving: boolean } => {
    let left = metres;
    for (const leg of legs) {
      if (left <= leg.length) {
        const f = leg.length === 0 ? 0 : left / leg.length;
        return { at: [leg.from[0] + f * (leg.to[0] - leg.from[0]), leg.from[1] + f * (leg.to[1] - leg.from[1])], course: bearing(leg.from, leg.to), moving: true };
      }
      left -= leg.length;
    }
    const last = legs[legs.length - 1];
    return { at: last.to, course: bearing(last.from, last.to), moving: false };
  };
  const sky = (s: number): number => {
    if (!options.tunnel) return 1;
    const [from, to] = options.tunnel;
    if (s < from - 3 || s >= to + 3) return 1;
    if (s < from) return (from - s) / 3;
    if (s >= to) return (s - to + 1) / 3;
    return 0;
  };
  return receiverView(options, (s) => {
    const p = position(Math.max(0, s - (options.acquisition ?? 4)) * speed);
    return { latitude: p.at[0], longitude: p.at[1], altitude: options.altitude ?? 20, speed: p.moving ? speed : 0, course: p.course, sky: sky(s) };
  });
}
