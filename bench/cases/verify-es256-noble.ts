// The baseline under verify-es256: the same signature through noble's p256.verify (what src/crypto used before p256.ts).
import { p256 } from '@noble/curves/nist.js';
import { sha256 } from '../../src/crypto/sha256';
import { signatureCase, type SignatureCase } from './signature-case';

export const prepare = (): SignatureCase => signatureCase('ES256');
export function op(s: SignatureCase): void {
  if (!p256.verify(s.signature, sha256(s.message), s.publicKey, { lowS: true, prehash: false, format: 'compact' })) throw new Error('signature does not verify');
}
