/**
 * Receiver solution indicators → `Solution`. GGA carries a digit (NMEA 0183 4.11
 * table 6), RMC and GNS letters (one per constellation in GNS).
 */
import type { Solution } from './types';

/**
 * GGA quality: 0 invalid, 1 GPS/SPS, 2 differential (DGPS, SBAS), 3 PPS,
 * 4 RTK fixed, 5 RTK float, 6 estimated (dead reckoning), 7 manual input,
 * 8 simulator. Manual and simulated positions are not measurements: `none`.
 * Returns undefined for anything else.
 */
export function ggaSolution(quality: number): Solution | undefined {
  switch (quality) {
    case 0: case 7: case 8: return 'none';
    case 1: case 3: return 'autonomous';
    case 2: return 'differential';
    case 4: case 5: return 'rtk';
    case 6: return 'estimated';
    default: return undefined;
  }
}

/**
 * Mode letters: A autonomous, D differential, P precise, R RTK fixed, F RTK
 * float, E estimated, M manual, S simulator, N no fix. Undefined for others.
 */
export function letterSolution(letter: string): Solution | undefined {
  switch (letter) {
    case 'A': case 'P': return 'autonomous';
    case 'D': return 'differential';
    case 'R': case 'F': return 'rtk';
    case 'E': return 'estimated';
    case 'N': case 'M': case 'S': return 'none';
    default: return undefined;
  }
}

const rank: Record<Solution, number> = { none: 0, estimated: 1, autonomous: 2, differential: 3, rtk: 4 };

/** GNS gives one letter per constellation (GPS, GLONASS, Galileo, BeiDou, …): the fix is as good as the best. */
export function bestLetterSolution(letters: string): Solution | undefined {
  if (letters.length === 0) return undefined;
  let best: Solution = 'none';
  for (let i = 0; i < letters.length; i++) {
    const s = letterSolution(letters[i]);
    if (s === undefined) return undefined;
    if (rank[s] > rank[best]) best = s;
  }
  return best;
}
