/**
 * Key-value storage over Moddable's `preference` module, which keeps each value
 * in the ESP32's NVS partition. NVS commits an entry atomically (the old value
 * stays valid until the new one is written in full), which is the guarantee the
 * storage HAL promises; domains and keys are NVS namespaces and keys (<= 15 chars).
 */
import Preference from 'preference';
import type { KeyValueStore, Storage } from '../../hal/storage';
import { requireValidKey } from '../../hal/portable/key-rules';
import { HalError } from '../../hal/errors';

export function createEsp32Storage(): Storage {
  return {
    open({ path, mode = 'r+' }) {
      requireValidKey(path, 'domain');
      let open = true;
      const check = (key: string, writing: boolean) => {
        if (!open) throw new HalError('closed', 'storage domain is closed');
        requireValidKey(key);
        if (writing && mode === 'r') throw new HalError('io', 'storage domain is read-only');
      };
      const store: KeyValueStore = {
        read(key) {
          check(key, false);
          const value = Preference.get(path, key);
          return value instanceof ArrayBuffer ? new Uint8Array(value) : undefined;
        },
        write(key, value) {
          check(key, true);
          try {
            Preference.set(path, key, value.slice().buffer);
          } catch (error) {
            throw new HalError('io', `NVS write failed: ${(error as Error).message}`);
          }
        },
        delete(key) {
          check(key, true);
          Preference.delete(path, key);
        },
        keys: () => Preference.keys(path),
        close() {
          open = false;
        },
      };
      return store;
    },
  };
}
