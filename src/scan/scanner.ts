/**
 * Camera frame in, QR payload out, at a cost an ESP32 can pay.
 *
 * 1. Pre-scan (finder-scan): every fifth row (every tenth first, the rest
 *    once those show evidence of a code); no finder, no code. This is all a
 *    frame without a code costs. When finders were seen but not three that
 *    make a code, the skipped rows are scanned too.
 * 2. Three finders that make a code (finder-triple), the alignment pattern
 *    and a module-to-pixel homography (code-geometry).
 * 3. Grid path: resample and threshold the modules and decode them with our
 *    own decoder (grid-sample, decode/): first the pixel under each module
 *    centre against its block's mean, then the bilinear mean around each centre
 *    against its own neighbourhood's; if it refuses, the same on the affine
 *    grid through the finders alone (the alignment search may have locked
 *    onto data); then jsQR on the modules rendered as a one-pixel-per-module
 *    synthetic image (jsqr-decode); then our decoder and jsQR once more with the other
 *    likely side length.
 * 4. Crop path, only if the grid path failed: jsQR on the frame pixels around
 *    the code, with the polarity the finders showed.
 * 5. Optionally (`frameFallback`), jsQR on the whole frame trying both
 *    polarities: what plain jsQR does, for frames where finders were seen but
 *    the paths above failed. Expensive on a device; off by default.
 */
import { bytesPerPixel, type Frame } from '../../hal/camera';
import { lumaRows, type LumaImage } from '../frame/luma';
import { codeCorners, codeGeometry } from './code-geometry';
import { cropAround } from './crop';
import { fineThreshold, scanForFinders, type EnsureRows, type FinderScanOptions } from './finder-scan';
import { pickTriple, type FinderTriple } from './finder-triple';
import type { Homography } from './homography';
import { renderSynthetic, sampleModules, thresholdModules, thresholdModulesByBlock } from './grid-sample';
import { decodeGrid } from './decode/decode-grid';
import { decodeWithJsqr, type JsqrReading } from './jsqr-decode';
import type { Corners, ScanCode, ScanResult } from './result';

export interface ScanOptions extends FinderScanOptions {
  /** After the grid and crop paths fail on a frame with finders, try jsQR on the whole frame (default false). */
  frameFallback?: boolean;
}

/** Scans one frame (a frame that is not packed gray8 is converted into a fresh buffer: see `createFrameScanner`). */
export function scanFrame(frame: Frame, options: ScanOptions = {}): ScanResult {
  return createFrameScanner()(frame, options);
}

/**
 * A frame scanner that keeps one luma buffer, allocated for the first frame
 * that needs converting and reused for every later one of the same size: a
 * device has no heap to spare for a frame-sized buffer per frame. A packed
 * gray8 frame is scanned in place. Other frames are converted lazily: the
 * pre-scan's rows as it reads them, then the rows a candidate's cross-checks
 * may read, then all of them once a finder is confirmed. A frame without a
 * code costs a tenth of the conversion when its sparse rows show no evidence
 * of one (a fifth when they do), and every pixel the scanner reads is exactly
 * what a full conversion gives.
 */
export function createFrameScanner(): (frame: Frame, options?: ScanOptions) => ScanResult {
  let luma: Uint8Array | undefined;
  let converted: Uint8Array | undefined;
  return (frame, options = {}) => {
    const { width, height, stride, imageType } = frame;
    if (imageType === 'gray8' && stride === width) return scanLuma({ width, height, data: frame.data }, options);
    requireSize(width, height, frame.data.length >= (height - 1) * stride + width * (bytesPerPixel[imageType] ?? 1), `${imageType} frame with stride ${stride}`);
    if (!luma || luma.length !== width * height) {
      luma = new Uint8Array(width * height);
      converted = new Uint8Array(height);
    }
    const out = luma;
    const done = converted!.fill(0);
    const convertRow = lumaRows(frame, out);
    // Rows lo..hi are all converted (two ranges are joined only when they overlap or touch): the cross-checks of
    // neighbouring candidates ask for overlapping windows of up to ~250 rows, and looking each row up again cost
    // 7.9 M of the version-10 YUV422 frame's 72.7 M (XS instructions).
    let lo = 0;
    let hi = -1;
    const ensureRows = (first: number, last: number) => {
      if (first >= lo && last <= hi) return;
      for (let y = first; y <= last; y++) {
        if (done[y]) continue;
        convertRow(y);
        done[y] = 1;
      }
      if (first <= hi + 1 && last >= lo - 1) {
        if (first < lo) lo = first;
        if (last > hi) hi = last;
      } else {
        lo = first;
        hi = last;
      }
    };
    return scanImage({ width, height, data: out }, options, ensureRows);
  };
}

export function scanLuma(image: LumaImage, options: ScanOptions = {}): ScanResult {
  requireSize(image.width, image.height, image.data.length >= image.width * image.height, `image needs ${image.width * image.height} bytes`);
  return scanImage(image, options);
}

function requireSize(width: number, height: number, enoughData: boolean, what: string): void {
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || !enoughData) {
    throw new RangeError(`scan: ${width}x${height} ${what}: bad size or too little data`);
  }
}

