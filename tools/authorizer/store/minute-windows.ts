/**
 * How the SQL stores answer `History.merchantVolumes` without walking a
 * merchant's payments: the database keeps each merchant's accepted payments
 * counted and summed per minute (`merchant_minutes`, kept by triggers on
 * `payments`, so every write path keeps it right, an operator's SQL included),
 * and a window is read as the whole minutes it covers from there, plus what
 * lies at its edges from the payments themselves. The risk factors ask for
 * whole minutes (domain/risk/factors.ts), so their windows have no edges: the
 * cost is the number of minutes with payments, not the number of payments.
 */

/**
 * The grain of `merchant_minutes`: a minute in milliseconds (`at - at % minuteMs` is a payment's minute). Migration
 * 107 counts in it on both engines: another grain is a new migration that recounts, never an edit of this.
 */
export const minuteMs = 60_000;

export interface Span {
  from: number;
  to: number;
}

export interface WindowPieces {
  /** The whole minutes [from, to) inside the window, read from `merchant_minutes`; absent when there are none. */
  minutes?: Span;
  /** The rest of the window (before the first whole minute, after the last), read from `payments`. */
  edges: Span[];
}

/** Splits the window [from, to) (milliseconds) into whole minutes and edges. */
export function windowPieces({ from, to }: Span): WindowPieces {
  const first = Math.ceil(from / minuteMs) * minuteMs;
  const last = Math.floor(to / minuteMs) * minuteMs;
  if (first >= last) return { edges: from < to ? [{ from, to }] : [] };
  const edges: Span[] = [];
  if (from < first) edges.push({ from, to: first });
  if (last < to) edges.push({ from: last, to });
  return { minutes: { from: first, to: last }, edges };
}
