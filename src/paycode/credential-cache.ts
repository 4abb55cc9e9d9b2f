/**
 * Credentials whose issuer signature has been verified, so the next code from
 * the same phone costs one signature check instead of two. Keyed on the
 * credential's exact bytes (not a hash, not an id: a different credential with
 * the same id is a different entry), bounded, least recently used first out.
 * An entry is only valid for the trust list version it was verified under;
 * time, revocation and everything else are checked on every code.
 */
export class CredentialCache {
  private readonly entries = new Map<string, number>();

  constructor(readonly capacity = 32) {}

  get size(): number {
    return this.entries.size;
  }

  private static key(encoded: Uint8Array): string {
    let key = '';
    for (let i = 0; i < encoded.length; i++) key += String.fromCharCode(encoded[i]);
    return key;
  }

  /** True if this exact credential was verified under this trust list version. */
  has(encoded: Uint8Array, trustVersion: number): boolean {
    const key = CredentialCache.key(encoded);
    const version = this.entries.get(key);
    if (version === undefined) return false;
    if (version !== trustVersion) {
      this.entries.delete(key);
      return false;
    }
    this.entries.delete(key); // re-insert: most recently used last
    this.entries.set(key, version);
    return true;
  }

  add(encoded: Uint8Array, trustVersion: number): void {
    const key = CredentialCache.key(encoded);
    this.entries.delete(key);
    this.entries.set(key, trustVersion);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
