/**
 * The pre-scan: looks for QR finder patterns on a few sampled rows, so that a
 * frame without a code is rejected after touching a fraction of its pixels.
 *
 * Each sampled row is classified dark/light against a local mean of the row
 * (per 32-pixel block, over the three blocks around it, from four pixels a
 * block: a glare band or a shadow moves the threshold with it) with a little
 * hysteresis. The inner loops test words of four pixels and advance until the
 * colour changes: on XS every operation per pixel counts. Five runs reading 1:1:3:1:1
 * make a candidate, in either polarity (a dark centre is an ordinary code, a
 * light centre an inverted one). A candidate is confirmed by cross-checks through its centre:
 * vertically and on both diagonals, at a threshold halfway between the
 * stone's luma and the ring's. A finder crossed again on a later row is not
 * confirmed twice. Every other sampled row is read first, and the rest only
 * once those show evidence of a code: a frame without one costs half the rows.
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
  /**
   * Scan every other of those rows first, and the rest only once they show evidence of a code (default true): see
   * `scanForFinders`. The thorough pass turns it off.
   */
  sparseFirst?: boolean;
  /**
   * Skip the cross-checks of candidates well inside a code whose side the first two finders are, as its timing
   * pattern shows (default true): see `insideCode`. The thorough pass turns it off.
   */
  skipCodeInterior?: boolean;
}

/**
 * How rows are thresholded: the local mean per `block` pixels (a multiple of
 * 4), over `window` blocks centred on it, from four pixels a block: the bytes
 * at `laneShift` (0: the even pixels, 8: the odd ones) of the block's words
 * `sampleWords`. The pre-scan uses coarse blocks (cheap); the thorough pass
 * jsQR-like 8-pixel blocks over a 40-pixel window, which follow a blurred or
 * glare-lit finder more closely.
 */
export interface RowThreshold {
  block: number;
  window: number;
  sampleWords: readonly [number, number];
  laneShift: number;
}

/** 32-pixel blocks sampled at pixels 5, 7, 21 and 23; 8-pixel blocks at 1, 3, 5 and 7. */
export const coarseThreshold: RowThreshold = { block: 32, window: 3, sampleWords: [1, 5], laneShift: 8 };
export const fineThreshold: RowThreshold = { block: 8, window: 5, sampleWords: [0, 1], laneShift: 8 };

/**
 * On the sparse rows, this many candidates passing the contrast test are evidence of a code: a code's data, crossed
 * by three or more sparse rows, gives at least 4 on every corpus frame (clean ones 10 or more), a counter-top scene
 * without a code rarely does (48 of the first 60 no-code frames give fewer; 3 would do as well on the corpus).
 */
const evidenceCandidates = 4;
/** Luma distance from the local mean needed to change colour: sensor noise on a flat wall does not toggle. */
const hysteresis = 3;
/** SWAR masks: the even and odd bytes of a 32-bit word in two 16-bit lanes, and each lane's carry bit. */
const laneMask = 0x00ff00ff;
const carryBits = 0x01000100;

/**
 * Scans rows `firstRow`, `firstRow + rowStep`, ... (sparse first: see
 * `sparseFirst`) and appends confirmed finders to `finders` (merging
 * repeats). Returns `finders`. Only the scanned rows are read, except by the
 * cross-checks of a candidate that passed the contrast test on its own row:
 * `ensureRows` is told first which rows each scanned row or cross-check
 * reads (the scanner converts those rows of a camera frame then).
 *
 * Rows are read as 32-bit words of four pixels, in place when the buffer and
 * the width allow it, else from a copy of the row (one native `set`; its tail
 * padded with the last pixel, which changes no colour). On XS an operation
 * costs far more than its arithmetic, so every test works on words: adding
 * (255 - hi) to each byte (in 16-bit lanes, so carries stay put) sets a
 * lane's carry bit exactly when the byte is above `hi` (the bit hacks on four
 * bytes at once take fewer operations but overflow 32-bit integers, and XS
 * then computes in doubles: measured slower); two words are read
 * and tested together while neither changes colour; the local means sum two
 * sampled bytes a read the same way. Only a word whose test fails has its
 * bytes taken apart, from the word already read: byte k of word w is pixel
 * 4w + k, the little-endian order of every board we build for (ESP32 Xtensa
 * and RISC-V, x86, ARM).
 */
