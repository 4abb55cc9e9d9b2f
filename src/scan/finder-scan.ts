/**
 * The pre-scan: looks for QR finder patterns on a few sampled rows, so that a
 * frame without a code is rejected after touching a fraction of its pixels.
 *
 * Each sampled row is classified dark/light against a local mean of the row
 * (per 32-pixel block, over the three blocks around it, from every eighth
 * pixel: a glare band or a shadow moves the threshold with it) with a little
 * hysteresis. The inner loops only compare and advance until the colour
 * changes: on XS every operation per pixel counts. Five runs reading 1:1:3:1:1
 * make a candidate, in either polarity (a dark centre is an ordinary code, a
 * light centre an inverted one). A candidate is confirmed by cross-checks through its centre:
 * vertically and on both diagonals, at a threshold halfway between the
 * stone's luma and the ring's. A finder crossed again on a later row is not
 * confirmed twice.
 */
import type { LumaImage } from '../frame/luma';
import { crossRuns, isFinderRatio } from './runs';

export interface Finder {
  /** Centre in frame pixels (continuous: pixel (i, j) covers [i, i + 1) x [j, j + 1)). */
  x: number;
  y: number;
  /** Horizontal and vertical extents of the inner 5 modules, averaged, / 5 (inflated by up to sqrt 2 when rotated). */
  moduleSize: number;
  /** True for an ordinary code (dark modules); false for an inverted one. */
  darkCentre: boolean;
}

export interface FinderScanOptions {
  /** Scan every `rowStep`-th row (default 5: a finder whose centre stone is 5 px tall is still crossed; smaller
   *  ones are found by the thorough pass once any finder was seen). */
  rowStep?: number;
  /** Minimum luma difference between the stone and the ring (default 10). */
  minContrast?: number;
  /** Stop after this many distinct finders (default 12): a frame full of patterns is not a payment code. */
  maxFinders?: number;
}

/**
 * How rows are thresholded: the local mean per `block` pixels, over `window`
 * blocks centred on it, from every `sampleStep`-th pixel. The pre-scan uses
 * coarse blocks (cheap); the thorough pass jsQR-like 8-pixel blocks over a
 * 40-pixel window, which follow a blurred or glare-lit finder more closely.
 */
export interface RowThreshold {
  block: number;
  window: number;
  sampleStep: number;
}

export const coarseThreshold: RowThreshold = { block: 32, window: 3, sampleStep: 8 };
export const fineThreshold: RowThreshold = { block: 8, window: 5, sampleStep: 2 };

/** Luma distance from the local mean needed to change colour: sensor noise on a flat wall does not toggle. */
const hysteresis = 3;
/** SWAR masks: the even and odd bytes of a 32-bit word in two 16-bit lanes, and each lane's carry bit. */
const laneMask = 0x00ff00ff;
const carryBits = 0x01000100;

/**
 * Scans rows `firstRow`, `firstRow + rowStep`, ... and appends confirmed
 * finders to `finders` (merging repeats). Returns `finders`. Only the scanned
 * rows are read, except by the cross-checks of a candidate that passed the
 * contrast test on its own row: `ensureRows` is told first which rows they
 * may read (the scanner converts those rows of a camera frame then).
 *
 * The hot loop reads four pixels per 32-bit word when the buffer is aligned:
 * adding (255 - hi) to each byte (in 16-bit lanes, so carries stay put) sets a
 * lane's carry bit exactly when the byte is above `hi`. On XS an operation
 * costs far more than its arithmetic, so one word test beats four byte tests.
 */
