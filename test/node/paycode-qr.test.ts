/**
 * The documented payment codes are QR version 10 at level L and read back from
 * a 320x240 camera-sized frame at 3 pixels per module (jsQR, as the terminal scans).
 */
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { qrInfo } from '../../tools/wallet/render';
import { vectors } from '../core/paycode/vectors';
import { renderQrLuma } from '../support/qr-frame';

for (const alg of ['ES256', 'EdDSA'] as const) {
  describe(`${alg} vector as a QR code`, () => {
    const text = vectors[alg].text;

    it('is version 10 at error-correction level L (57x57 modules)', () => {
      expect(qrInfo(text)).toEqual({ version: 10, modules: 57, ecLevel: 'L' });
    });

    it('decodes from a 320x240 frame at 3 pixels per module', () => {
      const frame = renderQrLuma(text, { width: 320, height: 240, scale: 3, errorCorrectionLevel: 'L' });
      expect(frame.version).toBe(10);
      const rgba = new Uint8ClampedArray(frame.width * frame.height * 4);
      for (let i = 0; i < frame.data.length; i++) {
        rgba[4 * i] = rgba[4 * i + 1] = rgba[4 * i + 2] = frame.data[i];
        rgba[4 * i + 3] = 255;
      }
      expect(jsQR(rgba, frame.width, frame.height, { inversionAttempts: 'dontInvert' })?.data).toBe(text);
    });
  });
}
