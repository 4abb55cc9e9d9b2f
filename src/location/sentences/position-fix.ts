/**
 * GGA and GNS carry the same position fields at the same places (time, latitude,
 * longitude, satellites, HDOP, altitude); they differ in how the solution is
 * written (GGA's quality digit, GNS's mode letters) and in their field count.
 */
import { decimal, integer, isBad, latitude, longitude, timeOfDay } from '../fields';
import type { RejectionReason } from '../rejection';
import type { PositionFix, Solution } from './types';

export function parsePositionFix<T extends 'GGA' | 'GNS'>(
  type: T,
  talker: string,
  f: string[],
  minFields: number,
  solutionOf: (field: string) => Solution | undefined,
): (PositionFix & { type: T }) | RejectionReason {
  if (f.length < minFields) return 'field-count';
  const time = timeOfDay(f[1]);
  if (isBad(time)) return 'bad-time';
  const solution = solutionOf(f[6]);
  if (solution === undefined) return 'bad-field';
  const satellites = integer(f[7]);
  const hdop = decimal(f[8]);
  const altitude = decimal(f[9]);
  if (isBad(satellites) || isBad(hdop) || isBad(altitude) || (hdop !== undefined && hdop < 0)) return 'bad-field';
  const sentence: PositionFix & { type: T } = { type, talker, time, solution, satellites, hdop, altitude };
  if (solution === 'none') return sentence;
  // A fix must say where, when, with how many satellites and how well.
  const lat = latitude(f[2], f[3]);
  const lon = longitude(f[4], f[5]);
  if (lat === undefined || lon === undefined || lat !== lat || lon !== lon || (lat === 0 && lon === 0)) return 'bad-coordinate';
  if (time === undefined) return 'bad-time';
  if (satellites === undefined || hdop === undefined) return 'bad-field';
  sentence.latitude = lat;
  sentence.longitude = lon;
  return sentence;
}
