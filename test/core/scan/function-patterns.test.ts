import { describe, expect, it } from 'vitest';
import { create as createQr } from 'qrcode/lib/core/qrcode.js';
import { alignmentCentres, forEachFunctionModule } from '../../../src/scan/function-patterns';

describe('function patterns', () => {
  it('gives the alignment centres of ISO/IEC 18004 Annex E', () => {
    expect(alignmentCentres(21)).toEqual([]);
    expect(alignmentCentres(25)).toEqual([6, 18]);
    expect(alignmentCentres(45)).toEqual([6, 22, 38]);
    expect(alignmentCentres(57)).toEqual([6, 28, 50]);
    expect(alignmentCentres(145)).toEqual([6, 34, 60, 86, 112, 138]);
    expect(alignmentCentres(177)).toEqual([6, 30, 58, 86, 114, 142, 170]);
  });

  it('paints exactly the modules an encoder puts there (versions 1-12)', () => {
    for (let version = 1; version <= 12; version++) {
      const qr = createQr('QRPAY', { errorCorrectionLevel: 'M', version });
      let painted = 0;
      let wrong = 0;
      forEachFunctionModule(qr.modules.size, (row, col, dark) => {
        painted++;
        if (Boolean(qr.modules.get(row, col)) !== dark) wrong++;
      });
      expect(wrong).toBe(0);
      expect(painted).toBeGreaterThan(190);
    }
  });
});
