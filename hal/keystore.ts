/**
 * Keystore: keys are created and used by name; the private key never crosses
 * this interface, so a hardware key (ESP32-H2 ECDSA peripheral, a secure
 * element) can implement it.
 */
export type SignatureAlgorithm = 'ES256' | 'EdDSA';

export interface PublicKeyInfo {
  alg: SignatureAlgorithm;
  /** ES256: SEC1 uncompressed point (65 bytes). EdDSA: 32 bytes. */
  publicKey: Uint8Array;
}

export interface Keystore {
  has(name: string): boolean;
  /** Creates a key; throws HalError('key-exists') if the name is taken. */
  create(name: string, alg: SignatureAlgorithm): PublicKeyInfo;
  publicKey(name: string): PublicKeyInfo | undefined;
  /**
   * Signs `message` (the whole message: ES256 hashes it with SHA-256 itself).
   * ES256 returns raw r||s (64 bytes, low-s), EdDSA 64 bytes.
   * Throws HalError('no-key') for an unknown name.
   */
  /**
   * `use`: the 8-byte big-endian trace number the signature goes with. When `presign` prepared a signature of
   * `name` for exactly this use, it is spent on this message (a few M XS instructions instead of a scalar
   * multiplication); any other prepared signature of `name` is discarded unused. Without `use`, or for a keystore
   * without `presign`, the signature is made in full. Either way the result is the same contract's.
   */
  sign(name: string, message: Uint8Array, use?: Uint8Array): Uint8Array;
  delete(name: string): void;
  /**
   * Optional (the software keystore, ES256 keys): precomputes the part of ONE future signature by `name` that does
   * not depend on the message (the nonce k and R = k·G), in idle time, for the signature that will carry trace
   * number `use` (8 bytes big-endian). The nonce is derived from the private key, fresh entropy and `use`, kept
   * in memory only (never persisted), spent by at most one `sign(name, message, use)` and discarded by any other
   * signature, a `delete` or a new `presign` (docs/security.md, "Presigned nonces"). False when nothing was
   * prepared (an EdDSA key: its nonce depends on the message). Throws HalError('no-key') for an unknown name.
   */
  presign?(name: string, use: Uint8Array): boolean;
}
