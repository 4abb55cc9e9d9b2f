/**
 * The UTC time of a fix. Only RMC carries the date; GGA, GNS and GST carry the
 * time of day alone. A sentence's time is placed on the day of the latest valid RMC,
 * and moved one day on when it is more than twelve hours behind that RMC (GGA
 * at 00:00:00 after the last RMC of 23:59:59 is the next day), one day back when
 * more than twelve hours ahead (a late sentence from before midnight).
 */
import { DAY_MS } from './fields';

const HALF_DAY_MS = DAY_MS / 2;

export class UtcCalendar {
  private midnight: number | undefined;
  private timeOfDay = 0;

  /** Records the date and time of a valid RMC. */
  setDate(midnight: number, timeOfDay: number): void {
    this.midnight = midnight;
    this.timeOfDay = timeOfDay;
  }

  /** Epoch milliseconds for a time of day, or undefined before any date is known. */
  timestamp(timeOfDay: number): number | undefined {
    if (this.midnight === undefined) return undefined;
    const drift = timeOfDay - this.timeOfDay;
    const day = drift < -HALF_DAY_MS ? DAY_MS : drift > HALF_DAY_MS ? -DAY_MS : 0;
    return this.midnight + day + timeOfDay;
  }
}
