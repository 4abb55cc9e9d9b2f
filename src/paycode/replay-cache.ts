/**
 * Codes already accepted, so a copy is refused. Keyed on the credential
 * (issuer kid + credential id) and the code's `cti`, never on signature
 * bytes. An entry is kept until its code could no longer pass the expiry
 * check anyway, and only then forgotten; the cache never drops a live entry
 * to make room. Only a code that passed every other check, signatures
 * included, takes a slot (the verifier calls `add` last), so nobody without a
 * genuine credential and its device key can take one.
 *
 * Bounded by construction, not by refusing everyone once full. With a
 * `window` W (the longest an entry can live: the verifier's longest code
 * lifetime L plus twice its clock skew S) and a `clock`, the cache admits
 * codes freely while fewer than half its C slots hold live entries, and
 * beyond that at most one new code per
 *     I = ceil(2 * W * 1000 / C) ms
 * so at most C entries are ever live at once (C/2 admitted freely, and at
 * most W / I = C/2 more during any W seconds): the slots cannot run out.
 * Under that pressure a code is refused for traffic not its own only when it
 * comes within I ms of the last accepted code (`rate-limited`: show it again
 * a moment later), and a credential already holding `perCredential` live
 * codes is refused, so one customer (or one stolen phone) cannot keep the
 * terminal to themselves. With the terminal's defaults, C = 256 and
 * W = 120 + 2 * 30 = 180 s: nothing is refused below 128 payments in three
 * minutes, and beyond it one code per 1407 ms is still accepted.
 * Memory: C entries, each a ~30-character key in RAM and one NVS slot.
 *
 * Persistence: one storage key per slot (`qp.r0` ... `qp.r<capacity-1>`), so
 * accepting a code costs one small atomic NVS write, not a rewrite of the
 * whole cache. A slot whose entry has expired is simply overwritten later.
 */
import type { Clock } from '../../hal/clock';
import type { KeyValueStore } from '../../hal/storage';
import { decode, encode } from '../codec/cbor';
import { hex } from './hex';

export const replaySlotPrefix = 'qp.r';
export const defaultReplayCapacity = 256;

interface Entry {
  slot: number;
  forgetAfter: number;
  credential: string;
}

export type AddResult = { ok: true } | { ok: false; reason: 'replayed' | 'rate-limited' | 'replay-unavailable'; detail: string };

export interface ReplayCacheOptions {
  storage?: KeyValueStore;
  /** Slots, C. Default 256. */
  capacity?: number;
  /** With `clock`: W, the longest an entry can live, seconds; turns on the bound (one code per ceil(2 W * 1000 / C) ms above C/2 live). */
  windowSeconds?: number;
  /** The monotonic clock the admission rate is measured on. */
  clock?: Clock;
  /** Most live entries per credential once half the slots are live (default: no limit). */
  perCredential?: number;
}

export class ReplayCache {
  private readonly entries = new Map<string, Entry>();
  private readonly slots: (string | undefined)[];
  private readonly storage: KeyValueStore | undefined;
  private readonly perCredentialCount = new Map<string, number>();
  private readonly perCredentialLimit: number;
  private readonly clock: Clock | undefined;
  /** W seconds, when the admission rate is on. */
  readonly windowSeconds: number | undefined;
  /** I ms between two admitted codes once half the slots are live (0: no admission rate). */
  readonly minIntervalMs: number;
  private lastAdmitted: number | undefined;

  constructor(options: ReplayCacheOptions = {}) {
    const capacity = options.capacity ?? defaultReplayCapacity;
    if (!(capacity >= 1 && capacity <= 10000)) throw new RangeError('replay cache capacity must be 1 to 10000');
    this.slots = [];
    for (let i = 0; i < capacity; i++) this.slots.push(undefined); // no holes: indexOf(undefined) skips holes
    this.storage = options.storage;
    const perCredential = options.perCredential ?? Infinity;
    if (!(perCredential >= 1)) throw new RangeError('perCredential must be 1 or more');
    this.perCredentialLimit = perCredential;
    const window = options.windowSeconds;
    if (window !== undefined) {
      if (!(window > 0 && window < Infinity) || !options.clock) throw new RangeError('windowSeconds needs a positive number and a clock');
      this.windowSeconds = window;
      this.clock = options.clock;
      this.minIntervalMs = Math.ceil((2 * window * 1000) / capacity);
    } else {
      this.minIntervalMs = 0;
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get capacity(): number {
    return this.slots.length;
  }

  private static key(issuerKid: Uint8Array, credentialId: Uint8Array, codeId: Uint8Array): string {
    return `${ReplayCache.credentialKey(issuerKid, credentialId)}/${hex(codeId)}`;
  }

  private static credentialKey(issuerKid: Uint8Array, credentialId: Uint8Array): string {
    return `${hex(issuerKid)}/${hex(credentialId)}`;
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
      if (entry.forgetAfter > now) return;
      this.forget(key, entry);
      forgotten++;
    });
    return forgotten;
  }

