// The terminal's idle-time presign (hal/keystore.ts `presign`, software keystore, ES256): the nonce from HKDF and
// R = k·G for the next trace. A bench payment runs it after the relay fires, inside its op; on a device the
// customer has gone by then, so bench/payment.ts takes it off the critical path.
import { MemoryStorage } from '../../hal/portable/memory-storage';
import { SoftwareKeystore } from '../../hal/portable/software-keystore';
import { deterministicEntropy } from '../../test/support/deterministic-entropy';

export function prepare(): { keystore: SoftwareKeystore; trace: number } {
  const keystore = new SoftwareKeystore({ store: new MemoryStorage().open({ path: 'keys' }), entropy: deterministicEntropy('bench') });
  keystore.create('terminal', 'ES256');
  return { keystore, trace: 0 };
}

export function op(state: { keystore: SoftwareKeystore; trace: number }): void {
  const use = new Uint8Array(8);
  new DataView(use.buffer).setUint32(4, ++state.trace);
  if (!state.keystore.presign('terminal', use)) throw new Error('the software keystore must presign ES256');
}
