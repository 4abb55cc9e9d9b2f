/**
 * Key-value storage held in memory: one Map per domain, values copied in and
 * out so a caller never shares a buffer with the store. For tests (on Node and
 * XS) and for boards that keep nothing across a reboot.
 */
import { HalError } from '../errors';
import type { KeyValueStore, Storage, StorageOpenOptions } from '../storage';
import { requireBytes, requireValidKey } from './key-rules';

export class MemoryStorage implements Storage {
  readonly #domains = new Map<string, Map<string, Uint8Array>>();

  open(options: StorageOpenOptions): KeyValueStore {
    const path = requireValidKey(options?.path, 'domain');
    let values = this.#domains.get(path);
    if (!values) {
      values = new Map();
      this.#domains.set(path, values);
    }
    return new MemoryKeyValueStore(values, options.mode === 'r');
  }
}

class MemoryKeyValueStore implements KeyValueStore {
  readonly #values: Map<string, Uint8Array>;
  readonly #readOnly: boolean;
  #closed = false;

  constructor(values: Map<string, Uint8Array>, readOnly: boolean) {
    this.#values = values;
    this.#readOnly = readOnly;
  }

  read(key: string): Uint8Array | undefined {
    this.#check(false);
    const value = this.#values.get(requireValidKey(key));
    return value ? value.slice() : undefined;
  }

  write(key: string, value: Uint8Array): void {
    this.#check(true);
    requireValidKey(key);
    this.#values.set(key, requireBytes(value).slice());
  }

  delete(key: string): void {
    this.#check(true);
    this.#values.delete(requireValidKey(key));
  }

  keys(): string[] {
    this.#check(false);
    return Array.from(this.#values.keys());
  }

  close(): void {
    this.#closed = true;
  }

  #check(writing: boolean): void {
    if (this.#closed) throw new HalError('closed', 'key-value store is closed');
    if (writing && this.#readOnly) throw new HalError('io', 'key-value store was opened read-only');
  }
}