/** `ensureRows`: converts rows of a lazily converted image before anything reads beyond the pre-scan's rows. */
function scanImage(image: LumaImage, options: ScanOptions, ensureRows?: EnsureRows): ScanResult {
  const finders = scanForFinders(image, options, undefined, [], undefined, ensureRows);
  if (finders.length === 0) return { kind: 'none' };
  if (ensureRows) ensureRows(0, image.height - 1);
  let triple = finders.length >= 3 ? pickTriple(finders) : undefined;
  if (!triple) {
    // Something finder-like is there: scan every other row with finer thresholds (small, rotated,
    // blurred or glare-lit finders).
    scanForFinders(image, { ...options, rowStep: 2, skipCodeInterior: false, sparseFirst: false }, 0, finders, fineThreshold);
    scanForFinders(image, { ...options, rowStep: 2, skipCodeInterior: false, sparseFirst: false }, 1, finders, fineThreshold);
    triple = finders.length >= 3 ? pickTriple(finders) : undefined;
  }
  const seen = finders.map((f) => ({ x: f.x, y: f.y }));
  if (triple) {
    const { dimension } = triple;
    const toPixel = codeGeometry(image, triple);
    const corners = codeCorners(toPixel, dimension);
    // First the cheap grid: the pixel under each module centre (a quarter of the reads), one threshold per block
    // of modules. A sharp code of modules over ~2 pixels reads from it; blurred, small and partly occluded ones
    // need the bilinear mean and each module's own neighbourhood, from here on.
    const quick = decodeGrid(thresholdModulesByBlock(sampleModules(image, toPixel, dimension, 'nearest'), dimension, triple.darkModules), dimension);
    if (quick.ok) return found(quick, corners, 'grid');
    const modules = gridModules(image, triple, toPixel, dimension);
    const decoded = decodeGrid(modules, dimension);
    if (decoded.ok) return found(decoded, corners, 'grid');
    if (dimension > 21) {
      // Data modules can pass for the alignment pattern (measured: repetitive payloads in versions 16 and 19,
      // 4 modules off). The affine grid through the finders alone is right for a code seen square-on, and
      // our decoder refuses rather than guesses, so trying it costs a resampling, never a wrong payload.
      const affine = codeGeometry(image, triple, false);
      const again = decodeGrid(gridModules(image, triple, affine, dimension), dimension);
      if (again.ok) return found(again, codeCorners(affine, dimension), 'grid');
    }
    const viaJsqr = decodeSynthetic(modules, dimension);
    if (viaJsqr) return found(viaJsqr, corners, 'grid');
    // Blur shrinks or grows the measured module: the side estimate may be one version off.
    const alternative = triple.alternativeDimension;
    if (alternative >= 21 && alternative <= 177) {
      const other = codeGeometry(image, { ...triple, dimension: alternative });
      const reading = readGrid(image, triple, other, alternative);
      if (reading) return found(reading, codeCorners(other, alternative), 'grid');
    }
    // Generous: without the alignment pattern the corners of a tilted code are only extrapolated.
    const margin = 8 * triple.moduleSize + 2;
    const crop = cropAround(image, corners, margin);
    if (crop) {
      const reading = decodeWithJsqr(crop.data, crop.width, crop.height, triple.darkModules ? 'dark-on-light' : 'light-on-dark');
      if (reading) return found(reading, offset(reading.corners, crop.left, crop.top), 'crop');
    }
  }
  if (options.frameFallback) {
    const reading = decodeWithJsqr(image.data.subarray(0, image.width * image.height), image.width, image.height, 'both');
    if (reading) return found(reading, reading.corners, 'frame');
  }
  const reason = triple ? 'decode-failed' : finders.length < 3 ? 'too-few-finders' : 'no-consistent-triple';
  return { kind: 'unreadable', finders: seen, reason };
}

/** What a decoder read; corners come from our geometry, not from the decoder. */
type Reading = Pick<JsqrReading, 'bytes' | 'text' | 'version'>;

/** The thorough grid: the bilinear mean at each module centre, each module against its own neighbourhood. */
function gridModules(image: LumaImage, triple: FinderTriple, toPixel: Homography, dimension: number): Uint8Array {
  return thresholdModules(sampleModules(image, toPixel, dimension, 'bilinear'), dimension, triple.darkModules);
}

/**
 * jsQR's locator re-finds the code in the synthetic image, at many times our decoder's cost, but it also
 * reads what our decoder refuses (Kanji segments, a version-information block too damaged to trust).
 */
function decodeSynthetic(modules: Uint8Array, dimension: number): Reading | undefined {
  const synthetic = renderSynthetic(modules, dimension);
  return decodeWithJsqr(synthetic.data, synthetic.width, synthetic.height, 'dark-on-light');
}

function readGrid(image: LumaImage, triple: FinderTriple, toPixel: Homography, dimension: number): Reading | undefined {
  const modules = gridModules(image, triple, toPixel, dimension);
  const decoded = decodeGrid(modules, dimension);
  return decoded.ok ? decoded : decodeSynthetic(modules, dimension);
}

function found(reading: Reading, corners: Corners, path: ScanCode['path']): ScanCode {
  return { kind: 'code', bytes: reading.bytes, text: reading.text, version: reading.version, corners, path };
}

function offset(c: Corners, dx: number, dy: number): Corners {
  const move = (p: { x: number; y: number }) => ({ x: p.x + dx, y: p.y + dy });
  return { topLeft: move(c.topLeft), topRight: move(c.topRight), bottomRight: move(c.bottomRight), bottomLeft: move(c.bottomLeft) };
}
