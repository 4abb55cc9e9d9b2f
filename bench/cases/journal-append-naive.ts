// Baseline for the journal append: the least a journal can do, one write of the bare signed advice (no state, no CBOR map, no CRC, no copy).
import { MemoryStorage } from '../../hal/portable/memory-storage';
import type { KeyValueStore } from '../../hal/storage';
import { hexToBytes } from '@noble/hashes/utils.js';
import { vectorHex } from '../../test/core/authorization/vectors';

interface State { store: KeyValueStore; advice: Uint8Array; trace: number }

export function prepare(): State {
  return { store: new MemoryStorage().open({ path: 'qrpay' }), advice: hexToBytes(vectorHex.advice), trace: 0 };
}

export function op(state: State): void {
  const key = `w.${(++state.trace).toString(36)}`;
  state.store.write(key, state.advice);
}
