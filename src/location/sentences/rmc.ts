/**
 * RMC: recommended minimum data; the only common sentence with the date.
 * `$--RMC,hhmmss.ss,A,llll.ll,a,yyyyy.yy,a,x.x,x.x,ddmmyy,x.x,a[,m[,s]]*hh`
 */
import { KNOTS_TO_METRES_PER_SECOND, dateOfDay, decimal, isBad, latitude, longitude, timeOfDay } from '../fields';
import type { RejectionReason } from '../rejection';
import { letterSolution } from './solution';
import type { RmcSentence } from './types';

export function parseRmc(talker: string, f: string[]): RmcSentence | RejectionReason {
  if (f.length < 12) return 'field-count';
  const time = timeOfDay(f[1]);
  if (isBad(time)) return 'bad-time';
  const status = f[2];
  if (status !== 'A' && status !== 'V') return 'bad-field';
  const date = dateOfDay(f[9]);
  if (isBad(date)) return 'bad-date';
  // NMEA 2.3 added a mode letter; `N` (no fix) overrides an `A` status on some receivers.
  const mode = f.length > 12 ? f[12] : '';
  const modeSolution = mode === '' ? undefined : letterSolution(mode);
  if (mode !== '' && modeSolution === undefined) return 'bad-field';
  const valid = status === 'A' && modeSolution !== 'none';
  const sentence: RmcSentence = { type: 'RMC', talker, time, valid, date };
  if (!valid) return sentence;
  const lat = latitude(f[3], f[4]);
  const lon = longitude(f[5], f[6]);
  if (lat === undefined || lon === undefined || lat !== lat || lon !== lon || (lat === 0 && lon === 0)) return 'bad-coordinate';
  if (time === undefined) return 'bad-time';
  const knots = decimal(f[7]);
  const course = decimal(f[8]);
  if (isBad(knots) || isBad(course) || (knots !== undefined && knots < 0) || (course !== undefined && !(course >= 0 && course <= 360))) {
    return 'bad-field';
  }
  sentence.latitude = lat;
  sentence.longitude = lon;
  if (knots !== undefined) sentence.speed = knots * KNOTS_TO_METRES_PER_SECOND;
  if (course !== undefined) sentence.course = course === 360 ? 0 : course;
  return sentence;
}
