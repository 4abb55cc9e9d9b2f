/**
 * GGA: time, position and fix data.
 * `$--GGA,hhmmss.ss,llll.ll,a,yyyyy.yy,a,q,nn,h.h,a.a,M,g.g,M,age,stn*hh`
 */
import { integer } from '../fields';
import type { RejectionReason } from '../rejection';
import { parsePositionFix } from './position-fix';
import { ggaSolution } from './solution';
import type { GgaSentence } from './types';

export function parseGga(talker: string, f: string[]): GgaSentence | RejectionReason {
  return parsePositionFix('GGA', talker, f, 15, (field) => {
    const quality = integer(field);
    return quality === undefined ? undefined : ggaSolution(quality);
  });
}
