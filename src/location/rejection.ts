/**
 * Why the driver refused a piece of input. Every refusal is counted under one of
 * these reasons (see `NmeaLocationSensor.stats()`); none of them stops the driver.
 */
export type RejectionReason =
  // framing (line assembler)
  | 'overlong' // no line end within the NMEA length limit
  | 'truncated' // a new `$` arrived before the previous line ended
  | 'bad-character' // a byte outside printable ASCII inside a sentence
  | 'missing-checksum' // no `*hh` at the end of the line
  | 'bad-checksum' // `*hh` does not match the XOR of the sentence
  // content (sentence parsers)
  | 'unknown-talker' // not a GNSS talker (GP, GN, GL, GA, GB, BD, GQ, QZ, GI)
  | 'field-count' // fewer fields than the sentence type defines
  | 'bad-time' // hhmmss.ss out of range or malformed
  | 'bad-date' // ddmmyy not a calendar date
  | 'bad-coordinate' // latitude/longitude malformed, out of range, or 0,0 on a fix
  | 'bad-field'; // any other field (number, enum, missing mandatory value on a fix)

export const rejectionReasons: readonly RejectionReason[] = [
  'overlong', 'truncated', 'bad-character', 'missing-checksum', 'bad-checksum',
  'unknown-talker', 'field-count', 'bad-time', 'bad-date', 'bad-coordinate', 'bad-field',
];

export interface Rejection {
  reason: RejectionReason;
  /** The offending sentence (without `$` and checksum), when a whole line was read. */
  sentence?: string;
}

export type RejectionCounts = Record<RejectionReason, number>;

export function emptyRejectionCounts(): RejectionCounts {
  const counts = {} as RejectionCounts;
  for (const reason of rejectionReasons) counts[reason] = 0;
  return counts;
}