export function scanForFinders(
  image: LumaImage, options: FinderScanOptions = {}, firstRow?: number, finders: Finder[] = [],
  threshold: RowThreshold = coarseThreshold, ensureRows?: EnsureRows,
): Finder[] {
  const { width, height, data } = image;
  const rowStep = options.rowStep ?? 5;
  const minContrast = options.minContrast ?? 10;
  const maxFinders = options.maxFinders ?? 12;
  const skipInterior = options.skipCodeInterior ?? true;
  // The side of a code the first two finders are, once they are confirmed: see `insideCode`.
  let side: CodeSide | undefined;
  let sideTried = false;
  const blockWords = threshold.block >> 2;
  const [sampleA, sampleB] = threshold.sampleWords;
  const { laneShift } = threshold;
  const reach = threshold.window >> 1;
  const rowWords = (width + 3) >> 2;
  const blocks = Math.ceil(rowWords / blockWords);
  const fullBlocks = Math.floor(rowWords / blockWords);
  const inPlace = (data.byteOffset & 3) === 0 && (width & 3) === 0;
  const row = inPlace ? undefined : new Uint8Array(rowWords << 2);
  const words = row ? new Int32Array(row.buffer) : new Int32Array(data.buffer, data.byteOffset, (width * height) >> 2);
  // Block b's local mean is (sums[windowEnd[b]] - sums[windowStart[b]]) / windowSamples[b]: sums[k] is the
  // sum of the samples of blocks 0..k-1.
  const windowStart: number[] = [];
  const windowEnd: number[] = [];
  const windowSamples: number[] = [];
  for (let b = 0; b < blocks; b++) {
    windowStart[b] = b - reach > 0 ? b - reach : 0;
    windowEnd[b] = b + reach < blocks ? b + reach + 1 : blocks;
    windowSamples[b] = 4 * (windowEnd[b] - windowStart[b]);
  }
  const sums: number[] = [0];
  const start = firstRow ?? rowStep >> 1;
  // Row j is start + j rowStep. Sparse first: the even j, `confirm` only probing each candidate (see there), until
  // a probe sees evidence on row `dense`; then the odd j above it, then every j from `dense` on (that row again,
  // in full). Rows the probe read without evidence hold no candidate that a full scan would confirm, so the
  // finders, and their order, are exactly those of a scan of every row in order: only a frame whose sparse rows
  // show no evidence is answered from half the rows.
  let dense = -1;
  let probe = (options.sparseFirst ?? true) ? { seen: false, candidates: 0 } : undefined;
  for (let j = 0; start + j * rowStep < height; ) {
    const y = start + j * rowStep;
    if (ensureRows) ensureRows(y, y);
    const o = y * width;
    let base = o >> 2;
    if (row) {
      row.set(data.subarray(o, o + width));
      row.fill(row[width - 1], width);
      base = 0;
    }
    const rowEnd = base + rowWords;
    // A sparse sample is enough for the local mean: two bytes a word read, summed in their lanes.
    let total = 0;
    let b = 0;
    for (let w = base; b < fullBlocks; b++, w += blockWords) {
      const lanes = ((words[w + sampleA] >> laneShift) & laneMask) + ((words[w + sampleB] >> laneShift) & laneMask);
      total += (lanes & 0xffff) + (lanes >>> 16);
      sums[b + 1] = total;
    }
    if (b < blocks) {
      // A last, partial block: its samples from within the row.
      const w = base + b * blockWords;
      const a = w + sampleA < rowEnd ? w + sampleA : rowEnd - 1;
      const c = w + sampleB < rowEnd ? w + sampleB : rowEnd - 1;
      const lanes = ((words[a] >> laneShift) & laneMask) + ((words[c] >> laneShift) & laneMask);
      sums[b + 1] = total + (lanes & 0xffff) + (lanes >>> 16);
    }
    let dark = (words[base] & 0xff) < (((sums[windowEnd[0]] - sums[windowStart[0]]) / windowSamples[0]) | 0);
    let runStart = 0;
    let w = base;
    let r0 = 0;
    let r1 = 0;
    let r2 = 0;
    let r3 = 0;
    let r4 = 0;
    scanRow: for (b = 0; b < blocks; b++) {
      // Integer thresholds (`| 0` keeps values in XS's integer representation, on its fast path).
      const mean = ((sums[windowEnd[b]] - sums[windowStart[b]]) / windowSamples[b]) | 0;
      // The lane constants: dark changes above mean + 3 (a lane's byte plus darkCarry reaches bit 8), light below
      // mean - 3 (lightBorrow minus the byte does), the bounds clamped to 0..255 (so that each lane stays within
      // 0..511 and its bit 8 says exactly that).
      const darkCarry = mean < 255 - hysteresis ? (255 - hysteresis - mean) * 0x10001 : 0;
      const lightBorrow = (mean > hysteresis ? 255 - hysteresis + mean : 255) * 0x10001;
      // w is base + b * blockWords, where the last block ended.
      const end = b < fullBlocks ? w + blockWords : rowEnd;
      const pairsEnd = end - 1;
      while (w < end) {
        // Skip two words a test while no byte crosses the current colour's bound; then take the word that does.
        // One loop per colour on purpose: a single loop testing light words complemented (`^ -1`) gives the same
        // finders but costs 3.8% more on a frame without a code (12.1 -> 12.6 M XS instructions).
        let v = 0;
        let crossed = false;
        if (dark) {
          for (; w < pairsEnd; w += 2) {
            v = words[w];
            const q = words[w + 1];
            const first = ((v & laneMask) + darkCarry) | (((v >> 8) & laneMask) + darkCarry);
            if ((first | ((q & laneMask) + darkCarry) | (((q >> 8) & laneMask) + darkCarry)) & carryBits) {
              if (!(first & carryBits)) {
                v = q;
                w++;
              }
              crossed = true;
              break;
            }
          }
          if (!crossed && w < end) {
            v = words[w];
            crossed = ((((v & laneMask) + darkCarry) | (((v >> 8) & laneMask) + darkCarry)) & carryBits) !== 0;
          }
        } else {
          for (; w < pairsEnd; w += 2) {
            v = words[w];
            const q = words[w + 1];
            const first = (lightBorrow - (v & laneMask)) | (lightBorrow - ((v >> 8) & laneMask));
            if ((first | (lightBorrow - (q & laneMask)) | (lightBorrow - ((q >> 8) & laneMask))) & carryBits) {
              if (!(first & carryBits)) {
                v = q;
                w++;
              }
              crossed = true;
              break;
            }
          }
          if (!crossed && w < end) {
            v = words[w];
            crossed = (((lightBorrow - (v & laneMask)) | (lightBorrow - ((v >> 8) & laneMask))) & carryBits) !== 0;
          }
        }
        if (!crossed) break;
        // The word's colour changes, in order: each is the first byte after those done that crosses the bound
        // of the colour then current (bit 8 of each lane, after the carry or the borrow, says which bytes do).
        // The word's own lanes here, the rest's at the loop's end, each tested once: the same lines at the loop's
        // top would test this word again, measured 0.6 M more on the payment frame (23.37 -> 23.99 M).
        let even = 0;
        let odd = 0;
        if (dark) {
          even = ((v & laneMask) + darkCarry) & carryBits;
          odd = (((v >> 8) & laneMask) + darkCarry) & carryBits;
        } else {
          even = (lightBorrow - (v & laneMask)) & carryBits;
          odd = (lightBorrow - ((v >> 8) & laneMask)) & carryBits;
        }
        for (;;) {
          const k = even & 0x100 ? 0 : odd & 0x100 ? 1 : even !== 0 ? 2 : 3;
          // A colour change at x closes the run [runStart, x).
          const x = ((w - base) << 2) + k;
          r0 = r1;
          r1 = r2;
          r2 = r3;
          r3 = r4;
          r4 = x - runStart;
          runStart = x;
          // The run just closed has the colour `dark` had; a finder's outer runs share the centre's colour.
          // Cheap first tests, as most changes are not finders: the centre stone is the widest of the inner three,
          // and at least 1.8 of the 7 modules (isFinderRatio's own bound, 70 r2 >= 18 t, without a call). Before a
          // row's fifth change some runs are still 0, which no finder ratio passes.
          if (r2 >= r1 && r2 >= r3 && 26 * r2 >= 9 * (r0 + r1 + r3 + r4) && isFinderRatio(r0, r1, r2, r3, r4)) {
            const centreX = x - r4 - r3 - (r2 >> 1) - 1;
            if (skipInterior && finders.length >= 2 && !sideTried) {
              side = timedSide(image, finders[0], finders[1], ensureRows);
              sideTried = true;
            }
            if (!(side && insideCode(side, centreX, y))) {
              confirm(image, finders, centreX, y, r0 + r1 + r2 + r3 + r4, dark, minContrast, x - r4 - (r3 >> 1) - 1, x - r4 - r3 - r2 - (r1 >> 1) - 1, ensureRows, probe);
              if (probe && probe.seen) break scanRow;
            }
            if (finders.length >= maxFinders) return finders;
          }
          dark = !dark;
          if (k === 3) break;
          // Bytes 0..k are done: made neutral for the new colour's test (0 crosses no dark bound, 255 no light one).
          const done = (0x100 << (k << 3)) - 1;
          if (dark) {
            const rest = v & ~done;
            even = ((rest & laneMask) + darkCarry) & carryBits;
            odd = (((rest >> 8) & laneMask) + darkCarry) & carryBits;
          } else {
            const rest = v | done;
            even = (lightBorrow - (rest & laneMask)) & carryBits;
            odd = (lightBorrow - ((rest >> 8) & laneMask)) & carryBits;
          }
          if ((even | odd) === 0) break;
        }
        w++;
      }
      w = end;
    }
    if (probe) {
      if (probe.seen) {
        probe = undefined;
        dense = j;
        j = 1 < dense ? 1 : dense;
      } else j += 2;
    } else if (j < dense) {
      j = j + 2 < dense ? j + 2 : dense;
    } else j++;
  }
  return finders;
}

