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
 * Runs along a line through (cx, cy) in direction (dx, dy) and its opposite:
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

/** Lengths of three runs from (x0, y0) stepping (dx, dy): own colour (incl. the start), other, own. */
function walk(
  data: Uint8Array, width: number, height: number, x0: number, y0: number, dx: number, dy: number,
  threshold: number, startDark: boolean, maxRun: number,
): [number, number, number] | undefined {
  const counts: [number, number, number] = [0, 0, 0];
  let x = x0;
  let y = y0;
  let run = 0;
  let dark = startDark;
  while (x >= 0 && y >= 0 && x < width && y < height) {
    const isDark = data[y * width + x] < threshold;
    if (isDark !== dark) {
      run++;
      if (run === 3) return counts;
      dark = isDark;
    }
    if (++counts[run] > maxRun) return undefined;
    x += dx;
    y += dy;
  }
  // The image edge ends the third run: accept (the edge acts as quiet zone) only if all runs were seen.
  return run === 2 ? counts : undefined;
}
