/**
 * GNS: the multi-constellation fix (NMEA 2.3+), with one mode letter per system
 * and the total satellite count (GGA's is often capped at 12).
 * `$--GNS,hhmmss.ss,llll.ll,a,yyyyy.yy,a,c--c,nn,h.h,a.a,g.g,age,stn[,s]*hh`
 */
import type { RejectionReason } from '../rejection';
import { parsePositionFix } from './position-fix';
import { bestLetterSolution } from './solution';
import type { GnsSentence } from './types';

export function parseGns(talker: string, f: string[]): GnsSentence | RejectionReason {
  return parsePositionFix('GNS', talker, f, 13, bestLetterSolution);
}
