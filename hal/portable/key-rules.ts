/**
 * The key and domain rules of the storage contract, enforced the same way by
 * every storage implementation so code tested on the simulator fits NVS.
 */
import { HalError } from '../errors';
import { isValidKey, maxKeyLength } from '../storage';

/** Throws HalError('invalid-key') unless `name` is 1 to 15 printable ASCII characters. */
export function requireValidKey(name: unknown, what = 'key'): string {
  if (typeof name !== 'string' || !isValidKey(name)) {
    throw new HalError('invalid-key', `${what} must be 1 to ${maxKeyLength} printable ASCII characters, got ${JSON.stringify(name)}`);
  }
  return name;
}

/** Throws a TypeError unless `value` is a Uint8Array: storage holds bytes only. */
export function requireBytes(value: unknown, what = 'value'): Uint8Array {
  if (!(value instanceof Uint8Array)) throw new TypeError(`${what} must be a Uint8Array`);
  return value;
}
