/**
 * Cryptography a board does faster than the core's portable pure-JS path
 * (src/crypto/verify.ts, over noble): native code (Moddable's `modules/crypt`,
 * boards/esp32/native-crypto.js) or a peripheral (the ECDSA engine of an
 * ESP32-C6/H2). Every part is optional; what a board leaves out stays in JS.
 *
 * Only the arithmetic crosses this interface. Before it calls in, the core has
 * made every check it makes without an accelerator: the signature is 64 bytes
 * r||s with 0 < r < n and 0 < s <= n/2 (low-S), the key a SEC1 point that
 * decodes (decompressed when compressed) to an affine point on P-256 that is
 * not the identity; so an accelerator cannot accept an encoding the core
 * refuses, and the pure-JS path stays the test oracle (the Moddable lane runs
 * the Wycheproof vectors through both: docs/moddable.md). Signing is the
 * keystore's (hal/keystore.ts: keys used by name, so a hardware key can sign).
 */

export interface CryptoAccelerator {
  /** SHA-256 of `data`: 32 bytes. */
  sha256?(data: Uint8Array): Uint8Array;
  /**
   * The ECDSA P-256 verification equation (FIPS 186-5 6.4.2, steps 4-7) on
   * inputs the core has checked (above): `digest` is SHA-256 of the message
   * (32 bytes), e its big-endian integer, Q = (qx, qy). True exactly when
   * R = (e·s⁻¹ mod n)·G + (r·s⁻¹ mod n)·Q is not the point at infinity and
   * R.x mod n = r. A throw counts as false.
   */
  es256?(digest: Uint8Array, r: bigint, s: bigint, qx: bigint, qy: bigint): boolean;
}