/**
 * A side of a code between two finders, proven by the timing pattern that runs beside it: the code lies on that
 * side of the line through the finders, a square on it.
 */
interface CodeSide {
  x: number;
  y: number;
  dx: number;
  dy: number;
  /** +1 when the code lies to the left of a -> b (in image coordinates, y down), -1 to the right. */
  towards: number;
  side2: number;
  /** How far from the square's edges a skipped point stays, in side lengths. */
  clear: number;
}

/**
 * The side of a code that finders `a` and `b` are, if the timing pattern between them (three modules from the
 * line through their centres, on either side) shows it: at least 8 modules alternating, 90% of the changes there,
 * the first dark in the code's polarity. Undefined otherwise (a diagonal, two finders of different codes, a
 * look-alike, or a perspective too strong for evenly spaced samples).
 */
function timedSide(image: LumaImage, a: Finder, b: Finder, ensureRows: EnsureRows | undefined): CodeSide | undefined {
  if (a.darkCentre !== b.darkCentre || a.moduleSize > 1.5 * b.moduleSize || b.moduleSize > 1.5 * a.moduleSize) return undefined;
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const side2 = dx * dx + dy * dy;
  const side = Math.sqrt(side2);
  // Centre to centre a code has dimension - 7 modules: 2 mod 4, 14 (version 1) to 170 (version 40).
  const modules = Math.round((side / ((a.moduleSize + b.moduleSize) / 2) - 2) / 4) * 4 + 2;
  if (modules < 18 || modules > 170) return undefined;
  const step = side / modules;
  const ux = (dx / side) * step;
  const uy = (dy / side) * step;
  for (const towards of [1, -1]) {
    // Three modules across: (uy, -ux) is to the left of a -> b.
    const ox = a.x + 3 * towards * uy;
    const oy = a.y - 3 * towards * ux;
    if (ensureRows) ensureRows(Math.max(0, Math.floor(Math.min(oy, oy + modules * uy))), Math.min(image.height - 1, Math.ceil(Math.max(oy, oy + modules * uy))));
    const timing = timingAlternates(image, ox, oy, ux, uy, modules, a.darkCentre);
    if (timing) return { x: a.x, y: a.y, dx, dy, towards, side2, clear: 6 * step > 0.2 * side ? (6 * step) / side : 0.2 };
  }
  return undefined;
}

