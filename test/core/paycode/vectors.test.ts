/**
 * Test vectors (docs/payment-code.md): fixed keys and inputs give exactly the
 * documented bytes and text, and the terminal verifies them, in both algorithms.
 */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { makePaymentCode } from '../../../tools/wallet/wallet';
import { codePrefix, parsePaymentCode } from '../../../src/paycode';
import { decodeBase45 } from '../../../src/codec/base45';
import { codeIdVector, vectors } from './vectors';
import { fixedEntropy, makeWorld } from './world';

for (const alg of ['ES256', 'EdDSA'] as const) {
  describe(`${alg} vectors`, () => {
    const expected = vectors[alg];
    const world = makeWorld(alg);

    it('derives the documented public keys and operator lists', () => {
      expect(bytesToHex(world.operator.publicKey)).toBe(expected.operatorPublicKey);
      expect(bytesToHex(world.issuer.publicKey)).toBe(expected.issuerPublicKey);
      expect(bytesToHex(world.device.publicKey)).toBe(expected.devicePublicKey);
      expect(bytesToHex(world.trustList)).toBe(expected.trustList);
      expect(bytesToHex(world.denyList)).toBe(expected.denyList);
    });

    it('issues the documented credential and payment code, byte for byte', () => {
      expect(bytesToHex(world.credential.bytes)).toBe(expected.credential);
      const code = makePaymentCode(world.credential, world.device, { clock: world.clock, entropy: fixedEntropy(hexToBytes(codeIdVector)) });
      expect(bytesToHex(code.bytes)).toBe(expected.code);
      expect(code.text).toBe(expected.text);
      expect(bytesToHex(decodeBase45(expected.text.slice(codePrefix.length)))).toBe(expected.code);
    });

    it('parses the vector into the documented fields', () => {
      const code = parsePaymentCode(expected.text);
      expect(code.alg).toBe(alg);
      expect(bytesToHex(code.codeId)).toBe(codeIdVector);
      expect(code.expiresAt - code.issuedAt).toBe(30);
      expect(bytesToHex(code.credential.account)).toBe('0a0b0c0d0e0f');
      expect(bytesToHex(code.credential.credentialId)).toBe('c0000001');
      expect(bytesToHex(code.credential.issuerKid)).toBe('a1b2');
      expect(code.credential.limits).toEqual({ perPaymentCap: 50000, offlineAllowed: true });
    });

    it('verifies the vector once, then refuses the copy', () => {
      const first = world.verifier.verify(expected.text, { amount: 1250 });
      expect(first).toMatchObject({ ok: true, account: '0a0b0c0d0e0f', credentialId: 'c0000001', codeId: codeIdVector, alg });
      expect(world.verifier.verify(expected.text)).toMatchObject({ ok: false, reason: 'replayed' });
    });
  });
}
