/**
 * Revoked credentials and frozen accounts, from the operator-signed deny list.
 * A terminal without a current deny list cannot know whether a credential was
 * revoked, so it says so instead of assuming it was not.
 */
import type { KeyValueStore } from '../../hal/storage';
import type { SignatureCheck } from '../crypto/verify';
import { hex } from './hex';
import { ListStore, type InstallResult } from './list-store';
import { openDenyList, type DenyListContent, type OperatorRoot } from './operator-list';
import type { OfflineLimits } from '../authorization/enrollment';

export const denyListStorageKey = 'qp.deny';

export type DenyCheck = { ok: true } | { ok: false; reason: 'revoked' | 'frozen' | 'revocation-unknown'; detail: string };

export class DenyList {
  private readonly store: ListStore<DenyListContent>;

  /** `verify`: checks the operator's signature (crypto/verify.ts's unless given: a board's accelerated one). */
  constructor(options: { root: OperatorRoot; storage?: KeyValueStore; verify?: SignatureCheck }) {
    const { root, verify } = options;
    this.store = new ListStore((bytes) => openDenyList(bytes, root, verify), options.storage, denyListStorageKey);
  }

  /** When the operator signed the installed list (NumericDate). */
  get issuedAt(): number | undefined {
    return this.store.current?.issuedAt;
  }

  /** The offline limits the installed list sets (undefined: the enrollment's apply). */
  get offlineLimits(): OfflineLimits | undefined {
    return this.store.current?.offlineLimits;
  }

  get version(): number | undefined {
    return this.store.current?.version;
  }

  install(bytes: Uint8Array, now: number): InstallResult {
    return this.store.install(bytes, now);
  }

  restore(): InstallResult | undefined {
    return this.store.restore();
  }

  check(issuerKid: Uint8Array, credentialId: Uint8Array, account: Uint8Array, now: number): DenyCheck {
    const list = this.store.current;
    if (!list) return { ok: false, reason: 'revocation-unknown', detail: 'no deny list installed' };
    if (list.expiresAt <= now) return { ok: false, reason: 'revocation-unknown', detail: `deny list version ${list.version} expired at ${list.expiresAt}` };
    if (list.revokedCredentials.has(issuerKid, credentialId)) {
      return { ok: false, reason: 'revoked', detail: `credential ${hex(credentialId)} is revoked (deny list version ${list.version})` };
    }
    if (list.frozenAccounts.has(issuerKid, account)) {
      return { ok: false, reason: 'frozen', detail: `account ${hex(account)} is frozen (deny list version ${list.version})` };
    }
    return { ok: true };
  }
}
