/**
 * Strict readers for NMEA 0183 fields. Each returns `undefined` for an empty
 * field (receivers leave fields empty when they have no value) and NaN for a
 * malformed one, so a parser can tell "not reported" from "corrupt".
 * `Number()` alone is too lenient: it reads '' as 0, '0x1f' as 31 and '1e3' as 1000.
 */

export const DAY_MS = 86_400_000;

/** Digits with an optional fraction and an optional leading minus. */
export function decimal(text: string): number | undefined {
  const n = text.length;
  if (n === 0) return undefined;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  let digits = 0;
  let dot = false;
  for (; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && !dot) dot = true;
    else return NaN;
  }
  return digits > 0 ? Number(text) : NaN;
}

/** A non-negative integer such as a satellite count or a quality indicator. */
export function integer(text: string): number | undefined {
  const n = text.length;
  if (n === 0) return undefined;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) return NaN;
  }
  return Number(text);
}

/** True when a reader's result is present but malformed. */
export function isBad(value: number | undefined): boolean {
  return value !== undefined && value !== value;
}

function twoDigits(text: string, at: number): number {
  const a = text.charCodeAt(at) - 48;
  const b = text.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

/** `hhmmss` or `hhmmss.s…` → milliseconds since midnight UTC. A leap second (ss = 60) is allowed. */
export function timeOfDay(text: string): number | undefined {
  if (text.length === 0) return undefined;
  if (text.length < 6 || (text.length > 6 && text.charCodeAt(6) !== 46)) return NaN;
  const hours = twoDigits(text, 0);
  const minutes = twoDigits(text, 2);
  const seconds = twoDigits(text, 4);
  if (!(hours < 24 && minutes < 60 && seconds <= 60)) return NaN;
  let fraction = 0;
  if (text.length > 6) {
    const f = decimal('0' + text.slice(6));
    if (f === undefined || f !== f) return NaN;
    fraction = f;
  }
  return Math.round(((hours * 60 + minutes) * 60 + seconds + fraction) * 1000);
}

/** `ddmmyy` → the epoch milliseconds of that day's midnight UTC. Years 80–99 are 1980–1999, 00–79 are 2000–2079. */
export function dateOfDay(text: string): number | undefined {
  if (text.length === 0) return undefined;
  if (text.length !== 6) return NaN;
  const day = twoDigits(text, 0);
  const month = twoDigits(text, 2);
  const yy = twoDigits(text, 4);
  if (yy !== yy || !(month >= 1 && month <= 12) || !(day >= 1)) return NaN;
  const year = yy >= 80 ? 1900 + yy : 2000 + yy;
  const ms = Date.UTC(year, month - 1, day);
  // Date.UTC rolls 31 April over to 1 May: a round trip catches impossible days.
  return new Date(ms).getUTCDate() === day ? ms : NaN;
}

/**
 * `ddmm.mmmm` / `dddmm.mmmm` with its hemisphere letter → signed degrees.
 * `degreeDigits` is 2 for latitude and 3 for longitude; receivers always zero-pad them.
 */
function coordinate(text: string, hemisphere: string, degreeDigits: number, limit: number, negative: string, positive: string): number | undefined {
  if (text.length === 0 && hemisphere.length === 0) return undefined;
  const dot = text.indexOf('.');
  if ((dot >= 0 ? dot : text.length) !== degreeDigits + 2) return NaN;
  if (hemisphere !== negative && hemisphere !== positive) return NaN;
  const degrees = integer(text.slice(0, degreeDigits));
  const minutes = decimal(text.slice(degreeDigits));
  if (degrees === undefined || minutes === undefined || degrees !== degrees || !(minutes >= 0 && minutes < 60)) return NaN;
  const value = degrees + minutes / 60;
  if (value > limit) return NaN;
  return hemisphere === negative ? -value : value;
}

export function latitude(text: string, hemisphere: string): number | undefined {
  return coordinate(text, hemisphere, 2, 90, 'S', 'N');
}

export function longitude(text: string, hemisphere: string): number | undefined {
  return coordinate(text, hemisphere, 3, 180, 'W', 'E');
}

export const KNOTS_TO_METRES_PER_SECOND = 1852 / 3600;
