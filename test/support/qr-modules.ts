/**
 * A QR symbol's module grid straight from the `qrcode` encoder (1 = dark), for
 * tests of the grid decoder. Pure ECMAScript (runs on XS too).
 */
import type { QRCodeMaskPattern } from 'qrcode';
import { create as createQr } from 'qrcode/lib/core/qrcode.js';

export interface QrModules {
  modules: Uint8Array;
  dimension: number;
  version: number;
}

export type QrSegment = { data: string | Uint8Array; mode: 'numeric' | 'alphanumeric' | 'byte' };

export function encodeModules(content: string | QrSegment[], options: { level: 'L' | 'M' | 'Q' | 'H'; version?: number; mask?: number }): QrModules {
  const qr = createQr(content as string, { errorCorrectionLevel: options.level, version: options.version, maskPattern: options.mask as QRCodeMaskPattern | undefined });
  const dimension = qr.modules.size;
  const modules = new Uint8Array(dimension * dimension);
  for (let row = 0; row < dimension; row++) {
    for (let col = 0; col < dimension; col++) modules[row * dimension + col] = qr.modules.get(row, col) ? 1 : 0;
  }
  return { modules, dimension, version: qr.version };
}

export { seededRandom } from '../../hal/portable/seeded-random';
