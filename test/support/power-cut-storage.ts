/**
 * Portable storage whose power fails at the nth write (writes and deletes
 * both count, as flash writes on NVS) after it is armed: that write and every
 * later one throw HalError('power-lost'), nothing of the cut write lands.
 * For the core tests of the terminal's ledger (Node and XS).
 */
import { HalError } from '../../hal/errors';
import type { KeyValueStore, Storage } from '../../hal/storage';

export function cutAfter(storage: Storage): { storage: Storage; arm(n: number): void } {
  let left = Infinity;
  let dead = false;
  const count = () => {
    if (dead) throw new HalError('power-lost', 'power is off');
    if (--left === 0) {
      dead = true;
      throw new HalError('power-lost', 'power cut');
    }
  };
  return {
    arm: (n) => {
      left = n;
      dead = false;
    },
    storage: {
      open(options) {
        const inner = storage.open(options);
        const wrapped: KeyValueStore = {
          read: (k) => inner.read(k),
          keys: () => inner.keys(),
          close: () => inner.close(),
          write: (k, v) => {
            count();
            inner.write(k, v);
          },
          delete: (k) => {
            count();
            inner.delete(k);
          },
        };
        return wrapped;
      },
    },
  };
}
