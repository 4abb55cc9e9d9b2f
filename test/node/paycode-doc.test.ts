/**
 * docs/payment-code.md shows the same test vectors the code produces
 * (test/core/paycode/vectors.ts, checked on Node and XS), and an independent
 * implementation, Node's OpenSSL, verifies every signature in them over the
 * COSE Sig_structure built here by hand, byte by byte.
 */
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decode, encode, Tagged, type CborMap } from '../../src/codec/cbor';
import { decodeBase45 } from '../../src/codec/base45';
import { vectors } from '../core/paycode/vectors';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'payment-code.md'), 'utf8');
const bytes = (hex: string) => Buffer.from(hex, 'hex');

const spki = {
  ES256: (raw: Buffer) => Buffer.concat([bytes(raw.length === 33 ? '3039301306072a8648ce3d020106082a8648ce3d030107032200' : '3059301306072a8648ce3d020106082a8648ce3d030107034200'), raw]),
  EdDSA: (raw: Buffer) => Buffer.concat([bytes('302a300506032b6570032100'), raw]),
};

function opensslVerify(alg: 'ES256' | 'EdDSA', publicKey: Buffer, sign1: unknown[]): boolean {
  const [protectedBytes, , payload, signature] = sign1 as Uint8Array[];
  // Sig_structure = ["Signature1", protected, external_aad = h'', payload]: 0x84 0x6a "Signature1" ...
  const toBeSigned = Buffer.concat([
    bytes('846a5369676e617475726531'), Buffer.from(encode(protectedBytes)), bytes('40'), Buffer.from(encode(payload)),
  ]);
  const key = createPublicKey({ key: spki[alg](publicKey), format: 'der', type: 'spki' });
  return alg === 'ES256'
    ? verify('sha256', toBeSigned, { key, dsaEncoding: 'ieee-p1363' }, signature)
    : verify(null, toBeSigned, key, signature);
}

for (const alg of ['ES256', 'EdDSA'] as const) {
  describe(`${alg} vectors in docs/payment-code.md`, () => {
    const v = vectors[alg];

    it('appear in the doc verbatim', () => {
      for (const value of Object.values(v)) expect(doc).toContain(value);
    });

    it('are signed as OpenSSL sees it: credential by the issuer, code by the device, lists by the operator', () => {
      const text = decodeBase45(v.text.slice(4));
      expect(Buffer.from(text).toString('hex')).toBe(v.code);
      const code = decode(text) as unknown[];
      const protectedHeader = decode(code[0] as Uint8Array) as CborMap;
      const credential = protectedHeader.get(13) as unknown[];
      expect(Buffer.from(encode(credential as never)).toString('hex')).toBe(v.credential);
      expect(opensslVerify(alg, bytes(v.issuerPublicKey), credential)).toBe(true);
      expect(opensslVerify(alg, bytes(v.devicePublicKey), code)).toBe(true);
      for (const list of [v.trustList, v.denyList]) {
        const tagged = decode(bytes(list)) as Tagged;
        expect(tagged.tag).toBe(18);
        expect(opensslVerify(alg, bytes(v.operatorPublicKey), tagged.value as unknown[])).toBe(true);
      }
      const tampered = [...code];
      tampered[2] = new Uint8Array([...(code[2] as Uint8Array)].map((b, i) => (i === 3 ? b ^ 1 : b)));
      expect(opensslVerify(alg, bytes(v.devicePublicKey), tampered)).toBe(false);
    });
  });
}
