/**
 * The terminal's pending work and its open batch, durable: one storage entry
 * per trace number (of a request or of an instruction), so any number can
 * wait (a slot would let a second unanswered request overwrite the first).
 * An entry moves through its kinds, each step one atomic write of the same
 * key, so every trace is settled and counted exactly once:
 *
 *   pending work
 *   request      sent (or about to be), no verified answer yet
 *   releasing    a verified approval or hold; the goods are being released
 *   reversal     the terminal gave the request up: this signed reversal is to
 *                be delivered until the authorizer acknowledges it
 *   instruction  a signed completion, void, refund or batch close, delivered
 *                until the authorizer's signed result comes back
 *   offline-releasing  approved offline (the signed advice), the goods being released
 *   offline      approved offline and released: the advice waits for its upload
 *   settled (what the open batch counts, by `item`)
 *   sale         goods released for a sale
 *   hold         goods released for a pre-authorization, waiting for its completion
 *   reversed     a reversal acknowledged (counted when it undid money)
 *   adjusted     an instruction's result (a completion, void or refund counts)
 *   closed       a batch close answered: the batches up to `batch` are closed
 *   late-declined  an offline approval the authorizer declined at its upload
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
import type { ItemKind } from '../authorization/instruction';

export type PendingKind = 'request' | 'releasing' | 'reversal' | 'instruction' | 'offline-releasing' | 'offline';
export type SettledKind = 'sale' | 'hold' | 'reversed' | 'adjusted' | 'closed' | 'late-declined';
export type WorkKind = PendingKind | SettledKind;
export const pendingKinds: readonly WorkKind[] = ['request', 'releasing', 'reversal', 'instruction', 'offline-releasing', 'offline'];
/** The offline journal: approvals made without the authorizer, waiting for their upload. */
export const offlineKinds: readonly WorkKind[] = ['offline-releasing', 'offline'];
const kinds: readonly WorkKind[] = [
  'request', 'releasing', 'reversal', 'instruction', 'offline-releasing', 'offline', 'sale', 'hold', 'reversed', 'adjusted', 'closed', 'late-declined',
];

export interface WorkEntry {
  trace: number;
  kind: WorkKind;
  /** The signed request (request, releasing, hold), reversal (reversal) or instruction (instruction). */
  bytes?: Uint8Array;
  /** The batch a settled entry counts in; for a batch close, the batch it closes. */
  batch?: number;
  /** Minor units: the request's amount, or what an instruction moved. */
  amount?: number;
  currency?: string;
  /** What a settled entry counts as in its batch (instruction.ts ItemKind); absent: nothing. */
  item?: ItemKind;
  /** An instruction's target trace (the hold a completion completes). */
  target?: number;
  /** An instruction's action, a reversal's effect, a batch close's verdict. */
  detail?: string;
}

const fields: [number, keyof WorkEntry][] = [[2, 'bytes'], [3, 'batch'], [4, 'amount'], [5, 'currency'], [6, 'item'], [7, 'target'], [8, 'detail']];

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
    for (const [key, name] of fields) {
      const value = entry[name];
      if (value !== undefined) map.set(key, value as Uint8Array | number | string);
    }
    this.#store.write(workKey(entry.trace), encode(map));
  }

  /** Settles the entry of `trace` (nothing when there is none). */
  remove(trace: number): void {
    this.#store.delete(workKey(trace));
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
      if (!isCborMap(map)) return undefined;
      const kind = map.get(1);
      if (typeof kind !== 'string' || kinds.indexOf(kind as WorkKind) < 0) return undefined;
      const entry: WorkEntry = { trace, kind: kind as WorkKind };
      for (const [key, name] of fields) {
        const value = map.get(key);
        if (value === undefined) continue;
        const wanted = name === 'bytes' ? isBytes(value) : name === 'currency' || name === 'item' || name === 'detail' ? typeof value === 'string' : typeof value === 'number';
        if (!wanted) return undefined;
        (entry as unknown as Record<string, unknown>)[name] = value;
      }
      if (pendingKinds.indexOf(entry.kind) >= 0 && !entry.bytes) return undefined;
      return entry;
    } catch {
      return undefined;
    }
  }
}
