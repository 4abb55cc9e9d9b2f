/**
 * The authorizer's own signing keys: each in a file of its own under
 * <dataDir>/keys/ (the directory 0700, the file 0600, written once with
 * O_EXCL), created on first start from node:crypto randomness and reused
 * afterwards so enrolled terminals keep trusting the same key across
 * restarts. Never in the database: a copy of the database (a backup, a
 * support dump) carries no key. A database from before this rule has its
 * keys moved out to the files on open, then erased from it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, linkSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import type { PublicKey, Signer } from '../../src/authorization/signer';
import { serverEs256Sign } from './crypto';
import type { Store } from './store/ports';

export interface ServerKey extends Signer {
  publicKey: PublicKey;
}

export const keyDirectoryName = 'keys';

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

function newSecret(): Uint8Array {
  return p256.utils.randomSecretKey(new Uint8Array(randomBytes(48)));
}

/** Where key `name` lives; undefined for a throwaway authorizer (':memory:'), whose keys live as long as the process. */
export function keyPath(dataDir: string, name: string): string | undefined {
  return dataDir === ':memory:' ? undefined : join(dataDir, keyDirectoryName, name);
}

/**
 * The ES256 key `name`: read from its file, else moved out of the database
 * (where older versions kept it), else created. The file is refused when
 * anyone but its owner may read or write it.
 */
export async function fileKey(store: Store, dataDir: string, name: string): Promise<ServerKey> {
  const path = keyPath(dataDir, name);
  if (!path) return serverEs256Key(newSecret());
  let secret: Uint8Array | undefined;
  try {
    const mode = statSync(path).mode & 0o777;
    if (mode & 0o077) throw new Error(`key file ${path} is readable or writable by others (mode ${mode.toString(8)}): chmod 600 it`);
    secret = new Uint8Array(readFileSync(path));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const legacy = await store.transaction((tx) => tx.settings.get(name));
  if (!secret) {
    secret = legacy ?? newSecret();
    const dir = join(dataDir, keyDirectoryName);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    secret = publishOnce(path, secret);
  }
  if (secret.length !== 32) throw new Error(`key file ${path} does not hold a 32-byte P-256 secret`);
  if (legacy) await store.transaction((tx) => tx.settings.remove(name));
  return serverEs256Key(secret);
}

/**
 * Writes the key file whole under a name of this process's, then links it in
 * place: a link never replaces a file, so of two processes creating the key
 * at once (authorizers sharing a data directory and a PostgreSQL database)
 * one wins and the other reads the winner's key, never a half-written file.
 */
function publishOnce(path: string, secret: Uint8Array): Uint8Array {
  const draft = `${path}.${process.pid}.new`;
  writeFileSync(draft, secret, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(draft, path);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return new Uint8Array(readFileSync(path));
  } finally {
    unlinkSync(draft);
  }
}
