/**
 * Strict readers for NMEA 0183 fields. Each returns `undefined` for an empty
 * field (receivers leave fields empty when they have no value) and NaN for a
 * malformed one, so a parser can tell "not reported" from "corrupt".
 * `Number()` alone is too lenient: it reads '' as 0, '0x1f' as 31 and '1e3' as 1000.
 */

export const DAY_MS = 86_400_000;

// Native regular expressions: on XS one match costs less than a loop over the characters (bench/nmea.ts).
// Written inside the readers, not as module constants: a RegExp preloaded into flash crashes XS when a
// match runs during a garbage collection (docs/moddable.md, XS bug 2); a literal evaluated in a function
// is made in RAM.

/** Digits with an optional fraction and an optional leading minus. */
export function decimal(text: string): number | undefined {
  if (text.length === 0) return undefined;
  return /^-?(?:\d+\.?\d*|\.\d+)$/.test(text) ? Number(text) : NaN;
}

/** A non-negative integer such as a satellite count or a quality indicator. */
export function integer(text: string): number | undefined {
  if (text.length === 0) return undefined;
  return /^\d+$/.test(text) ? Number(text) : NaN;
}

/** True when a reader's result is present but malformed. */
export function isBad(value: number | undefined): boolean {
  return value !== undefined && value !== value;
}

/** `hhmmss` or `hhmmss.s…` → milliseconds since midnight UTC. A leap second (ss = 60) is allowed. */
export function timeOfDay(text: string): number | undefined {
  if (text.length === 0) return undefined;
  const match = /^(\d\d)(\d\d)(\d\d(?:\.\d+)?)$/.exec(text);
  if (match === null) return NaN;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  const seconds = Number(match[3]);
  if (!(hours < 24 && minutes < 60 && seconds < 61)) return NaN;
  return Math.round(((hours * 60 + minutes) * 60 + seconds) * 1000);
}

/** `ddmmyy` → the epoch milliseconds of that day's midnight UTC. Years 80–99 are 1980–1999, 00–79 are 2000–2079. */
export function dateOfDay(text: string): number | undefined {
  if (text.length === 0) return undefined;
  const match = /^(\d\d)(\d\d)(\d\d)$/.exec(text);
  if (match === null) return NaN;
  const day = Number(match[1]);
  const month = Number(match[2]);
  const yy = Number(match[3]);
  if (!(month >= 1 && month <= 12 && day >= 1)) return NaN;
  const year = yy >= 80 ? 1900 + yy : 2000 + yy;
  const ms = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 31 April over to 1 May: a round trip catches impossible days.
  return new Date(ms).getUTCDate() === day ? ms : NaN;
}

/**
 * `ddmm.mmmm` / `dddmm.mmmm` with its hemisphere letter → signed degrees.
 * Receivers always zero-pad the degrees to 2 (latitude) or 3 (longitude) digits.
 */
function coordinate(text: string, hemisphere: string, shape: RegExp, limit: number, negative: string, positive: string): number | undefined {
  if (text.length === 0 && hemisphere.length === 0) return undefined;
  if (hemisphere !== negative && hemisphere !== positive) return NaN;
  const match = shape.exec(text);
  if (match === null) return NaN;
  const minutes = Number(match[2]);
  if (!(minutes < 60)) return NaN;
  const value = Number(match[1]) + minutes / 60;
  if (value > limit) return NaN;
  return hemisphere === negative ? -value : value;
}

export function latitude(text: string, hemisphere: string): number | undefined {
  return coordinate(text, hemisphere, /^(\d\d)(\d\d(?:\.\d+)?)$/, 90, 'S', 'N');
}

export function longitude(text: string, hemisphere: string): number | undefined {
  return coordinate(text, hemisphere, /^(\d\d\d)(\d\d(?:\.\d+)?)$/, 180, 'W', 'E');
}

export const KNOTS_TO_METRES_PER_SECOND = 1852 / 3600;
