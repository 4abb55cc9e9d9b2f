/**
 * Verification with a precomputed public key, for the few keys a terminal
 * checks over and over (the wallet issuers' keys from the trust list, the
 * authorizer's decision key). A verifier that cannot know Q will come back
 * decodes it and makes a small table of it every time; for a known Q:
 *
 * - ES256: p256.ts's `prepareP256`, Q decoded once with a table of 16 odd
 *   multiples (~1 M XS instructions once, 16 points of memory): 36.6 M to
 *   30.5 M a verification; or `prepareP256Windows`, fixed 4-bit windows
 *   (~124 M once, 520 points): 13.7 M, no doubling;
 * - Ed25519: ed25519.ts's `prepareEd25519` (PreparedKeys calls it directly), A decoded and checked once with a
 *   table of 16 odd multiples: the verification skips a square root, the
 *   small-order check and the table.
 *
 * Only keys that are worth it are prepared, explicitly (`PreparedKeys` in
 * prepared-keys.ts). Differential property tests (test/node/prepared-key.test.ts,
 * test/node/p256.test.ts, test/node/ed25519.test.ts) check both agree with noble.
 */
import { sha256 } from './sha256';
import { prepareP256, prepareP256Windows } from './p256';

export interface PreparedKey {
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * ECDSA P-256 / SHA-256 (FIPS 186-5 6.4.2); low-S only, as in verify(). Undefined for an invalid key. `windows`:
 * the large table (p256.ts `prepareP256Windows`) for a key checked on every payment, else the small one.
 */
export function prepareEs256(publicKey: Uint8Array, windows = false): PreparedKey | undefined {
  const key = windows ? prepareP256Windows(publicKey) : prepareP256(publicKey);
  return key && { verify: (message, signature) => key.verify(sha256(message), signature) };
}
