/**
 * Renders text as a QR code into a luma frame, for tests that need a real code
 * in a camera-sized image. Pure ECMAScript (runs on XS too).
 */
import { create as createQr } from 'qrcode/lib/core/qrcode.js';

export interface QrFrameOptions {
  width: number;
  height: number;
  /** Pixels per module. */
  scale: number;
  /** Top-left corner of the code's quiet zone; centred when omitted. */
  x?: number;
  y?: number;
  errorCorrectionLevel?: 'L' | 'M' | 'Q' | 'H';
  /** Background and module luma. */
  light?: number;
  dark?: number;
}

export interface QrFrame {
  width: number;
  height: number;
  data: Uint8Array;
  version: number;
}

export function renderQrLuma(text: string, options: QrFrameOptions): QrFrame {
  const { width, height, scale, light = 235, dark = 20 } = options;
  const qr = createQr(text, { errorCorrectionLevel: options.errorCorrectionLevel ?? 'M' });
  const size = qr.modules.size;
  const quiet = 4;
  const side = (size + 2 * quiet) * scale;
  const left = options.x ?? Math.floor((width - side) / 2);
  const top = options.y ?? Math.floor((height - side) / 2);
  const data = new Uint8Array(width * height).fill(light);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!qr.modules.get(row, col)) continue;
      const y0 = top + (row + quiet) * scale;
      const x0 = left + (col + quiet) * scale;
      for (let y = y0; y < y0 + scale; y++) {
        if (y < 0 || y >= height) continue;
        for (let x = x0; x < x0 + scale; x++) if (x >= 0 && x < width) data[y * width + x] = dark;
      }
    }
  }
  return { width, height, data, version: qr.version };
}
