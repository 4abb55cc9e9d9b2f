/**
 * A set of prepared (precomputed) public keys and `verify` through it: a key
 * in the set is checked with its table (prepared-key.ts has what each saves), any
 * other key with the plain `verify`. The answers are the same either way
 * (test/node/prepared-key.test.ts).
 *
 * An instance, not a module-level cache: whoever owns the keys (a terminal's
 * trust store) owns their tables, so two terminals in one process share
 * nothing, and nothing is written into a module's state at run time (which a
 * preloaded build keeps in flash, read only: docs/moddable.md).
 *
 * With a board's accelerator (hal/crypto.ts) every key is verified through it
 * (`verifyWith`), and an ES256 key is not prepared when the board does the
 * ES256 equation: native arithmetic is faster than the table (docs/moddable.md).
 */
import { prepareEs256, type PreparedKey } from './prepared-key';
import { prepareEd25519 } from './ed25519';
import type { CryptoAccelerator } from '../../hal/crypto';
import { isPublicKey, verifyWith, type SignatureCheck, type VerifyAlgorithm } from './verify';

/** Most keys kept prepared by default; the oldest is dropped beyond it (each holds a table of 520 points). */
export const maxPreparedKeys = 8;

function nameOf(alg: string, publicKey: Uint8Array): string {
  let name = alg + ':';
  for (let i = 0; i < publicKey.length; i++) name += String.fromCharCode(publicKey[i]);
  return name;
}

export class PreparedKeys {
  readonly #keys = new Map<string, PreparedKey>();
  readonly #capacity: number;
  readonly #verify: SignatureCheck;
  readonly #nativeEs256: boolean;
  readonly #windows: boolean;

  /**
   * `tables`: 'small' (the default: cheap to make and keep, for many keys) or 'windows' (ES256 keys get the large
   * fixed-window table: ~124 M XS instructions and 520 points each, a verification 13.7 M instead of 30.5 M; for
   * the one or two keys checked on every payment).
   */
  constructor(capacity = maxPreparedKeys, accelerator?: CryptoAccelerator, tables: 'small' | 'windows' = 'small') {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError('a prepared-key set holds at least one key');
    this.#capacity = capacity;
    this.#verify = verifyWith(accelerator);
    this.#nativeEs256 = accelerator?.es256 !== undefined;
    this.#windows = tables === 'windows';
  }

  /**
   * Prepares `publicKey`, at a one-off cost of a few verifications. For keys
   * checked often, such as trusted issuers' keys. False (nothing prepared) for
   * an invalid key. An ES256 key is left to the accelerator when there is one
   * (true, nothing prepared).
   */
  prepare(alg: VerifyAlgorithm, publicKey: Uint8Array): boolean {
    if (!(publicKey instanceof Uint8Array) || (alg !== 'ES256' && alg !== 'EdDSA')) return false;
    if (alg === 'ES256' && this.#nativeEs256) return isPublicKey(alg, publicKey);
    const name = nameOf(alg, publicKey);
    if (this.#keys.has(name)) return true;
    const key = alg === 'ES256' ? prepareEs256(publicKey, this.#windows) : prepareEd25519(publicKey);
    if (!key) return false;
    this.#keys.set(name, key);
    while (this.#keys.size > this.#capacity) this.#keys.delete(this.#keys.keys().next().value as string);
    return true;
  }

  has(alg: VerifyAlgorithm, publicKey: Uint8Array): boolean {
    return publicKey instanceof Uint8Array && this.#keys.has(nameOf(alg, publicKey));
  }

  get size(): number {
    return this.#keys.size;
  }

  /** Drops every prepared key (their tables become garbage). */
  clear(): void {
    this.#keys.clear();
  }

  /** `verify` (verify.ts, with the accelerator if any), with the key's table when it is prepared; never throws. */
  verify(alg: VerifyAlgorithm | string, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
    if (this.#keys.size > 0 && publicKey instanceof Uint8Array && message instanceof Uint8Array && signature instanceof Uint8Array && signature.length === 64) {
      const key = this.#keys.get(nameOf(alg, publicKey));
      if (key) {
        try {
          return key.verify(message, signature);
        } catch {
          return false;
        }
      }
    }
    return this.#verify(alg, publicKey, message, signature);
  }
}
