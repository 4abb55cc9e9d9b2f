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
  // The walks write the outer runs into `runs` themselves (on XS an array per walk costs as much as its pixels).
  const runs: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  const forward = walk(data, width, height, x0, y0, dx, dy, threshold, centreDark, maxRun, runs, 3);
  if (forward < 0) return undefined;
  const backward = walk(data, width, height, x0, y0, -dx, -dy, threshold, centreDark, maxRun, runs, 1);
  if (backward < 0) return undefined;
  runs[2] = forward + backward - 1;
  return { runs, from: -(backward - 1), to: forward - 1 };
}

/**
 * Three runs from (x0, y0) stepping (dx, dy): own colour (incl. the start), other, own. Returns the first's length and
 * writes the other two into `runs`, at `inner` and the outer slot beside it; -1 when a
 * run exceeds `maxRun`, or the line leaves the image before the third run starts (the image edge ends the third run,
 * as a quiet zone does, not the first two). On XS each operation per pixel counts, and the cross-checks walk every
 * finder candidate a code's data offers: each run is bounded beforehand (by `maxRun` + 1 and the image edge), so its
 * loop only steps and tests the colour, one loop per colour.
 */
function walk(
  data: Uint8Array, width: number, height: number, x0: number, y0: number, dx: number, dy: number,
  threshold: number, startDark: boolean, maxRun: number, runs: number[], inner: number,
): number {
  const stepsX = dx > 0 ? width - x0 : dx < 0 ? x0 + 1 : Infinity;
  const stepsY = dy > 0 ? height - y0 : dy < 0 ? y0 + 1 : Infinity;
  const stride = dy * width + dx;
  // A diagonal of a one-pixel-wide image (stride 0) leaves it after the start pixel, before the second run.
  if (stride === 0) return -1;
  const bound = maxRun + 1;
  const start = y0 * width + x0;
  // Pixels on the line from the start on (the start included). Each run's loop stops at `stop`: the image edge or
  // maxRun + 1 pixels on, whichever is nearer. The loops are written out (no call per run): on XS a call costs
  // more than the operations it would save per pixel.
  const left = stepsX < stepsY ? stepsX : stepsY;
  let at = start;
  let stop = start + (left < bound ? left : bound) * stride;
  if (startDark) while (at !== stop && data[at] < threshold) at += stride;
  else while (at !== stop && data[at] >= threshold) at += stride;
  const own = (at - start) / stride;
  // Reaching the edge here leaves no pixel for the second run, which is then empty and fails the test below.
  if (own > maxRun) return -1;
  const second = at;
  const leftSecond = left - own;
  stop = second + (leftSecond < bound ? leftSecond : bound) * stride;
  if (startDark) while (at !== stop && data[at] >= threshold) at += stride;
  else while (at !== stop && data[at] < threshold) at += stride;
  const other = (at - second) / stride;
  if (other > maxRun || other === leftSecond) return -1;
  const third = at;
  const leftThird = leftSecond - other;
  stop = third + (leftThird < bound ? leftThird : bound) * stride;
  if (startDark) while (at !== stop && data[at] < threshold) at += stride;
  else while (at !== stop && data[at] >= threshold) at += stride;
  const far = (at - third) / stride;
  if (far > maxRun) return -1;
  // Forward (inner 3) the runs after the centre, backward (inner 1) those before it, outermost at the ends.
  runs[inner] = other;
  runs[inner === 3 ? 4 : 0] = far;
  return own;
}