/** Whether the modules 5 .. modules - 5 steps from (x, y) alternate, the first dark (in a code of dark modules). */
function timingAlternates(image: LumaImage, x: number, y: number, ux: number, uy: number, modules: number, darkModules: boolean): boolean {
  const { width, height, data } = image;
  const samples: number[] = [];
  let total = 0;
  for (let k = 5; k <= modules - 5; k++) {
    const px = Math.floor(x + k * ux);
    const py = Math.floor(y + k * uy);
    if (px < 0 || py < 0 || px >= width || py >= height) return false;
    const luma = data[py * width + px];
    samples.push(luma);
    total += luma;
  }
  const mean = total / samples.length;
  if ((samples[0] < mean) !== darkModules) return false;
  let changes = 0;
  for (let k = 1; k < samples.length; k++) if ((samples[k] < mean) !== (samples[k - 1] < mean)) changes++;
  return changes >= 0.9 * (samples.length - 1);
}

/**
 * True when pixel (x, y) lies well inside the code of `side`: between its finders along the side and on the
 * code's side of it, by up to the side's length, clear of the square's edges by a fifth of the side or six
 * modules, so the code's third finder (at a far corner, wherever perspective moved it) is never skipped. A code's
 * data is full of 1:1:3:1:1 runs, and each false candidate's cross-checks cost ~100 k XS instructions; finders of
 * another code cannot lie inside this one.
 */
