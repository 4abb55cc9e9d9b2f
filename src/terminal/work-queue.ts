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
 * Each stored entry carries a CRC-32 of the rest of it (field 9), so flash
 * damage is told apart from a good entry: a damaged one is reported with what
 * is wrong (truncated, tampered, unreadable) and left where it is, never
 * silently dropped (the ledger repairs an offline entry from its signed advice).
 *
 * Whatever a power cut leaves, the next boot finds the old kind or the new one
 * (storage.ts: a write replaces a value atomically), and turns every request
 * or releasing entry into a reversal: after a reboot nothing is released for
 * an earlier request, so nothing may stay captured for it either. Deleting a
 * releasing entry after the actuator finished is the commit point of a
 * release (docs/authorization.md, "Reversal").
 */
import { decode, DecodeError, encode, isBytes, isCborMap, type CborMap } from '../codec/cbor';
import { crc32 } from '../codec/crc32';
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

export function isWorkKind(value: unknown): value is WorkKind {
  return typeof value === 'string' && kinds.indexOf(value as WorkKind) >= 0;
}

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

/** What is wrong with an entry that cannot be used: it ends early, its check does not match, or it is no entry at all. */
export type EntryDamage = 'truncated' | 'tampered' | 'unreadable';

export interface DamagedEntry {
  key: string;
  /** The trace its key names (undefined when the key names none). */
  trace?: number;
  problem: EntryDamage;
  /** The entry's map when it still decodes (a repair may start from its signed advice). */
  map?: CborMap;
  /** What is stored under the key, as found: for the operator, who may still read a payment out of it. */
  stored?: Uint8Array;
}

/** Field 9 of a stored entry: the CRC-32 of the entry encoded without it. */
const checkField = 9;

const fields: [number, keyof WorkEntry][] = [[2, 'bytes'], [3, 'batch'], [4, 'amount'], [5, 'currency'], [6, 'item'], [7, 'target'], [8, 'detail']];

const prefix = 'w.';
/** The journal's copy of an offline payment's signed advice: "a." + the trace in base 36. */
const mirrorPrefix = 'a.';
/** A signed message (envelope.ts maxMessageBytes) and the entry's own few bytes. */
const maxEntryBytes = maxMessageBytes + 64;

/** "w." + the trace in base 36: at most 13 characters for any safe integer (NVS keys hold 15). */
export function workKey(trace: number): string {
  return prefix + trace.toString(36);
}

/** An entry as stored (under workKey(entry.trace)): its fields and their CRC-32 (docs/authorization.md, Offline). */
export function encodeWorkEntry(entry: WorkEntry): Uint8Array {
  const map: CborMap = new Map();
  map.set(1, entry.kind);
  for (const [key, name] of fields) {
    const value = entry[name];
    if (value !== undefined) map.set(key, value as Uint8Array | number | string);
  }
  // Field 9 goes last (the largest key): the bytes are those without it, one more field in the head, then 9 and the CRC.
  const without = encode(map);
  const check = encode(crc32(without));
  const stored = new Uint8Array(without.length + 1 + check.length);
  stored.set(without);
  stored[0] = without[0] + 1;
  stored[without.length] = checkField;
  stored.set(check, without.length + 1);
  return stored;
}

/**
 * Whether `check` is the CRC-32 of the entry `stored` without its field 9, computed on the stored bytes: field 9
 * is the last of a canonical map (the largest key) and the map has fewer than 24 fields (a one-byte head), so the
 * entry without it is the head counting one field less and the bytes up to the key 9.
 */
function checkMatches(stored: Uint8Array, check: unknown): boolean {
  if (typeof check !== 'number' || !Number.isInteger(check) || check < 0 || check > 0xffffffff) return false;
  const tail = 1 + (check < 24 ? 1 : check < 0x100 ? 2 : check < 0x10000 ? 3 : 5);
  const head = stored[0];
  if (head < 0xa2 || head > 0xb7 || stored.length <= tail || stored[stored.length - tail] !== checkField) return false;
  return crc32(Uint8Array.of(head - 1), stored.subarray(1, stored.length - tail)) === check;
}

type Read = { entry: WorkEntry } | { damaged: DamagedEntry };

export class WorkQueue {
  readonly #store: KeyValueStore;
  /**
   * What this queue wrote or last read and checked, by key: the ledger lists its entries several times per
   * charge, and a check costs about 2 k XS instructions a byte (docs/speed.md). `entries(true)` reads and
   * checks everything on flash again (the ledger does at every settle).
   */
  readonly #known = new Map<string, Read>();

  constructor(store: KeyValueStore) {
    this.#store = store;
  }

