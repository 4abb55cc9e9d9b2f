// Key generation through the software keystore (first boot of a terminal): ES256, a fresh name each call.
import { SoftwareKeystore } from '../../hal/portable/software-keystore';
import { MemoryStorage } from '../../hal/portable/memory-storage';
import { deterministicEntropy } from '../../test/support/deterministic-entropy';

export function prepare(): { keystore: SoftwareKeystore; next: number } {
  return { keystore: new SoftwareKeystore({ store: new MemoryStorage().open({ path: 'keys' }), entropy: deterministicEntropy('bench') }), next: 0 };
}

export function op(state: { keystore: SoftwareKeystore; next: number }): void {
  state.keystore.create(`k${state.next++}`, 'ES256');
}