function insideCode(side: CodeSide, x: number, y: number): boolean {
  const px = x - side.x;
  const py = y - side.y;
  const along = (px * side.dx + py * side.dy) / side.side2;
  const across = (side.towards * (px * side.dy - py * side.dx)) / side.side2;
  const clear = side.clear;
  return along > clear && along < 1 - clear && across > 0 && across < 1 - clear;
}

/** Called with the first and last row (inclusive, clamped to the image) a cross-check may read. */
export type EnsureRows = (first: number, last: number) => void;

/**
 * Evidence of a code while the pre-scan reads its sparse rows: a candidate passing the contrast test and the
 * vertical cross-check (every candidate a full scan confirms passes both), or the `evidenceCandidates`-th candidate
 * passing the contrast test (a code's data, a finder lying between sparse rows).
 */
interface Probe {
  seen: boolean;
  candidates: number;
}

/**
 * Cross-checks a candidate and appends the finder it confirms; with `probe` (sparse rows), notes evidence instead
 * and appends nothing.
 */
function confirm(
  image: LumaImage, finders: Finder[], cx: number, cy: number, total: number, darkCentre: boolean,
  minContrast: number, ringRightX: number, ringLeftX: number, ensureRows: EnsureRows | undefined,
  probe: Probe | undefined,
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
  if (probe && ++probe.candidates >= evidenceCandidates) {
    probe.seen = true;
    return;
  }
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
  if (!vertical || !ratioOf(vertical.runs)) return;
  if (probe) {
    probe.seen = true;
    return;
  }
  const y = cy + (vertical.from + vertical.to) / 2 + 0.5;
  const horizontal = crossRuns(image, cx + 0.5, y, 1, 0, threshold, maxRun);
  if (!horizontal || !ratioOf(horizontal.runs)) return;
  const x = cx + (horizontal.from + horizontal.to) / 2 + 0.5;
  // Diagonals reject the stripes and checkerboards that pass the two axes.
  const down = crossRuns(image, x, y, 1, 1, threshold, maxRun);
  if (!down || !ratioOf(down.runs)) return;
  const up = crossRuns(image, x, y, 1, -1, threshold, maxRun);
  if (!up || !ratioOf(up.runs)) return;
  // The inner five modules (ring, stone, ring) measure the module: the outer ring can merge with a
  // blurred separator and the data beyond it.
  const inner = innerRuns(horizontal.runs) + innerRuns(vertical.runs);
  finders.push({ x, y, moduleSize: inner / 10, darkCentre });
}

/** isFinderRatio of five runs, without a spread (on XS, spreading an array iterates it). */
function ratioOf(runs: readonly number[]): boolean {
  return isFinderRatio(runs[0], runs[1], runs[2], runs[3], runs[4]);
}

function innerRuns(runs: readonly number[]): number {
  return runs[1] + runs[2] + runs[3];
}
