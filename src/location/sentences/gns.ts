/**
 * GNS: the multi-constellation fix (NMEA 2.3+), with one mode letter per system
 * and the total satellite count (GGA's is often capped at 12).
 * `$--GNS,hhmmss.ss,llll.ll,a,yyyyy.yy,a,c--c,nn,h.h,a.a,g.g,age,stn[,s]*hh`
 */
import { decimal, integer, isBad, latitude, longitude, timeOfDay } from '../fields';
import type { RejectionReason } from '../rejection';
import { bestLetterSolution } from './solution';
import type { GnsSentence } from './types';

export function parseGns(talker: string, f: string[]): GnsSentence | RejectionReason {
  if (f.length < 13) return 'field-count';
  const time = timeOfDay(f[1]);
  if (isBad(time)) return 'bad-time';
  const solution = bestLetterSolution(f[6]);
  if (solution === undefined) return 'bad-field';
  const satellites = integer(f[7]);
  const hdop = decimal(f[8]);
  const altitude = decimal(f[9]);
  if (isBad(satellites) || isBad(hdop) || isBad(altitude) || (hdop !== undefined && hdop < 0)) return 'bad-field';
  const sentence: GnsSentence = { type: 'GNS', talker, time, solution, satellites, hdop, altitude };
  if (solution === 'none') return sentence;
  const lat = latitude(f[2], f[3]);
  const lon = longitude(f[4], f[5]);
  if (lat === undefined || lon === undefined || lat !== lat || lon !== lon || (lat === 0 && lon === 0)) return 'bad-coordinate';
  if (time === undefined) return 'bad-time';
  if (satellites === undefined || hdop === undefined) return 'bad-field';
  sentence.latitude = lat;
  sentence.longitude = lon;
  return sentence;
}
