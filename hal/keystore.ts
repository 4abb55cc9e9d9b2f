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
  sign(name: string, message: Uint8Array): Uint8Array;
  delete(name: string): void;
}
