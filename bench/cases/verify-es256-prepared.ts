// One ES256 signature with its key prepared (PreparedKeys: decoded once, a wider table), the verify-es256 input.
import { PreparedKeys } from '../../src/crypto/prepared-keys';
import { signatureCase, type SignatureCase } from './signature-case';

export function prepare(): SignatureCase & { keys: PreparedKeys } {
  const s = signatureCase('ES256');
  const keys = new PreparedKeys(1);
  if (!keys.prepare('ES256', s.publicKey)) throw new Error('the key must prepare');
  return { ...s, keys };
}
export function op(s: SignatureCase & { keys: PreparedKeys }): void {
  if (!s.keys.verify('ES256', s.publicKey, s.message, s.signature)) throw new Error('signature does not verify');
}
