// One EdDSA signature through src/crypto verify() (noble): the floor under a code verification on XS.
import { verify } from '../../src/crypto/verify';
import { signatureCase, type SignatureCase } from './signature-case';

export const prepare = (): SignatureCase => signatureCase('EdDSA');
export function op(s: SignatureCase): void {
  if (!verify('EdDSA', s.publicKey, s.message, s.signature)) throw new Error('signature does not verify');
}
