/**
 * The issuer keys a terminal trusts, from the operator-signed trust list.
 */
import type { CryptoAccelerator } from '../../hal/crypto';
import type { KeyValueStore } from '../../hal/storage';
import type { PublicKey } from '../cose/key';
import { PreparedKeys } from '../crypto/prepared-keys';
import { verifyWith, type SignatureCheck } from '../crypto/verify';
import { hex } from './hex';
import { ListStore, type InstallResult } from './list-store';
import { openTrustList, type OperatorRoot, type TrustListContent } from './operator-list';

export const trustListStorageKey = 'qp.trust';

/** `current: false`: no trust list is installed, or it has expired (the issuer may be fine; the terminal cannot tell). */
export type IssuerLookup = { ok: true; key: PublicKey } | { ok: false; current: boolean; detail: string };

export class TrustStore {
  private readonly store: ListStore<TrustListContent>;

  private readonly prepareKeys: boolean;

  /** This store's issuer keys, prepared: its own, so nothing is shared between terminals or kept in module state. */
  private readonly prepared: PreparedKeys;

  /** `verify` with the board's accelerator (hal/crypto.ts) when given: the check for every signature this store's terminal verifies. */
  readonly verifySignature: SignatureCheck;
  /** The board's accelerator this store verifies with, if any (the verifier prepares device keys with it too). */
  readonly crypto: CryptoAccelerator | undefined;

  /**
   * `prepareIssuerKeys` (default true): precompute each trusted issuer key when a list is
   * installed or restored (crypto/prepared-key.ts), so every first-seen credential's issuer
   * signature costs ~6 M fewer XS instructions (ES256) for ~1 M once per key. `crypto`: the board's
   * accelerator (hal/crypto.ts), for the list's signature and every issuer key.
   */
  constructor(options: { root: OperatorRoot; storage?: KeyValueStore; prepareIssuerKeys?: boolean; crypto?: CryptoAccelerator }) {
    const root = options.root;
    const check = verifyWith(options.crypto);
    this.verifySignature = check;
    this.crypto = options.crypto;
    this.prepared = new PreparedKeys(undefined, options.crypto);
    this.store = new ListStore((bytes) => openTrustList(bytes, root, check), options.storage, trustListStorageKey);
    this.prepareKeys = options.prepareIssuerKeys ?? true;
  }

  private prepareIssuers(): void {
    const list = this.store.current;
    if (!this.prepareKeys || !list) return;
    list.issuers.forEach((key) => {
      this.prepared.prepare(key.alg, key.publicKey);
    });
  }

  get version(): number | undefined {
    return this.store.current?.version;
  }

  get expiresAt(): number | undefined {
    return this.store.current?.expiresAt;
  }

  /** When the operator signed the installed list (NumericDate): how fresh the terminal's knowledge is. */
  get issuedAt(): number | undefined {
    return this.store.current?.issuedAt;
  }

  install(bytes: Uint8Array, now: number): InstallResult {
    const result = this.store.install(bytes, now);
    if (result.ok) this.prepareIssuers();
    return result;
  }

  restore(): InstallResult | undefined {
    const result = this.store.restore();
    if (result?.ok) this.prepareIssuers();
    return result;
  }

  /** Verifies a signature by a trusted issuer key (`issuer()`), with its precomputed table when prepared. */
  verifyIssuerSignature(key: PublicKey, message: Uint8Array, signature: Uint8Array): boolean {
    return this.prepared.verify(key.alg, key.publicKey, message, signature);
  }

  /** The trusted key with this kid, at time `now` (seconds). */
  issuer(kid: Uint8Array, now: number): IssuerLookup {
    const list = this.store.current;
    if (!list) return { ok: false, current: false, detail: 'no trust list installed' };
    if (list.expiresAt <= now) return { ok: false, current: false, detail: `trust list version ${list.version} expired at ${list.expiresAt}` };
    const key = list.issuers.get(hex(kid));
    if (!key) return { ok: false, current: true, detail: `issuer kid ${hex(kid)} is not in trust list version ${list.version}` };
    return { ok: true, key };
  }
}
