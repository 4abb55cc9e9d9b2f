/**
 * Sentence dispatch: `GNGGA,…` → a parsed record, a rejection reason, or
 * `undefined` for a well-formed sentence the driver has no use for (GSV, VTG,
 * GLL, ZDA, TXT, proprietary `$P…` sentences).
 */
import type { RejectionReason } from '../rejection';
import { parseGga } from './gga';
import { parseGns } from './gns';
import { parseGsa } from './gsa';
import { parseGst } from './gst';
import { parseRmc } from './rmc';
import type { NmeaSentence } from './types';

/** GPS, any-GNSS, GLONASS, Galileo, BeiDou (both spellings), QZSS (both), NavIC. */
export const GNSS_TALKERS: readonly string[] = ['GP', 'GN', 'GL', 'GA', 'GB', 'BD', 'GQ', 'QZ', 'GI'];

export function parseSentence(body: string): NmeaSentence | RejectionReason | undefined {
  const comma = body.indexOf(',');
  const address = comma < 0 ? body : body.slice(0, comma);
  if (address.charCodeAt(0) === 80 /* P */) return undefined;
  if (address.length !== 5) return 'unknown-talker';
  const talker = address.slice(0, 2);
  if (GNSS_TALKERS.indexOf(talker) < 0) return 'unknown-talker';
  const type = address.slice(2);
  switch (type) {
    case 'GGA': return parseGga(talker, body.split(','));
    case 'RMC': return parseRmc(talker, body.split(','));
    case 'GSA': return parseGsa(talker, body.split(','));
    case 'GNS': return parseGns(talker, body.split(','));
    case 'GST': return parseGst(talker, body.split(','));
    default: return undefined;
  }
}

export type { NmeaSentence, GgaSentence, GnsSentence, RmcSentence, GsaSentence, GstSentence, Solution } from './types';
