/**
 * GGA: time, position and fix data.
 * `$--GGA,hhmmss.ss,llll.ll,a,yyyyy.yy,a,q,nn,h.h,a.a,M,g.g,M,age,stn*hh`
 */
import { decimal, integer, isBad, latitude, longitude, timeOfDay } from '../fields';
import type { RejectionReason } from '../rejection';
import { ggaSolution } from './solution';
import type { GgaSentence } from './types';

export function parseGga(talker: string, f: string[]): GgaSentence | RejectionReason {
  if (f.length < 15) return 'field-count';
  const time = timeOfDay(f[1]);
  if (isBad(time)) return 'bad-time';
  const quality = integer(f[6]);
  const solution = quality === undefined ? undefined : ggaSolution(quality);
  if (solution === undefined) return 'bad-field';
  const satellites = integer(f[7]);
  const hdop = decimal(f[8]);
  const altitude = decimal(f[9]);
  if (isBad(satellites) || isBad(hdop) || isBad(altitude) || (hdop !== undefined && hdop < 0)) return 'bad-field';
  const sentence: GgaSentence = { type: 'GGA', talker, time, solution, satellites, hdop, altitude };
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
