/**
 * Fuses the sentences of each receiver epoch into one fix, and turns the latest
 * fix into a `LocationSample` on demand.
 *
 * A receiver reports an epoch (one measurement, usually each second) as a burst
 * of sentences sharing a time of day, in an order that differs by vendor
 * (u-blox: RMC, VTG, GGA, GSA…, GST; ATGM336H: GGA, GLL, GSA…, RMC, ZDA). Every
 * timed sentence joins the epoch of its time (a new time starts a new epoch), and
 * the fix is re-derived after each one, so neither order delays it.
 *
 * A fix needs GGA or GNS (solution, satellite count, HDOP): RMC alone says
 * nothing about how good the position is. GSA has no time; its 2D/3D mode and
 * DOPs apply to the epoch in progress and the ones after it until the next GSA.
 */
import type { FixKind, LocationSample } from '../../hal/gnss';
import { accuracyFromGst, accuracyFromHdop } from './accuracy';
import type { GgaSentence, GnsSentence, GstSentence, NmeaSentence, RmcSentence, Solution } from './sentences/types';
import { UtcCalendar } from './utc';

/** Metres per second below which RMC's course is not reported as a heading. */
export const MIN_HEADING_SPEED = 0.5;

interface Epoch {
  time: number;
  /** Monotonic time its first sentence arrived: a fix's age counts from here. */
  receivedAt: number;
  gga?: GgaSentence;
  gns?: GnsSentence;
  rmc?: RmcSentence;
  gst?: GstSentence;
}

interface Fix {
  kind: FixKind;
  satellites: number;
  latitude: number;
  longitude: number;
  altitude?: number;
  accuracy: number;
  speed?: number;
  heading?: number;
  timestamp?: number;
  receivedAt: number;
}

export class FixFuser {
  private epoch: Epoch | undefined;
  private fix: Fix | undefined;
  private readonly calendar = new UtcCalendar();
  /** Latest GSA mode: 1 none, 2 2D, 3 3D; 0 before any GSA. */
  private gsaMode = 0;
  /** Satellites the receiver last said it used, with or without a fix. */
  private satellites = 0;

  /** Takes one sentence received at monotonic time `now`; true when the fix changed. */
  accept(sentence: NmeaSentence, now: number): boolean {
    if (sentence.type === 'GSA') {
      this.gsaMode = sentence.mode;
      return this.epoch !== undefined && this.derive(this.epoch);
    }
    // Only a valid RMC dates fixes: without a fix, MediaTek receivers (Quectel L76) print the date of an
    // unset real-time clock, 6 January 1980.
    if (sentence.type === 'RMC' && sentence.valid && sentence.date !== undefined && sentence.time !== undefined) {
      this.calendar.setDate(sentence.date, sentence.time);
    }
    if ((sentence.type === 'GGA' || sentence.type === 'GNS') && sentence.satellites !== undefined) {
      this.satellites = sentence.satellites;
    }
    if (sentence.time === undefined) return false;
    let epoch = this.epoch;
    if (epoch === undefined || epoch.time !== sentence.time) {
      epoch = { time: sentence.time, receivedAt: now };
      this.epoch = epoch;
    }
    switch (sentence.type) {
      case 'GGA': epoch.gga = sentence; break;
      case 'GNS': epoch.gns = sentence; break;
      case 'RMC': epoch.rmc = sentence; break;
      case 'GST': epoch.gst = sentence; break;
    }
    return this.derive(epoch);
  }

  private kind(solution: Solution, altitude: number | undefined): FixKind {
    switch (solution) {
      case 'autonomous':
        if (this.gsaMode === 2) return '2d';
        if (this.gsaMode === 3) return '3d';
        return altitude === undefined ? '2d' : '3d';
      case 'differential': return 'differential';
      case 'rtk': return 'rtk';
      case 'estimated': return 'estimated';
      default: return 'none';
    }
  }

  /** Rebuilds the fix from an epoch; true when it produced one. */
  private derive(epoch: Epoch): boolean {
    const gga = epoch.gga;
    const gns = epoch.gns;
    const source = gga ?? gns;
    if (source === undefined || source.solution === 'none' || source.latitude === undefined || source.longitude === undefined) {
      return false;
    }
    // GGA caps the count at 12 on many receivers; GNS gives the total.
    const satellites = Math.max(gga?.satellites ?? 0, gns?.satellites ?? 0);
    if (satellites === 0) return false;
    const kind = this.kind(source.solution, source.altitude);
    const gst = epoch.gst;
    // The parsers refuse a GGA or GNS fix without HDOP, so one of the two sources is always there.
    const accuracy = gst !== undefined && gst.latitudeSigma !== undefined && gst.longitudeSigma !== undefined
      ? accuracyFromGst(gst.latitudeSigma, gst.longitudeSigma)
      : accuracyFromHdop(source.hdop as number, kind);
    const fix: Fix = {
      kind,
      satellites,
      latitude: source.latitude,
      longitude: source.longitude,
      accuracy,
      receivedAt: epoch.receivedAt,
    };
    // A 2D fix holds the altitude fixed: it is an assumption, not a measurement.
    if (kind !== '2d' && source.altitude !== undefined) fix.altitude = source.altitude;
    const rmc = epoch.rmc;
    if (rmc !== undefined && rmc.valid) {
      if (rmc.speed !== undefined) fix.speed = rmc.speed;
      // Course over ground is the direction of motion: below walking pace it is noise, not a heading.
      if (rmc.course !== undefined && rmc.speed !== undefined && rmc.speed >= MIN_HEADING_SPEED) fix.heading = rmc.course;
    }
    const timestamp = this.calendar.timestamp(epoch.time);
    if (timestamp !== undefined) fix.timestamp = timestamp;
    this.fix = fix;
    return true;
  }

  /**
   * The sample at monotonic time `now`: the fix while it is at most `maxAge`
   * milliseconds old; after that `stale` (the age and UTC time of the last fix,
   * no position); `absent` when there never was a fix.
   */
  sample(now: number, maxAge: number): LocationSample {
    const fix = this.fix;
    if (fix === undefined) return { status: 'absent', fix: 'none', satellites: this.satellites };
    const age = now - fix.receivedAt;
    if (age > maxAge) {
      const stale: LocationSample = { status: 'stale', fix: 'none', satellites: this.satellites, age };
      if (fix.timestamp !== undefined) stale.timestamp = fix.timestamp;
      return stale;
    }
    const sample: LocationSample = {
      status: 'fix',
      fix: fix.kind,
      satellites: fix.satellites,
      latitude: fix.latitude,
      longitude: fix.longitude,
      accuracy: fix.accuracy,
      age,
    };
    if (fix.altitude !== undefined) sample.altitude = fix.altitude;
    if (fix.speed !== undefined) sample.speed = fix.speed;
    if (fix.heading !== undefined) sample.heading = fix.heading;
    if (fix.timestamp !== undefined) sample.timestamp = fix.timestamp;
    return sample;
  }
}
