/**
 * GST: pseudorange error statistics — the receiver's own estimate of its error,
 * better than any HDOP model when present. Many receivers leave the ellipse
 * fields empty and fill only the per-axis deviations, which is all we use.
 * `$--GST,hhmmss.ss,rms,smaj,smin,orient,lat,lon,alt*hh`
 */
import { decimal, isBad, timeOfDay } from '../fields';
import type { RejectionReason } from '../rejection';
import type { GstSentence } from './types';

export function parseGst(talker: string, f: string[]): GstSentence | RejectionReason {
  if (f.length < 9) return 'field-count';
  const time = timeOfDay(f[1]);
  if (isBad(time)) return 'bad-time';
  const latitudeSigma = decimal(f[6]);
  const longitudeSigma = decimal(f[7]);
  const altitudeSigma = decimal(f[8]);
  for (const value of [decimal(f[2]), decimal(f[3]), decimal(f[4]), decimal(f[5]), latitudeSigma, longitudeSigma, altitudeSigma]) {
    if (isBad(value) || (value !== undefined && value < 0)) return 'bad-field';
  }
  return { type: 'GST', talker, time, latitudeSigma, longitudeSigma, altitudeSigma };
}
