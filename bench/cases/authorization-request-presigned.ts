// The terminal's request with its signature presigned (the critical-path form since #16): presign for the trace,
// then build, encode, sign (spending the presign) and hash the request. bench/payment.ts subtracts the presign
// (keystore-presign-es256.ts, measured in the same run) to get the critical path's part.
import { MemoryStorage } from '../../hal/portable/memory-storage';
import { SoftwareKeystore } from '../../hal/portable/software-keystore';
import { requestHash } from '../../src/authorization/decision';
import { signRequest } from '../../src/authorization/request';
import { deterministicEntropy } from '../../test/support/deterministic-entropy';
import { request } from '../../test/support/authorization-request-vector';

export function prepare(): SoftwareKeystore {
  const keystore = new SoftwareKeystore({ store: new MemoryStorage().open({ path: 'keys' }), entropy: deterministicEntropy('bench') });
  keystore.create('terminal', 'ES256');
  return keystore;
}

export function op(keystore: SoftwareKeystore): void {
  const use = new Uint8Array(8);
  new DataView(use.buffer).setUint32(4, request.trace);
  if (!keystore.presign('terminal', use)) throw new Error('the software keystore must presign ES256');
  const bytes = signRequest(request, { alg: 'ES256', sign: (message) => keystore.sign('terminal', message, use) });
  requestHash(bytes);
}
