/**
 * Run-length tools shared by the finder and alignment searches. A finder
 * pattern crossed through its centre, in any direction, reads
 * dark:light:dark:light:dark = 1:1:3:1:1.
 * Tolerances are wide on purpose (blur fattens dark runs, perspective
 * stretches one side): false candidates are cheap to reject by the
 * cross-checks, a missed finder is a missed code.
 */
import type { LumaImage } from '../frame/luma';

/** True when five runs (total `t`) read 1:1:3:1:1. */
export function isFinderRatio(r0: number, r1: number, r2: number, r3: number, r4: number): boolean {
  const t = r0 + r1 + r2 + r3 + r4;
  if (t < 7) return false;
  // One-module runs within [0.4, 1.9] modules, the centre within [1.8, 4.6] modules.
  const lo = 2 * t;
  const hi = 9.5 * t;
  return (
    35 * r0 >= lo && 35 * r0 <= hi &&
    35 * r1 >= lo && 35 * r1 <= hi &&
    35 * r3 >= lo && 35 * r3 <= hi &&
    35 * r4 >= lo && 35 * r4 <= hi &&
    70 * r2 >= 18 * t && 70 * r2 <= 46 * t
  );
}

/** Runs through a point: see `crossRuns`. */
export interface CrossRuns {
  runs: [number, number, number, number, number];
  from: number;
  to: number;
}

/**
 * Points are in continuous pixel coordinates: pixel (i, j) covers
 * [i, i + 1) x [j, j + 1), its centre is (i + 0.5, j + 0.5). A run of pixel
 * indices a..b is centred at (a + b) / 2 + 0.5.
 *
 * Runs along a line through (cx, cy) in direction (dx, dy) (each -1, 0 or 1, not both 0) and its opposite:
 * the centre run (the pixel's own colour class) and the next two runs on each
 * side, classified with `threshold` (dark when luma < threshold). Returns
 * [outer-, inner-, centre, inner+, outer+] in steps along the line, the centre
 * run's offsets `from`/`to` in steps from the start pixel (so the run's centre
 * is at start pixel + (from + to) / 2 steps, + 0.5 for the pixel centre), or
 * undefined when a run exceeds `maxRun` or the line leaves the image first.
 */
export function crossRuns(
  image: LumaImage, cx: number, cy: number, dx: number, dy: number,
  threshold: number, maxRun: number,
): CrossRuns | undefined {
  const { width, height, data } = image;
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  if (x0 < 0 || y0 < 0 || x0 >= width || y0 >= height) return undefined;
  const centreDark = data[y0 * width + x0] < threshold;
  const forward = walk(data, width, height, x0, y0, dx, dy, threshold, centreDark, maxRun);
  if (!forward) return undefined;
  const backward = walk(data, width, height, x0, y0, -dx, -dy, threshold, centreDark, maxRun);
  if (!backward) return undefined;
  return {
    runs: [backward[2], backward[1], forward[0] + backward[0] - 1, forward[1], forward[2]],
    from: -(backward[0] - 1),
    to: forward[0] - 1,
  };
}

/**
 * Lengths of three runs from (x0, y0) stepping (dx, dy): own colour (incl. the start), other, own. One tight
 * loop per run over a pixel index stepped by the line's stride, up to where the line leaves the image: on XS
 * each operation per pixel counts, and the cross-checks walk every finder candidate a code's data offers.
 */
function walk(
  data: Uint8Array, width: number, height: number, x0: number, y0: number, dx: number, dy: number,
  threshold: number, startDark: boolean, maxRun: number,
): [number, number, number] | undefined {
  const stepsX = dx > 0 ? width - x0 : dx < 0 ? x0 + 1 : Infinity;
  const stepsY = dy > 0 ? height - y0 : dy < 0 ? y0 + 1 : Infinity;
  const stride = dy * width + dx;
  let i = y0 * width + x0;
  // The first index off the image along the line.
  const end = i + (stepsX < stepsY ? stepsX : stepsY) * stride;
  let own = 0;
  while (i !== end && (data[i] < threshold) === startDark) {
    if (++own > maxRun) return undefined;
    i += stride;
  }
  if (i === end) return undefined;
  let other = 0;
  while (i !== end && (data[i] < threshold) !== startDark) {
    if (++other > maxRun) return undefined;
    i += stride;
  }
  // The image edge ends the third run (the edge acts as quiet zone), not the first two.
  if (i === end) return undefined;
  let far = 0;
  while (i !== end && (data[i] < threshold) === startDark) {
    if (++far > maxRun) return undefined;
    i += stride;
  }
  return [own, other, far];
}
