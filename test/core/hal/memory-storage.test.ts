import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../../hal/portable/memory-storage';
import { isHalError } from '../../../hal/errors';

function kind(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isHalError(error) ? error.kind : `untyped ${error}`;
  }
  return undefined;
}

describe('MemoryStorage', () => {
  it('writes, reads, replaces, deletes and lists keys', () => {
    const store = new MemoryStorage().open({ path: 'app' });
    expect(store.read('a')).toBe(undefined);
    store.write('a', Uint8Array.of(1, 2));
    store.write('b', Uint8Array.of(3));
    store.write('a', Uint8Array.of(9));
    expect(store.read('a')).toEqual(Uint8Array.of(9));
    expect(store.keys().sort()).toEqual(['a', 'b']);
    store.delete('b');
    store.delete('missing');
    expect(store.keys()).toEqual(['a']);
  });

  it('copies values in and out', () => {
    const store = new MemoryStorage().open({ path: 'app' });
    const value = Uint8Array.of(1, 2, 3);
    store.write('k', value);
    value[0] = 99;
    const read = store.read('k')!;
    read[1] = 99;
    expect(store.read('k')).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('keeps domains apart and shares a domain between openings', () => {
    const storage = new MemoryStorage();
    storage.open({ path: 'one' }).write('k', Uint8Array.of(1));
    expect(storage.open({ path: 'two' }).read('k')).toBe(undefined);
    expect(storage.open({ path: 'one' }).read('k')).toEqual(Uint8Array.of(1));
  });

  it('enforces the NVS key rules on keys and domains', () => {
    const storage = new MemoryStorage();
    const store = storage.open({ path: 'app' });
    expect(kind(() => store.write('', Uint8Array.of(1)))).toBe('invalid-key');
    expect(kind(() => store.write('sixteen-chars-xx', Uint8Array.of(1)))).toBe('invalid-key');
    expect(kind(() => store.read('has space'))).toBe('invalid-key');
    expect(kind(() => store.read('caf\u00e9'))).toBe('invalid-key');
    expect(kind(() => store.write('fifteen-chars-x', Uint8Array.of(1)))).toBe(undefined);
    expect(kind(() => storage.open({ path: '' }))).toBe('invalid-key');
    expect(() => store.write('k', [1, 2] as unknown as Uint8Array)).toThrow(TypeError);
  });

  it('refuses writes when read-only and everything once closed', () => {
    const storage = new MemoryStorage();
    storage.open({ path: 'app' }).write('k', Uint8Array.of(1));
    const reader = storage.open({ path: 'app', mode: 'r' });
    expect(reader.read('k')).toEqual(Uint8Array.of(1));
    expect(kind(() => reader.write('k', Uint8Array.of(2)))).toBe('io');
    expect(kind(() => reader.delete('k'))).toBe('io');
    reader.close();
    expect(kind(() => reader.read('k'))).toBe('closed');
    expect(kind(() => reader.keys())).toBe('closed');
  });
});
