/**
 * Camera frame in, QR payload out, at a cost an ESP32 can pay.
 *
 * 1. Pre-scan (finder-scan): every fifth row; no finder, no code. This is
 *    all a frame without a code costs. When finders were seen but not three
 *    that make a code, the skipped rows are scanned too.
 * 2. Three finders that make a code (finder-triple), the alignment pattern
 *    and a module-to-pixel homography (code-geometry).
 * 3. Grid path: resample the modules into a one-pixel-per-module synthetic
 *    image and let jsQR decode that (grid-sample, jsqr-decode); if that
 *    fails, once more with the other likely side length.
 * 4. Crop path, only if the grid path failed: jsQR on the frame pixels around
 *    the code, with the polarity the finders showed.
 * 5. Optionally (`frameFallback`), jsQR on the whole frame trying both
 *    polarities: what plain jsQR does, for frames where finders were seen but
 *    the paths above failed. Expensive on a device; off by default.
 */
import type { Frame } from '../../hal/camera';
import { toLuma, type LumaImage } from '../frame/luma';
import { codeCorners, codeGeometry } from './code-geometry';
import { cropAround } from './crop';
import { fineThreshold, scanForFinders, type FinderScanOptions } from './finder-scan';
import { pickTriple, type FinderTriple } from './finder-triple';
import type { Homography } from './homography';
import { renderSynthetic, sampleModules } from './grid-sample';
import { decodeWithJsqr, type JsqrReading } from './jsqr-decode';
import type { Corners, ScanCode, ScanResult } from './result';

export interface ScanOptions extends FinderScanOptions {
  /** After the grid and crop paths fail on a frame with finders, try jsQR on the whole frame (default false). */
  frameFallback?: boolean;
}

export function scanFrame(frame: Frame, options: ScanOptions = {}): ScanResult {
  return scanLuma(toLuma(frame), options);
}

export function scanLuma(image: LumaImage, options: ScanOptions = {}): ScanResult {
  const { width, height } = image;
  if (!(Number.isInteger(width) && Number.isInteger(height) && width > 0 && height > 0) || !(image.data.length >= width * height)) {
    throw new RangeError(`scanLuma: ${image.width}x${image.height} image needs ${image.width * image.height} bytes`);
  }
  const finders = scanForFinders(image, options);
  if (finders.length === 0) return { kind: 'none' };
  let triple = finders.length >= 3 ? pickTriple(finders) : undefined;
  if (!triple) {
    // Something finder-like is there: scan every other row with finer thresholds (small, rotated,
    // blurred or glare-lit finders).
    scanForFinders(image, { ...options, rowStep: 2 }, 0, finders, fineThreshold);
    scanForFinders(image, { ...options, rowStep: 2 }, 1, finders, fineThreshold);
    triple = finders.length >= 3 ? pickTriple(finders) : undefined;
  }
  const seen = finders.map((f) => ({ x: f.x, y: f.y }));
  if (triple) {
    const { dimension } = triple;
    const toPixel = codeGeometry(image, triple);
    const corners = codeCorners(toPixel, dimension);
    const grid = readGrid(image, triple, toPixel, dimension);
    if (grid) return found(grid, corners, 'grid');
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

function readGrid(image: LumaImage, triple: FinderTriple, toPixel: Homography, dimension: number): JsqrReading | undefined {
  const synthetic = renderSynthetic(sampleModules(image, toPixel, dimension), dimension, triple.darkModules);
  return decodeWithJsqr(synthetic.data, synthetic.width, synthetic.height, 'dark-on-light');
}

function found(reading: JsqrReading, corners: Corners, path: ScanCode['path']): ScanCode {
  return { kind: 'code', bytes: reading.bytes, text: reading.text, version: reading.version, corners, path };
}

function offset(c: Corners, dx: number, dy: number): Corners {
  const move = (p: { x: number; y: number }) => ({ x: p.x + dx, y: p.y + dy });
  return { topLeft: move(c.topLeft), topRight: move(c.topRight), bottomRight: move(c.bottomRight), bottomLeft: move(c.bottomLeft) };
}