  /** Records (or moves on) the entry for its trace: one atomic write. Throws what the storage throws. */
  put(entry: WorkEntry): void {
    const key = workKey(entry.trace);
    this.#known.delete(key);
    this.#store.write(key, encodeWorkEntry(entry));
    const known: WorkEntry = { trace: entry.trace, kind: entry.kind };
    for (const [, name] of fields) if (entry[name] !== undefined) (known as unknown as Record<string, unknown>)[name] = entry[name];
    this.#known.set(key, { entry: known });
  }

  /** Keeps a copy of an offline payment's signed advice (the bare bytes: the signature is their check). */
  putMirror(trace: number, advice: Uint8Array): void {
    this.#store.write(mirrorPrefix + trace.toString(36), advice);
  }

  mirror(trace: number): Uint8Array | undefined {
    return this.#store.read(mirrorPrefix + trace.toString(36));
  }

  /** The traces with a copy of their advice. */
  mirrors(): number[] {
    const traces: number[] = [];
    for (const key of this.#store.keys()) {
      if (key.slice(0, mirrorPrefix.length) !== mirrorPrefix) continue;
      const trace = parseInt(key.slice(mirrorPrefix.length), 36);
      if (Number.isSafeInteger(trace) && trace >= 1) traces.push(trace);
    }
    return traces;
  }

  removeMirror(trace: number): void {
    this.#store.delete(mirrorPrefix + trace.toString(36));
  }

  /** Deletes the damaged entry under `key` (only one this queue found damaged on its last read): false otherwise. */
  discardDamaged(key: string): boolean {
    const known = this.#known.get(key);
    if (!known || !('damaged' in known)) return false;
    this.#store.delete(key);
    this.#known.delete(key);
    return true;
  }

  /** Settles the entry of `trace` (nothing when there is none). */
  remove(trace: number): void {
    const key = workKey(trace);
    this.#known.delete(key);
    this.#store.delete(key);
  }

  /**
   * Every entry, oldest trace first, and the entries that cannot be used
   * (damaged flash: atomic writes never leave one), each with what is wrong.
   * `fromFlash`: read and check every one again rather than trust what this queue wrote or read.
   */
  entries(fromFlash = false): { entries: WorkEntry[]; damaged: DamagedEntry[] } {
    if (fromFlash) this.#known.clear();
    const entries: WorkEntry[] = [];
    const damaged: DamagedEntry[] = [];
    for (const key of this.#keys()) {
      let read = this.#known.get(key);
      if (!read) {
        read = this.#read(key);
        this.#known.set(key, read);
      }
      if ('entry' in read) entries.push({ ...read.entry });
      else damaged.push(read.damaged);
    }
    entries.sort((a, b) => a.trace - b.trace);
    return { entries, damaged };
  }

  #keys(): string[] {
    return this.#store.keys().filter((key) => key.slice(0, prefix.length) === prefix);
  }

  #read(key: string): Read {
    const parsed = parseInt(key.slice(prefix.length), 36);
    const trace = Number.isSafeInteger(parsed) && parsed >= 1 && workKey(parsed) === key ? parsed : undefined;
    const stored = this.#store.read(key);
    const damage = (problem: EntryDamage, map?: CborMap): Read => ({
      damaged: { key, ...(trace !== undefined ? { trace } : {}), problem, ...(map ? { map } : {}), ...(stored ? { stored } : {}) },
    });
    if (!stored || trace === undefined) return damage('unreadable');
    let map;
    try {
      map = decode(stored, { maxBytes: maxEntryBytes });
    } catch (error) {
      return damage(error instanceof DecodeError && error.reason === 'truncated' ? 'truncated' : 'unreadable');
    }
    if (!isCborMap(map)) return damage('unreadable');
    const rest: CborMap = new Map(map);
    rest.delete(checkField);
    if (!checkMatches(stored, map.get(checkField))) return damage('tampered', rest);
    const kind = rest.get(1);
    if (typeof kind !== 'string' || kinds.indexOf(kind as WorkKind) < 0) return damage('unreadable', rest);
    const entry: WorkEntry = { trace, kind: kind as WorkKind };
    for (const [field, name] of fields) {
      const value = rest.get(field);
      if (value === undefined) continue;
      const wanted = name === 'bytes' ? isBytes(value) : name === 'currency' || name === 'item' || name === 'detail' ? typeof value === 'string' : typeof value === 'number';
      if (!wanted) return damage('unreadable', rest);
      (entry as unknown as Record<string, unknown>)[name] = value;
    }
    if (pendingKinds.indexOf(entry.kind) >= 0 && !entry.bytes) return damage('unreadable', rest);
    return { entry };
  }
}
