/**
 * Picks, among confirmed finders, the three that form a QR code: same
 * polarity, similar module size, the top-left one at a near-right angle with
 * two legs of similar length. Orders them (top-left, top-right, bottom-left as
 * the code reads, whatever its rotation) and estimates the module size and the
 * code's side in modules.
 */
import type { Point } from './result';
import type { Finder } from './finder-scan';

export interface FinderTriple {
  topLeft: Finder;
  topRight: Finder;
  bottomLeft: Finder;
  /** Module size in pixels along the code's axes (rotation removed). */
  moduleSize: number;
  /** Modules per side: 17 + 4 * version. */
  dimension: number;
  /** The next most likely side (the other neighbour of the measured, unrounded estimate). */
  alternativeDimension: number;
  darkModules: boolean;
}

function distance(a: Point, b: Point): number {
  return Math.sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y));
}

/** The best triple, or undefined when no three finders can be one code. */
export function pickTriple(finders: readonly Finder[]): FinderTriple | undefined {
  let best: FinderTriple | undefined;
  let bestScore = Infinity;
  const n = finders.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      for (let k = j + 1; k < n; k++) {
        const a = finders[i];
        const b = finders[j];
        const c = finders[k];
        if (a.darkCentre !== b.darkCentre || a.darkCentre !== c.darkCentre) continue;
        const candidate = orient(a, b, c);
        if (!candidate) continue;
        const { score, triple } = candidate;
        if (score < bestScore) {
          bestScore = score;
          best = triple;
        }
      }
    }
  }
  return best;
}

function orient(a: Finder, b: Finder, c: Finder): { score: number; triple: FinderTriple } | undefined {
  const ab = distance(a, b);
  const bc = distance(b, c);
  const ac = distance(a, c);
  // The corner opposite the longest side is the top-left.
  let topLeft = a;
  let p = b;
  let q = c;
  let hypotenuse = bc;
  if (ac >= ab && ac >= bc) {
    topLeft = b; p = a; q = c; hypotenuse = ac;
  } else if (ab >= bc && ab >= ac) {
    topLeft = c; p = a; q = b; hypotenuse = ab;
  }
  const legP = distance(topLeft, p);
  const legQ = distance(topLeft, q);
  const sizes = [a.moduleSize, b.moduleSize, c.moduleSize];
  const minSize = Math.min(sizes[0], sizes[1], sizes[2]);
  const maxSize = Math.max(sizes[0], sizes[1], sizes[2]);
  if (maxSize > 1.7 * minSize) return undefined;
  const legRatio = legP > legQ ? legP / legQ : legQ / legP;
  if (legRatio > 1.6) return undefined;
  // Pythagoras within a margin that tolerates a tilted phone.
  const pythagoras = (hypotenuse * hypotenuse) / (legP * legP + legQ * legQ);
  if (pythagoras < 0.7 || pythagoras > 1.3) return undefined;
  // Image y grows downwards: top-right -> bottom-left turns clockwise seen from the top-left.
  const cross = (p.x - topLeft.x) * (q.y - topLeft.y) - (p.y - topLeft.y) * (q.x - topLeft.x);
  const topRight = cross > 0 ? p : q;
  const bottomLeft = cross > 0 ? q : p;
  // Finders measured along the frame's axes look larger by 1/cos of the rotation (up to 45 degrees).
  const angle = Math.atan2(topRight.y - topLeft.y, topRight.x - topLeft.x);
  const axisFactor = Math.max(Math.abs(Math.cos(angle)), Math.abs(Math.sin(angle)));
  const moduleSize = ((a.moduleSize + b.moduleSize + c.moduleSize) / 3) * axisFactor;
  const legs = (legP + legQ) / 2 / moduleSize;
  // Sides are 4k + 1 modules: take the nearest such side.
  const dimension = 4 * Math.round((legs + 6) / 4) + 1;
  if (dimension < 21 || dimension > 177) return undefined;
  const score =
    Math.abs(pythagoras - 1) + (legRatio - 1) + (maxSize / minSize - 1) +
    Math.abs(legs + 7 - dimension) / 4;
  const alternativeDimension = legs + 7 > dimension ? dimension + 4 : dimension - 4;
  return { score, triple: { topLeft, topRight, bottomLeft, moduleSize, dimension, alternativeDimension, darkModules: a.darkCentre } };
}
