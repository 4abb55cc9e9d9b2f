/**
 * Horizontal accuracy, metres, 1 sigma (DRMS). Two sources, best first:
 * 1. GST from the same epoch: the receiver's own standard deviations of the
 *    latitude and longitude errors; DRMS = sqrt(σlat² + σlon²).
 * 2. HDOP × UERE: the user-equivalent range error (1 σ) expected for the kind
 *    of solution, times the geometry's horizontal dilution. The UERE values are
 *    documented in docs/location.md with where they come from.
 */
import type { FixKind } from '../../hal/gnss';

/** Metres, 1 σ, per fix kind. */
export const UERE_METRES: Record<FixKind, number> = {
  none: 0,
  '2d': 4.0,
  '3d': 4.0,
  differential: 1.5,
  rtk: 0.1,
  estimated: 25,
};

export function accuracyFromGst(latitudeSigma: number, longitudeSigma: number): number {
  return Math.sqrt(latitudeSigma * latitudeSigma + longitudeSigma * longitudeSigma);
}

export function accuracyFromHdop(hdop: number, kind: FixKind): number {
  return hdop * UERE_METRES[kind];
}
