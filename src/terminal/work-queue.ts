/**
 * The terminal's pending work, durable: one storage entry per request that is
 * not settled yet, under its trace number, so any number can wait (a slot
 * would let a second unanswered request overwrite the first). An entry moves
 * through at most three kinds, each step one atomic write of the same key, and
 * is deleted once settled, exactly once:
 *
 *   request    sent (or about to be), no verified answer yet
 *   releasing  a verified approval or hold; the goods are being released
 *   reversal   the terminal gave the request up: this signed reversal is to be
 *              delivered until the authorizer acknowledges it
 *
 * Whatever a power cut leaves, the next boot finds the old kind or the new one
 * (storage.ts: a write replaces a value atomically), and turns every request
 * or releasing entry into a reversal: after a reboot nothing is released for
 * an earlier request, so nothing may stay captured for it either. Deleting a
 * releasing entry after the actuator finished is the commit point of a
 * release (docs/authorization.md, "Reversal").
 */
import { decode, encode, isBytes, isCborMap, type CborMap } from '../codec/cbor';
import type { KeyValueStore } from '../../hal/storage';
import { maxMessageBytes } from '../authorization/envelope';

export type WorkKind = 'request' | 'releasing' | 'reversal';
const kinds: readonly WorkKind[] = ['request', 'releasing', 'reversal'];

export interface WorkEntry {
  trace: number;
  kind: WorkKind;
  /** The signed request (request, releasing) or the signed reversal (reversal). */
  bytes: Uint8Array;
}

const prefix = 'w.';
/** A signed message (envelope.ts maxMessageBytes) and the entry's own few bytes. */
const maxEntryBytes = maxMessageBytes + 64;

/** "w." + the trace in base 36: at most 13 characters for any safe integer (NVS keys hold 15). */
export function workKey(trace: number): string {
  return prefix + trace.toString(36);
}

export class WorkQueue {
  readonly #store: KeyValueStore;

  constructor(store: KeyValueStore) {
    this.#store = store;
  }

  /** Records (or moves on) the entry for its trace: one atomic write. Throws what the storage throws. */
  put(entry: WorkEntry): void {
    const map: CborMap = new Map();
    map.set(1, entry.kind);
    map.set(2, entry.bytes);
    this.#store.write(workKey(entry.trace), encode(map));
  }

  /** Settles the entry of `trace` (nothing when there is none). */
  remove(trace: number): void {
    this.#store.delete(workKey(trace));
  }

  /** How many entries wait. */
  size(): number {
    return this.#keys().length;
  }

  /**
   * Every entry, oldest trace first, and the keys of entries that cannot be
   * read (damaged flash; atomic writes never leave one): the caller reports
   * and removes those, since nothing can be done with them.
   */
  entries(): { entries: WorkEntry[]; damaged: string[] } {
    const entries: WorkEntry[] = [];
    const damaged: string[] = [];
    for (const key of this.#keys()) {
      const entry = this.#read(key);
      if (entry) entries.push(entry);
      else damaged.push(key);
    }
    entries.sort((a, b) => a.trace - b.trace);
    return { entries, damaged };
  }

  discard(key: string): void {
    this.#store.delete(key);
  }

  #keys(): string[] {
    return this.#store.keys().filter((key) => key.slice(0, prefix.length) === prefix);
  }

  #read(key: string): WorkEntry | undefined {
    const trace = parseInt(key.slice(prefix.length), 36);
    const stored = this.#store.read(key);
    if (!stored || !(Number.isSafeInteger(trace) && trace >= 1) || workKey(trace) !== key) return undefined;
    try {
      const map = decode(stored, { maxBytes: maxEntryBytes });
      if (!isCborMap(map) || map.size !== 2) return undefined;
      const kind = map.get(1);
      const bytes = map.get(2);
      if (typeof kind !== 'string' || kinds.indexOf(kind as WorkKind) < 0 || !isBytes(bytes)) return undefined;
      return { trace, kind: kind as WorkKind, bytes };
    } catch {
      return undefined;
    }
  }
}