export function scanForFinders(
  image: LumaImage, options: FinderScanOptions = {}, firstRow?: number, finders: Finder[] = [],
  threshold: RowThreshold = coarseThreshold, ensureRows?: EnsureRows,
): Finder[] {
  const { block, sampleStep } = threshold;
  const reach = threshold.window >> 1;
  const { width, height, data } = image;
  const rowStep = options.rowStep ?? 5;
  const minContrast = options.minContrast ?? 10;
  const maxFinders = options.maxFinders ?? 12;
  const aligned = (data.byteOffset & 3) === 0;
  const words = aligned ? new Int32Array(data.buffer, data.byteOffset, data.length >> 2) : undefined;
  const blocks = Math.ceil(width / block);
  const sums: number[] = [];
  const counts: number[] = [];
  for (let y = firstRow ?? rowStep >> 1; y < height; y += rowStep) {
    const o = y * width;
    // A sparse sample is enough for the local mean.
    for (let b = 0, x = sampleStep >> 1; b < blocks; b++) {
      let s = 0;
      let n = 0;
      const end = b * block + block < width ? b * block + block : width;
      for (; x < end; x += sampleStep) {
        s += data[o + x];
        n++;
      }
      if (n === 0) {
        s = data[o + end - 1];
        n = 1;
      }
      sums[b] = s;
      counts[b] = n;
    }
    let dark = false;
    let runStart = 0;
    let r0 = 0;
    let r1 = 0;
    let r2 = 0;
    let r3 = 0;
    let r4 = 0;
    let runs = 0;
    for (let b = 0; b < blocks; b++) {
      let s = 0;
      let n = 0;
      const k0 = b - reach > 0 ? b - reach : 0;
      const k1 = b + reach < blocks ? b + reach : blocks - 1;
      for (let k = k0; k <= k1; k++) {
        s += sums[k];
        n += counts[k];
      }
      // Integer thresholds (`| 0` keeps values in XS's integer representation, on its fast path).
      const mean = (s / n) | 0;
      // Clamped to 0..255 so that each lane sum stays below 512 (the carry bit is then exactly bit 8).
      const lo = mean > hysteresis ? mean - hysteresis : 0;
      const hi = mean + hysteresis < 255 ? mean + hysteresis : 255;
      const darkCarry = (255 - hi) * 0x10001;
      const lightCarry = (256 - lo) * 0x10001;
      let i = o + b * block;
      const end = o + (b * block + block < width ? b * block + block : width);
      if (b === 0) dark = data[i] < mean;
      while (i < end) {
        if (dark) {
          while (i < end && (i & 3) !== 0 && data[i] <= hi) i++;
          if (words && (i & 3) === 0) {
            let w = i >> 2;
            const wordEnd = end >> 2;
            while (w < wordEnd) {
              const v = words[w];
              if (((v & laneMask) + darkCarry | ((v >> 8) & laneMask) + darkCarry) & carryBits) break;
              w++;
            }
            i = w << 2;
          }
          while (i < end && data[i] <= hi) i++;
        } else {
          while (i < end && (i & 3) !== 0 && data[i] >= lo) i++;
          if (words && (i & 3) === 0) {
            let w = i >> 2;
            const wordEnd = end >> 2;
            while (w < wordEnd) {
              const v = words[w];
              if ((((v & laneMask) + lightCarry) & (((v >> 8) & laneMask) + lightCarry) & carryBits) !== carryBits) break;
              w++;
            }
            i = w << 2;
          }
          while (i < end && data[i] >= lo) i++;
        }
        if (i === end) break;
        // A colour change at x closes the run [runStart, x).
        const x = i - o;
        r0 = r1;
        r1 = r2;
        r2 = r3;
        r3 = r4;
        r4 = x - runStart;
        runStart = x;
        runs++;
        // The run just closed has the colour `dark` had; a finder's outer runs share the centre's colour.
        // The centre stone is the widest of the inner three: a cheap first test, as most changes are not finders.
        if (runs >= 5 && r2 >= r1 && r2 >= r3 && isFinderRatio(r0, r1, r2, r3, r4)) {
          const centreX = x - r4 - r3 - (r2 >> 1) - 1;
          confirm(image, finders, centreX, y, r0 + r1 + r2 + r3 + r4, dark, minContrast, x - r4 - (r3 >> 1) - 1, x - r4 - r3 - r2 - (r1 >> 1) - 1, ensureRows);
          if (finders.length >= maxFinders) return finders;
        }
        dark = !dark;
      }
    }
  }
  return finders;
}

/** Called with the first and last row (inclusive, clamped to the image) a cross-check may read. */
export type EnsureRows = (first: number, last: number) => void;

function confirm(
  image: LumaImage, finders: Finder[], cx: number, cy: number, total: number, darkCentre: boolean,
  minContrast: number, ringRightX: number, ringLeftX: number, ensureRows: EnsureRows | undefined,
): void {
  const row = cy * image.width;
  // Already confirmed on an earlier row: skip the cross-checks.
  for (const f of finders) {
    const reach = f.moduleSize * 2;
    if (f.darkCentre === darkCentre && Math.abs(f.x - cx) <= reach && Math.abs(f.y - cy) <= reach) return;
  }
  const stone = image.data[row + cx];
  const ring = (image.data[row + ringLeftX] + image.data[row + ringRightX]) >> 1;
  if (Math.abs(stone - ring) < minContrast) return;
  const threshold = (stone + ring + 1) >> 1;
  const maxRun = total;
  if (ensureRows) {
    // The vertical check re-centres within maxRun rows; each walk then reads up to three runs of
    // maxRun + 1 pixels from there.
    const reach = 4 * maxRun + 4;
    ensureRows(cy - reach > 0 ? cy - reach : 0, cy + reach < image.height - 1 ? cy + reach : image.height - 1);
  }
  // From pixel indices to continuous coordinates (pixel centres at +0.5).
  const vertical = crossRuns(image, cx + 0.5, cy + 0.5, 0, 1, threshold, maxRun);
  if (!vertical || !isFinderRatio(...vertical.runs)) return;
  const y = cy + (vertical.from + vertical.to) / 2 + 0.5;
  const horizontal = crossRuns(image, cx + 0.5, y, 1, 0, threshold, maxRun);
  if (!horizontal || !isFinderRatio(...horizontal.runs)) return;
  const x = cx + (horizontal.from + horizontal.to) / 2 + 0.5;
  // Diagonals reject the stripes and checkerboards that pass the two axes.
  const down = crossRuns(image, x, y, 1, 1, threshold, maxRun);
  if (!down || !isFinderRatio(...down.runs)) return;
  const up = crossRuns(image, x, y, 1, -1, threshold, maxRun);
  if (!up || !isFinderRatio(...up.runs)) return;
  // The inner five modules (ring, stone, ring) measure the module: the outer ring can merge with a
  // blurred separator and the data beyond it.
  const inner = innerRuns(horizontal.runs) + innerRuns(vertical.runs);
  finders.push({ x, y, moduleSize: inner / 10, darkCentre });
}

function innerRuns(runs: readonly number[]): number {
  return runs[1] + runs[2] + runs[3];
}
