/**
 * Finds the bottom-right alignment pattern (versions 2 and up) near where the
 * three finders predict it. Its centre is the fourth point that lets the
 * module grid follow a perspective (tilted) view; without it the grid is
 * affine and drifts on a tilted phone. The pattern is a one-module dark dot
 * in a light ring in a dark ring; only the dot and the light ring are tested
 * (the dark ring may run into neighbouring dark modules).
 */
import type { LumaImage } from '../frame/luma';
import type { Point } from './result';
import { crossRuns } from './runs';

export function findAlignment(
  image: LumaImage, predicted: Point, moduleSize: number, darkModules: boolean,
): Point | undefined {
  // A tilted code puts the pattern further from the affine prediction: widen the search once.
  return searchAround(image, predicted, moduleSize, darkModules, 4) ?? searchAround(image, predicted, moduleSize, darkModules, 9);
}

function searchAround(
  image: LumaImage, predicted: Point, moduleSize: number, darkModules: boolean, modules: number,
): Point | undefined {
  const { width, height, data } = image;
  const radius = Math.max(4, Math.ceil(moduleSize * modules));
  const x0 = Math.max(0, Math.floor(predicted.x - radius));
  const x1 = Math.min(width - 1, Math.ceil(predicted.x + radius));
  const y0 = Math.max(0, Math.floor(predicted.y - radius));
  const y1 = Math.min(height - 1, Math.ceil(predicted.y + radius));
  if (x1 - x0 < 5 || y1 - y0 < 5) return undefined;
  // A QR code is about half dark everywhere, so the window's mean separates its modules.
  let total = 0;
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) total += data[y * width + x];
  const threshold = total / ((x1 - x0 + 1) * (y1 - y0 + 1));
  let best: Point | undefined;
  let bestDistance = Infinity;
  for (let y = y0; y <= y1; y++) {
    const o = y * width;
    let dark = (data[o + x0] < threshold) === darkModules;
    let runStart = x0;
    let r1 = 0;
    let r2 = 0;
    let r3 = 0;
    let runs = 0;
    for (let x = x0 + 1; x <= x1; x++) {
      const isDark = (data[o + x] < threshold) === darkModules;
      if (isDark === dark) continue;
      r1 = r2;
      r2 = r3;
      r3 = x - runStart;
      runStart = x;
      runs++;
      dark = isDark;
      // Just closed light, dark, light (now entering the outer dark ring).
      if (runs >= 4 && isDark && fits(r1, moduleSize) && fits(r2, moduleSize) && fits(r3, moduleSize)) {
        const centre = confirm(image, x - r3 - (r2 + 1) / 2, y, moduleSize, threshold);
        if (centre) {
          const d = (centre.x - predicted.x) ** 2 + (centre.y - predicted.y) ** 2;
          if (d < bestDistance) {
            bestDistance = d;
            best = centre;
          }
        }
      }
    }
  }
  return best;
}

/** A one-module run, with a pixel of slack either way (anti-aliased edges at 2 px per module). */
function fits(run: number, moduleSize: number): boolean {
  return run >= 0.5 * moduleSize - 1 && run <= 1.7 * moduleSize + 1;
}

function ringFits(runs: readonly number[], moduleSize: number): boolean {
  return fits(runs[1], moduleSize) && fits(runs[2], moduleSize) && fits(runs[3], moduleSize) &&
    runs[0] >= 0.5 * moduleSize - 1 && runs[4] >= 0.5 * moduleSize - 1;
}

function confirm(image: LumaImage, cx: number, cy: number, moduleSize: number, threshold: number): Point | undefined {
  const maxRun = Math.ceil(moduleSize * 8);
  // (cx, cy) are pixel indices; results are continuous coordinates (pixel centres at +0.5).
  const vertical = crossRuns(image, cx + 0.5, cy + 0.5, 0, 1, threshold, maxRun);
  if (!vertical || !ringFits(vertical.runs, moduleSize)) return undefined;
  const y = Math.floor(cy + 0.5) + (vertical.from + vertical.to) / 2 + 0.5;
  const horizontal = crossRuns(image, cx + 0.5, y, 1, 0, threshold, maxRun);
  if (!horizontal || !ringFits(horizontal.runs, moduleSize)) return undefined;
  return { x: Math.floor(cx + 0.5) + (horizontal.from + horizontal.to) / 2 + 0.5, y };
}