  private forget(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.slots[entry.slot] = undefined;
    const count = (this.perCredentialCount.get(entry.credential) ?? 1) - 1;
    if (count > 0) this.perCredentialCount.set(entry.credential, count);
    else this.perCredentialCount.delete(entry.credential);
  }

  private remember(key: string, entry: Entry): void {
    this.slots[entry.slot] = key;
    this.entries.set(key, entry);
    this.perCredentialCount.set(entry.credential, (this.perCredentialCount.get(entry.credential) ?? 0) + 1);
  }

  /**
   * Whether a new code of this credential would be admitted now (under
   * pressure, the two rate limits), without taking a slot: cheap, so the verifier asks before it
   * spends a signature verification. Depends only on codes already accepted.
   */
  admission(issuerKid: Uint8Array, credentialId: Uint8Array, now: number): AddResult {
    const half = Math.ceil(this.slots.length / 2);
    if (this.entries.size >= half) this.purge(now);
    if (this.entries.size < half) return { ok: true }; // no pressure: nothing is refused
    if (this.clock && this.lastAdmitted !== undefined) {
      const elapsed = this.clock.monotonic() - this.lastAdmitted;
      if (elapsed >= 0 && elapsed < this.minIntervalMs) {
        return { ok: false, reason: 'rate-limited', detail: `${this.entries.size} live codes and one accepted ${Math.round(elapsed)} ms ago: one per ${this.minIntervalMs} ms` };
      }
    }
    if ((this.perCredentialCount.get(ReplayCache.credentialKey(issuerKid, credentialId)) ?? 0) >= this.perCredentialLimit) {
      return { ok: false, reason: 'rate-limited', detail: `credential ${hex(credentialId)} already has ${this.perCredentialLimit} live codes here` };
    }
    return { ok: true };
  }

  /**
   * Remembers a code until `forgetAfter` (seconds), persisting it first. Fails
   * (and remembers nothing) when a rate limit says no, when every slot holds a
   * live entry (impossible with a window, see above), or the write fails.
   */
  add(issuerKid: Uint8Array, credentialId: Uint8Array, codeId: Uint8Array, forgetAfter: number, now: number): AddResult {
    const key = ReplayCache.key(issuerKid, credentialId, codeId);
    if (this.entries.has(key)) this.purge(now);
    if (this.entries.has(key)) return { ok: false, reason: 'replayed', detail: 'code is already in the replay cache' };
    if (this.windowSeconds !== undefined && forgetAfter - now > this.windowSeconds) {
      return { ok: false, reason: 'replay-unavailable', detail: `entry would live ${forgetAfter - now} s, beyond the cache's ${this.windowSeconds} s window` };
    }
    const admitted = this.admission(issuerKid, credentialId, now);
    if (!admitted.ok) return admitted;
    let slot = this.slots.indexOf(undefined);
    if (slot < 0 && this.purge(now) > 0) slot = this.slots.indexOf(undefined);
    if (slot < 0) return { ok: false, reason: 'replay-unavailable', detail: `replay cache full: ${this.slots.length} live entries` };
    if (this.storage) {
      try {
        this.storage.write(replaySlotPrefix + slot, encode([issuerKid, credentialId, codeId, forgetAfter]));
      } catch (error) {
        return { ok: false, reason: 'replay-unavailable', detail: `replay cache not persisted: ${(error as Error).message}` };
      }
    }
    this.remember(key, { slot, forgetAfter, credential: ReplayCache.credentialKey(issuerKid, credentialId) });
    if (this.clock) this.lastAdmitted = this.clock.monotonic();
    return { ok: true };
  }

  /**
   * Reloads the persisted entries (after a reboot). Entries already expired
   * at `now` and unreadable slots are left free. Returns how many were restored.
   * The reboot counts as an admission for the rate: the bound holds across it.
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
        if (existing) this.forget(key, existing);
        this.remember(key, { slot, forgetAfter, credential: ReplayCache.credentialKey(kid, credentialId) });
        if (!existing) restored++;
      } catch {
        // An unreadable slot is free: a torn write cannot happen (writes are atomic), so it is not ours.
      }
    }
    if (restored > 0 && this.clock) this.lastAdmitted = this.clock.monotonic();
    return restored;
  }
}
