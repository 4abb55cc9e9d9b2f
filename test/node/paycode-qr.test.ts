/**
 * The documented payment codes are QR version 10 at level L and read back from
 * a 320x240 camera-sized frame at 3 pixels per module (jsQR, as the terminal scans);
 * the size table of docs/payment-code.md is what the wallet makes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hexToBytes } from '@noble/hashes/utils.js';
import jsQR from 'jsqr';
import { describe, expect, it } from 'vitest';
import { qrInfo } from '../../tools/wallet/render';
import { type Limits } from '../../src/paycode';
import { issueCredential, makePaymentCode } from '../../tools/wallet/wallet';
import { codeIdVector, vectors } from '../core/paycode/vectors';
import { account, credentialId, epoch, fixedEntropy, makeWorld } from '../core/paycode/world';
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

describe('the QR size table of docs/payment-code.md', () => {
  it('lists the sizes and QR versions the wallet produces', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'payment-code.md'), 'utf8');
    const cases: [string, Limits | undefined, number | undefined][] = [
      ['none', undefined, undefined],
      ['cap 50000 + offline (the vectors)', { perPaymentCap: 50000, offlineAllowed: true }, undefined],
      ['cap 2^32-1 + offline, plus a code cap', { perPaymentCap: 2 ** 32 - 1, offlineAllowed: true }, 2 ** 32 - 1],
    ];
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const world = makeWorld(alg);
      for (const [label, limits, amountCap] of cases) {
        const credential = issueCredential(world.issuer, { device: world.device, account, credentialId, notBefore: epoch, expiresAt: epoch + 365 * 86400, limits }, fixedEntropy(new Uint8Array(0)));
        const code = makePaymentCode(credential, world.device, { clock: world.clock, entropy: fixedEntropy(hexToBytes(codeIdVector)), amountCap });
        const atL = qrInfo(code.text, 'L').version;
        const row = [alg, label, credential.bytes.length, code.bytes.length, code.text.length,
          limits?.perPaymentCap === 50000 ? `**${atL}**` : atL, qrInfo(code.text, 'M').version, qrInfo(code.text, 'Q').version];
        expect(doc).toContain(`| ${row.join(' | ')} |`);
      }
    }
  });
});
