// A code's own signature and message, so signature-only cases verify exactly what a code verification does.
import { parsePaymentCode } from '../../src/paycode';
import { toBeSigned, type CoseAlgName } from '../../src/cose/sign1';
import { vectors } from '../../test/core/paycode/vectors';

export interface SignatureCase {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

export function signatureCase(alg: CoseAlgName): SignatureCase {
  const code = parsePaymentCode(vectors[alg].text);
  return { publicKey: code.credential.deviceKey.publicKey, message: toBeSigned(code.sign1), signature: code.sign1.signature };
}
