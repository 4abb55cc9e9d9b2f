// The terminal's part of a payment before the network: build the request map, encode it (deterministic CBOR),
// sign it through the software keystore (ES256) and hash the bytes for the decision binding.
import { SoftwareKeystore } from '../../hal/portable/software-keystore';
import { MemoryStorage } from '../../hal/portable/memory-storage';
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
  const bytes = signRequest(request, { alg: 'ES256', sign: (message) => keystore.sign('terminal', message) });
  requestHash(bytes);
}
