// The terminal's signature on an authorization request (~300 bytes) through the software keystore: ES256.
import { SoftwareKeystore } from '../../hal/portable/software-keystore';
import { MemoryStorage } from '../../hal/portable/memory-storage';
import { deterministicEntropy } from '../../test/support/deterministic-entropy';

export function prepare(): { keystore: SoftwareKeystore; message: Uint8Array } {
  const keystore = new SoftwareKeystore({ store: new MemoryStorage().open({ path: 'keys' }), entropy: deterministicEntropy('bench') });
  keystore.create('terminal', 'ES256');
  return { keystore, message: new Uint8Array(300).fill(0x5a) };
}

export function op(state: { keystore: SoftwareKeystore; message: Uint8Array }): void {
  state.keystore.sign('terminal', state.message);
}
