/**
 * The authorizer's own signing keys, kept in its store (settings): created on
 * first start from node:crypto randomness, reused afterwards so enrolled
 * terminals keep trusting the same key across restarts.
 */
import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import type { PublicKey, Signer } from '../../src/authorization/signer';
import { serverEs256Sign } from './crypto';
import type { Store } from './store/ports';

export interface ServerKey extends Signer {
  publicKey: PublicKey;
}

/** An ES256 key from its 32-byte secret, signing deterministically (RFC 6979, noble): what the documented test vectors use. */
export function es256Key(secret: Uint8Array): ServerKey {
  return {
    alg: 'ES256',
    publicKey: { alg: 'ES256', publicKey: p256.getPublicKey(secret, false) },
    sign: (message) => p256.sign(message, secret, { prehash: true, lowS: true, format: 'compact' }),
  };
}

/** The same key signing on OpenSSL (low-S, ./crypto.ts): the running authorizer's, ~10 times cheaper per signature. */
export function serverEs256Key(secret: Uint8Array): ServerKey {
  return { ...es256Key(secret), sign: serverEs256Sign(secret) };
}

/** The ES256 key stored under `name`, created if absent. */
export function storedKey(store: Store, name: string): Promise<ServerKey> {
  return store.transaction(async (tx) => {
    let secret = await tx.settings.get(name);
    if (!secret) {
      secret = p256.utils.randomSecretKey(new Uint8Array(randomBytes(48)));
      await tx.settings.put(name, secret);
    }
    return serverEs256Key(secret);
  });
}
