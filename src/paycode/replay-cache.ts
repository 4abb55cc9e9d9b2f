/**
 * Codes already accepted, so a copy is refused. Keyed on the credential
 * (issuer kid + credential id) and the code's `cti`, never on signature
 * bytes (an ECDSA signature can be re-randomised by anyone). An entry is kept
 * until its code could no longer pass the expiry check anyway, and only then
 * forgotten; the cache never drops a live entry to make room (it refuses the
 * new code instead, see `add`).
 *
 * Persistence: one storage key per slot (`qp.r0` ... `qp.r<capacity-1>`), so
 * accepting a code costs one small atomic NVS write, not a rewrite of the
 * whole cache. A slot whose entry has expired is simply overwritten later.
 */
import type { KeyValueStore } from '../../hal/storage';
import { decode, encode } from '../codec/cbor';
import { hex } from './hex';

export const replaySlotPrefix = 'qp.r';
export const defaultReplayCapacity = 256;

interface Entry {
  slot: number;
  forgetAfter: number;
}

export type AddResult = { ok: true } | { ok: false; detail: string };

export class ReplayCache {
  private readonly entries = new Map<string, Entry>();
  private readonly slots: (string | undefined)[];
  private readonly storage: KeyValueStore | undefined;

  constructor(options: { storage?: KeyValueStore; capacity?: number } = {}) {
    const capacity = options.capacity ?? defaultReplayCapacity;
    if (!(capacity >= 1 && capacity <= 10000)) throw new RangeError('replay cache capacity must be 1 to 10000');
    this.slots = [];
    for (let i = 0; i < capacity; i++) this.slots.push(undefined); // no holes: indexOf(undefined) skips holes
    this.storage = options.storage;
  }

  get size(): number {
    return this.entries.size;
  }

  get capacity(): number {
    return this.slots.length;
  }

  private static key(issuerKid: Uint8Array, credentialId: Uint8Array, codeId: Uint8Array): string {
    return `${hex(issuerKid)}/${hex(credentialId)}/${hex(codeId)}`;
  }

  /** True if this code was accepted and is still remembered at time `now` (seconds). */
  has(issuerKid: Uint8Array, credentialId: Uint8Array, codeId: Uint8Array, now: number): boolean {
    const entry = this.entries.get(ReplayCache.key(issuerKid, credentialId, codeId));
    return entry !== undefined && entry.forgetAfter > now;
  }

  /** Forgets every entry whose time has passed; returns how many. */
  purge(now: number): number {
    let forgotten = 0;
    this.entries.forEach((entry, key) => {
      if (entry.forgetAfter <= now) {
        this.entries.delete(key);
        this.slots[entry.slot] = undefined;
        forgotten++;
      }
    });
    return forgotten;
  }

  /**
   * Remembers a code until `forgetAfter` (seconds), persisting it first. Fails
   * (and remembers nothing) when every slot holds a live entry or the write fails.
   */
  add(issuerKid: Uint8Array, credentialId: Uint8Array, codeId: Uint8Array, forgetAfter: number, now: number): AddResult {
    const key = ReplayCache.key(issuerKid, credentialId, codeId);
    if (this.entries.has(key)) this.purge(now);
    if (this.entries.has(key)) return { ok: false, detail: 'code is already in the replay cache' };
    let slot = this.slots.indexOf(undefined);
    if (slot < 0 && this.purge(now) > 0) slot = this.slots.indexOf(undefined);
    if (slot < 0) return { ok: false, detail: `replay cache full: ${this.slots.length} live entries` };
    if (this.storage) {
      try {
        this.storage.write(replaySlotPrefix + slot, encode([issuerKid, credentialId, codeId, forgetAfter]));
      } catch (error) {
        return { ok: false, detail: `replay cache not persisted: ${(error as Error).message}` };
      }
    }
    this.slots[slot] = key;
    this.entries.set(key, { slot, forgetAfter });
    return { ok: true };
  }

  /**
   * Reloads the persisted entries (after a reboot). Entries already expired
   * at `now` and unreadable slots are left free. Returns how many were restored.
   */
  restore(now: number): number {
    if (!this.storage) return 0;
    let restored = 0;
    let keys: string[];
    try {
      keys = this.storage.keys();
    } catch {
      return 0;
    }
    for (const name of keys) {
      if (name.slice(0, replaySlotPrefix.length) !== replaySlotPrefix) continue;
      const digits = name.slice(replaySlotPrefix.length);
      if (!/^(0|[1-9][0-9]*)$/.test(digits)) continue;
      const slot = Number(digits);
      if (slot >= this.slots.length || this.slots[slot] !== undefined) continue;
      try {
        const bytes = this.storage.read(name);
        const value = bytes ? decode(bytes, { maxBytes: 128, maxDepth: 1 }) : undefined;
        if (!Array.isArray(value) || value.length !== 4) continue;
        const [kid, credentialId, codeId, forgetAfter] = value;
        if (!(kid instanceof Uint8Array) || !(credentialId instanceof Uint8Array) || !(codeId instanceof Uint8Array)) continue;
        if (typeof forgetAfter !== 'number' || forgetAfter <= now) continue;
        const key = ReplayCache.key(kid, credentialId, codeId);
        const existing = this.entries.get(key);
        if (existing && existing.forgetAfter >= forgetAfter) continue;
        if (existing) this.slots[existing.slot] = undefined;
        this.slots[slot] = key;
        this.entries.set(key, { slot, forgetAfter });
        if (!existing) restored++;
      } catch {
        // An unreadable slot is free: a torn write cannot happen (writes are atomic), so it is not ours.
      }
    }
    return restored;
  }
}
