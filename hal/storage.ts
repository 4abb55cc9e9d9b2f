/**
 * Key-value storage in the shape of ECMA-419 `embedded:storage/key-value`
 * (NVS on an ESP32). Values are bytes. A `write` replaces one value atomically:
 * after a power cut a reader sees the old value or the new one, never a mix.
 *
 * Keys follow NVS rules so code tested in the simulator fits the device:
 * 1 to 15 ASCII characters.
 */
export const maxKeyLength = 15;

export interface KeyValueStore {
  read(key: string): Uint8Array | undefined;
  /** Atomically replaces the value under `key`. Throws HalError('power-lost' | 'io' | 'invalid-key'). */
  write(key: string, value: Uint8Array): void;
  delete(key: string): void;
  /** Every key in this domain, in no particular order. */
  keys(): string[];
  close(): void;
}

export interface StorageOpenOptions {
  /** The domain (NVS namespace): 1 to 15 ASCII characters. */
  path: string;
  mode?: 'r' | 'r+';
}

export interface Storage {
  open(options: StorageOpenOptions): KeyValueStore;
}

export function isValidKey(key: string): boolean {
  return typeof key === 'string' && key.length >= 1 && key.length <= maxKeyLength && /^[\x21-\x7e]+$/.test(key);
}
