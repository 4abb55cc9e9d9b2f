/**
 * The authorizer's decision keys as this terminal follows them: the key it
 * enrolled with, then every rotation (src/authorization/key-rotation.ts) it
 * verified since, each signed by the key before it. The rotations are stored
 * as received, all of them in ONE storage value (`dkeys`: a CBOR array of the
 * signed messages), so a power cut at the write leaves the old chain or the new
 * one, never none, and re-verified at every boot like the enrollment: altered
 * storage is noticed, not trusted.
 *
 * Overlap: the previous key is still accepted until `previousKeyOverlap` after
 * the new key's `from`, so answers signed around the switch (in flight, or by
 * an authorizer process whose clock is a little behind) are not lost. Stored
 * answers the authorizer sends again later are re-signed with its current key
 * (docs/authorization.md, Decision-key rotation), so nothing older is needed.
 */
import { decode, encode, isBytes } from '../codec/cbor';
import type { Clock } from '../../hal/clock';
import type { KeyValueStore } from '../../hal/storage';
import type { AuthorizerKeys } from '../authorization/envelope';
import { rotatedKey, verifyKeyRotation, type DecisionKey, type RotationProblem } from '../authorization/key-rotation';
import type { PublicKey } from '../authorization/signer';
import { TerminalError } from './errors';

export const decisionKeysStorageKey = 'dkeys';

/** How long after a new key's `from` answers signed by the previous key are still accepted: 10 minutes. */
export const previousKeyOverlap = 10 * 60_000;

/** Rotations one answer may carry: far more than an operator makes in a terminal's life. */
export const maxRotations = 64;

/** What fetching the rotations came to. `not-newer`: nothing past the current generation (a replay changes nothing). */
export type KeyUpdate =
  | { ok: true; generation: number; applied: number }
  | { ok: false; reason: 'not-newer' | RotationProblem | 'storage' | string; detail: string };

/** Reads `[+ bstr]`, the shape the authorizer serves the rotations in. Throws on anything else. */
export function readRotationList(bytes: Uint8Array): Uint8Array[] {
  const value = decode(bytes, { maxBytes: maxRotations * 1024 });
  if (!Array.isArray(value) || value.length > maxRotations || !value.every((item) => isBytes(item))) {
    throw new Error(`not an array of at most ${maxRotations} signed rotations`);
  }
  return value as Uint8Array[];
}

export class DecisionKeys {
  readonly #store: KeyValueStore;
  readonly #clock: Clock;
  #current: DecisionKey;
  #previous: DecisionKey | undefined;
  /** The stored rotations after the enrolled key, in order. */
  #chain: Uint8Array[];

  private constructor(store: KeyValueStore, clock: Clock, enrolled: DecisionKey) {
    this.#store = store;
    this.#clock = clock;
    this.#current = enrolled;
    this.#chain = [];
  }

  /**
   * The keys from `enrolled` on, following the stored rotations. Throws TerminalError('storage') when the stored
   * chain is damaged or does not verify: the terminal then stops rather than trust whoever altered it.
   */
  static restore(store: KeyValueStore, clock: Clock, enrolled: DecisionKey): DecisionKeys {
    const keys = new DecisionKeys(store, clock, enrolled);
    const record = store.read(decisionKeysStorageKey);
    if (!record) return keys;
    let chain: Uint8Array[];
    try {
      chain = readRotationList(record);
    } catch (error) {
      throw new TerminalError('storage', `the stored decision keys are damaged: ${(error as Error).message}`);
    }
    for (const bytes of chain) {
      const verified = verifyKeyRotation(bytes, keys.#current);
      if (!verified.ok) throw new TerminalError('storage', `the stored decision keys do not verify (${verified.problem}: ${verified.detail})`);
      keys.#adopt(rotatedKey(verified.rotation));
    }
    keys.#chain = chain;
    return keys;
  }

  /** A terminal that enrolls anew starts from its enrollment's key: rotations stored for an older enrollment go. */
  static fresh(store: KeyValueStore, clock: Clock, enrolled: DecisionKey): DecisionKeys {
    store.delete(decisionKeysStorageKey);
    return new DecisionKeys(store, clock, enrolled);
  }

  get current(): DecisionKey {
    return this.#current;
  }

  /**
   * The keys an answer may be signed by now, the likelier signer first: the current key, and within the overlap
   * the previous one (first while the new key's `from` has not come: the authorizer still signs with the old).
   */
  accepted(): AuthorizerKeys {
    const previous = this.#previous;
    const now = this.#clock.now();
    if (!previous || now >= this.#current.from + previousKeyOverlap) return this.#current.key;
    return now < this.#current.from ? [previous.key, this.#current.key] : [this.#current.key, previous.key];
  }

  /**
   * Applies the rotations past the current generation, each verified against the key before it; older ones (a
   * replay) are skipped without a verification. The whole new chain is written in one write BEFORE the terminal
   * uses the new key; a rotation that does not verify stops the update and nothing of it is stored.
   */
  apply(rotations: Uint8Array[]): KeyUpdate {
    let current = this.#current;
    const adopted: { key: DecisionKey; bytes: Uint8Array }[] = [];
    for (const bytes of rotations) {
      const verified = verifyKeyRotation(bytes, current);
      if (!verified.ok && verified.problem === 'old') continue;
      if (!verified.ok) return { ok: false, reason: verified.problem, detail: verified.detail };
      current = rotatedKey(verified.rotation);
      adopted.push({ key: current, bytes });
    }
    if (adopted.length === 0) return { ok: false, reason: 'not-newer', detail: `no rotation past generation ${this.#current.generation}` };
    const chain = this.#chain.concat(adopted.map((a) => a.bytes));
    try {
      this.#store.write(decisionKeysStorageKey, encode(chain));
    } catch (error) {
      return { ok: false, reason: 'storage', detail: `the new decision key was not stored: ${(error as Error).message}` };
    }
    for (const a of adopted) this.#adopt(a.key);
    this.#chain = chain;
    return { ok: true, generation: current.generation, applied: adopted.length };
  }

  #adopt(key: DecisionKey): void {
    this.#previous = this.#current;
    this.#current = key;
  }
}

/** The enrolled key as the start of the chain. */
export function enrolledKey(key: PublicKey, generation: number, kid: Uint8Array | undefined, from: number): DecisionKey {
  return kid ? { key, generation, kid, from } : { key, generation, from };
}
