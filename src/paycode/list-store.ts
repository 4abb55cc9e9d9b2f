/**
 * Holds the current operator document of one kind (trust list or deny list):
 * installs only a correctly signed, unexpired document with a higher version
 * than the current one, persists its signed bytes through the storage HAL and
 * restores them after a reboot (re-verifying the signature: storage is not
 * trusted to be intact, only to be there).
 */
import type { KeyValueStore } from '../../hal/storage';
import type { ListHeader, ListRejection } from './operator-list';

export type InstallResult = { ok: true; version: number } | ListRejection;

type Opener<T> = (bytes: Uint8Array) => { ok: true; content: T } | ListRejection;

export class ListStore<T extends ListHeader> {
  private content: T | undefined;

  constructor(
    private readonly open: Opener<T>,
    private readonly storage: KeyValueStore | undefined,
    private readonly storageKey: string,
  ) {}

  get current(): T | undefined {
    return this.content;
  }

  /** Verifies and installs `bytes`; `now` is NumericDate seconds. */
  install(bytes: Uint8Array, now: number): InstallResult {
    const opened = this.open(bytes);
    if (!opened.ok) return opened;
    const next = opened.content;
    if (next.expiresAt <= now) return { ok: false, reason: 'expired', detail: `version ${next.version} expired at ${next.expiresAt}` };
    if (this.content && next.version <= this.content.version) {
      return { ok: false, reason: 'not-newer', detail: `version ${next.version} is not above the installed ${this.content.version}` };
    }
    if (this.storage) {
      try {
        this.storage.write(this.storageKey, bytes);
      } catch (error) {
        return { ok: false, reason: 'storage', detail: `could not persist: ${(error as Error).message}` };
      }
    }
    this.content = next;
    return { ok: true, version: next.version };
  }

  /**
   * Loads the persisted document, if any. An expired one is still loaded: it
   * keeps the version floor (no rollback after a reboot) while the verifier
   * refuses to rely on it.
   */
  restore(): InstallResult | undefined {
    if (!this.storage) return undefined;
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.storage.read(this.storageKey);
    } catch (error) {
      return { ok: false, reason: 'storage', detail: `could not read: ${(error as Error).message}` };
    }
    if (!bytes) return undefined;
    const opened = this.open(bytes);
    if (!opened.ok) return opened;
    if (!this.content || opened.content.version > this.content.version) this.content = opened.content;
    return { ok: true, version: opened.content.version };
  }
}
