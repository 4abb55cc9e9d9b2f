/**
 * GSA: DOP and active satellites. Multi-constellation receivers send one per
 * system (NMEA 4.10 adds a system id after VDOP).
 * `$--GSA,a,x,id,id,id,id,id,id,id,id,id,id,id,id,p.p,h.h,v.v[,s]*hh`
 */
import { decimal, integer, isBad } from '../fields';
import type { RejectionReason } from '../rejection';
import type { GsaSentence } from './types';

export function parseGsa(talker: string, f: string[]): GsaSentence | RejectionReason {
  if (f.length < 18) return 'field-count';
  if (f[1] !== 'A' && f[1] !== 'M') return 'bad-field';
  const mode = integer(f[2]);
  if (mode === undefined || !(mode >= 1 && mode <= 3)) return 'bad-field';
  let satellites = 0;
  for (let i = 3; i < 15; i++) {
    const id = integer(f[i]);
    if (isBad(id)) return 'bad-field';
    if (id !== undefined) satellites++;
  }
  const pdop = decimal(f[15]);
  const hdop = decimal(f[16]);
  const vdop = decimal(f[17]);
  if (isBad(pdop) || isBad(hdop) || isBad(vdop)) return 'bad-field';
  return { type: 'GSA', talker, mode, satellites, pdop, hdop, vdop };
}
