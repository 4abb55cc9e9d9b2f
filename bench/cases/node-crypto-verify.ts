/**
 * Node's own crypto.verify (OpenSSL, native) on the same signatures a code
 * verification checks: the speed limit for the V8 figures. V8 only: node:crypto
 * does not exist on XS.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { hexToBytes } from '@noble/hashes/utils.js';
import { parsePaymentCode } from '../../src/paycode';
import { toBeSigned, type CoseAlgName } from '../../src/cose/sign1';
import { vectors } from '../../test/core/paycode/vectors';

const spkiPrefix = {
  ES256: { 33: '3039301306072a8648ce3d020106082a8648ce3d030107032200', 65: '3059301306072a8648ce3d020106082a8648ce3d030107034200' },
  EdDSA: { 32: '302a300506032b6570032100' },
} as const;

function publicKey(alg: CoseAlgName, raw: Uint8Array): KeyObject {
  const prefix = (spkiPrefix[alg] as Record<number, string>)[raw.length];
  return createPublicKey({ key: Buffer.concat([Buffer.from(prefix, 'hex'), raw]), format: 'der', type: 'spki' });
}

interface Signed { alg: CoseAlgName; key: KeyObject; message: Uint8Array; signature: Uint8Array }

export interface State { code: Signed; credential: Signed }

export function prepareFor(alg: CoseAlgName): State {
  const code = parsePaymentCode(vectors[alg].text);
  return {
    code: { alg, key: publicKey(alg, code.credential.deviceKey.publicKey), message: toBeSigned(code.sign1), signature: code.sign1.signature },
    credential: { alg, key: publicKey(alg, hexToBytes(vectors[alg].issuerPublicKey)), message: toBeSigned(code.credential.sign1), signature: code.credential.sign1.signature },
  };
}

export function nodeVerify(s: Signed): void {
  const ok = s.alg === 'ES256'
    ? verify('sha256', s.message, { key: s.key, dsaEncoding: 'ieee-p1363' }, s.signature)
    : verify(null, s.message, s.key, s.signature);
  if (!ok) throw new Error('node crypto: signature does not verify');
}
