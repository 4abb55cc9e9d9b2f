/**
 * Success rates of the scanner beside plain jsQR (default options, both
 * polarities, whole frame as RGBA) on the same corpus frames, per category.
 * Shared by the corpus test and the benchmark.
 */
import jsQR from 'jsqr';
import { lumaToRgba } from '../../../src/scan/jsqr-decode';
import { scanLuma } from '../../../src/scan/scanner';
import { categories, generateFrame, type Category } from './corpus';

export interface CategoryRates {
  category: Category;
  frames: number;
  /** Frames read with the right payload. */
  scanner: number;
  jsqr: number;
  /** Frames where a payload other than the encoded one came back (or any payload where there is no code). */
  scannerWrong: number;
  jsqrWrong: number;
  /** Seeds plain jsQR read and the scanner did not. */
  missed: number[];
  /** How the scanner read its frames. */
  paths: Record<string, number>;
}

export function evaluateCorpus(count: number, only: readonly Category[] = categories): CategoryRates[] {
  return only.map((category) => {
    const row: CategoryRates = { category, frames: 0, scanner: 0, jsqr: 0, scannerWrong: 0, jsqrWrong: 0, missed: [], paths: {} };
    for (let seed = 1; seed <= count; seed++) {
      const frame = generateFrame(category, seed);
      row.frames++;
      const result = scanLuma(frame);
      const scannerRight = result.kind === 'code' && result.text === frame.text;
      if (result.kind === 'code') {
        if (scannerRight) {
          row.scanner++;
          row.paths[result.path] = (row.paths[result.path] ?? 0) + 1;
        } else row.scannerWrong++;
      }
      // `inversionAttempts` spelled out: jsQR 1.4 keeps the last caller's options as its defaults.
      const plain = jsQR(lumaToRgba(frame.data), frame.width, frame.height, { inversionAttempts: 'attemptBoth' });
      if (plain) {
        if (plain.data === frame.text) row.jsqr++;
        else row.jsqrWrong++;
      }
      if (plain && plain.data === frame.text && !scannerRight) row.missed.push(seed);
    }
    return row;
  });
}

export function percent(n: number, of: number): string {
  return `${((100 * n) / of).toFixed(1)}%`;
}
