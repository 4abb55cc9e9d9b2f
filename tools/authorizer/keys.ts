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
import { sameBytes } from '../../src/authorization/bytes';
import { ContentType, maxMessageBytes, seal, type ContentTypeName } from '../../src/authorization/envelope';
import { asMap } from '../../src/authorization/fields';
import { keyThumbprint, signKeyRotation, verifyKeyRotation } from '../../src/authorization/key-rotation';
import { decode } from '../../src/codec/cbor';
import { decodeSign1, HeaderLabel } from '../../src/cose/sign1';
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

/** The signed rotation to generation N sits next to its key: keys/decision-N.key and keys/decision-N.rotation. */
const rotatedKeyFile = (generation: number): string => `decision-${generation}.key`;
const rotationFile = (generation: number): string => `decision-${generation}.rotation`;

/** What the authorizer answers with that a terminal verifies under the decision key: what a stale signature is re-made for. */
const resealable: readonly string[] = [ContentType.decision, ContentType.reversalAck, ContentType.instructionResult, ContentType.offlineBatchAck];

interface Generation {
  generation: number;
  key: ServerKey;
  /** From when it signs, ms (0: the first key). */
  from: number;
  /** The signed rotation that introduced it (none for the first). */
  rotation?: Uint8Array;
}

/** How often a running authorizer looks for a rotation another process (`qrpay operator rotate-decision-key`) made. */
export const rotationPollMs = 1_000;

/**
 * The decision keys: generation 1 is `decision.key`; each rotation adds
 * `decision-N.key` (0600, like the first) and `decision-N.rotation`, the
 * signed message terminals follow (src/authorization/key-rotation.ts), written
 * after the key, so the rotation file's presence is what commits a rotation.
 * It signs with the newest key whose `from` has come. Processes sharing the
 * data directory (workers, the operator's command line) each see a rotation
 * within `rotationPollMs`. Keys stay out of the database, as before.
 */
export class DecisionKeyRing implements ServerKey {
  readonly #dataDir: string;
  readonly #now: () => number;
  #generations: Generation[];
  #checkedAt = -Infinity;
  #seen = -1;

  private constructor(dataDir: string, now: () => number, first: ServerKey) {
    this.#dataDir = dataDir;
    this.#now = now;
    this.#generations = [{ generation: 1, key: first, from: 0 }];
  }

  static async open(store: Store, dataDir: string, now: () => number): Promise<DecisionKeyRing> {
    const ring = new DecisionKeyRing(dataDir, now, await fileKey(store, dataDir, 'decision.key'));
    ring.#reload(true);
    return ring;
  }

  /** The key signing now. */
  #active(): Generation {
    const now = this.#now();
    this.#reload(false);
    for (let i = this.#generations.length - 1; i > 0; i--) if (this.#generations[i].from <= now) return this.#generations[i];
    return this.#generations[0];
  }

  get alg(): ServerKey['alg'] {
    return this.#active().key.alg;
  }

  get publicKey(): PublicKey {
    return this.#active().key.publicKey;
  }

  get kid(): Uint8Array | undefined {
    return this.#active().key.kid;
  }

  get generation(): number {
    return this.#active().generation;
  }

  sign(message: Uint8Array): Uint8Array {
    return this.#active().key.sign(message);
  }

  /** Every rotation made, oldest first, those whose `from` is still to come included: what GET /v1/decision-keys serves. */
  rotations(): Uint8Array[] {
    this.#reload(false);
    return this.#generations.slice(1).map((g) => g.rotation!);
  }

  /** The rotations up to the key signing now: what an enrollment answer carries (field 13). */
  rotationsToActive(): Uint8Array[] {
    const active = this.#active().generation;
    return this.#generations.slice(1, active).map((g) => g.rotation!);
  }

  /**
   * Makes the next key, effective `from` (ms), and the rotation signed by the newest key. The key file is written
   * first (0600, never replaced), the rotation file second: a crash between them leaves a key no rotation names, which
   * the next rotation reuses.
   */
  rotate(options: { from: number }): { generation: number; publicKey: PublicKey; from: number; rotation: Uint8Array } {
    this.#reload(true);
    const newest = this.#generations[this.#generations.length - 1];
    const generation = newest.generation + 1;
    const dir = this.#dataDir === ':memory:' ? undefined : join(this.#dataDir, keyDirectoryName);
    let secret = newSecret();
    if (dir) secret = publishOnce(join(dir, rotatedKeyFile(generation)), secret);
    const key = rotatedServerKey(secret);
    const rotation = signKeyRotation({ key: key.publicKey, kid: key.kid!, generation, from: options.from, issuedAt: this.#now() }, newest.key);
    const published = dir ? publishOnce(join(dir, rotationFile(generation)), rotation) : rotation;
    const verified = verifyKeyRotation(published, { key: newest.key.publicKey, generation: newest.generation, from: newest.from });
    if (!verified.ok) throw new Error(`${rotationFile(generation)} does not verify: ${verified.problem}: ${verified.detail}`);
    this.#generations.push({ generation, key, from: verified.rotation.from, rotation: published });
    return { generation, publicKey: key.publicKey, from: verified.rotation.from, rotation: published };
  }

  /**
   * A stored answer (a retried decision, a reversal's acknowledgement...) signed by an older key, re-signed with the
   * current one: the payload is the same bytes, the signature new. What the current key signed, or what no key of
   * ours signs, is returned as it is. Before any rotation this costs nothing.
   */
  current(bytes: Uint8Array): Uint8Array {
    if (this.#generations.length === 1) return bytes;
    let sign1;
    try {
      sign1 = decodeSign1(bytes, { tag: 'required', maxBytes: maxMessageBytes });
    } catch {
      return bytes;
    }
    const active = this.#active();
    const kid = sign1.protectedHeader.get(HeaderLabel.kid);
    const contentType = sign1.protectedHeader.get(HeaderLabel.contentType);
    const signedByActive = active.key.kid ? kid instanceof Uint8Array && sameBytes(kid, active.key.kid) : kid === undefined;
    if (signedByActive || typeof contentType !== 'string' || resealable.indexOf(contentType) < 0) return bytes;
    return seal({ contentType: contentType as ContentTypeName, payload: asMap(decode(sign1.payload, { maxBytes: maxMessageBytes }), 'payload'), signer: this });
  }

  /** Reads the rotations on disk (at most every `rotationPollMs` unless `force`, and only when the directory changed). */
  #reload(force: boolean): void {
    if (this.#dataDir === ':memory:') return;
    const now = Date.now();
    if (!force && now - this.#checkedAt < rotationPollMs) return;
    this.#checkedAt = now;
    const dir = join(this.#dataDir, keyDirectoryName);
    let changed: number;
    try {
      changed = statSync(dir).mtimeMs;
    } catch {
      return;
    }
    if (changed === this.#seen && !force) return;
    this.#seen = changed;
    for (;;) {
      const newest = this.#generations[this.#generations.length - 1];
      const generation = newest.generation + 1;
      let rotation: Uint8Array;
      try {
        rotation = new Uint8Array(readFileSync(join(dir, rotationFile(generation))));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      const verified = verifyKeyRotation(rotation, { key: newest.key.publicKey, generation: newest.generation, from: newest.from });
      if (!verified.ok) throw new Error(`${rotationFile(generation)} does not verify against generation ${newest.generation}: ${verified.problem}: ${verified.detail}`);
      const key = rotatedServerKey(readSecret(join(dir, rotatedKeyFile(generation))));
      if (!sameBytes(key.publicKey.publicKey, verified.rotation.key.publicKey)) throw new Error(`${rotatedKeyFile(generation)} is not the key ${rotationFile(generation)} names`);
      this.#generations.push({ generation, key, from: verified.rotation.from, rotation });
    }
  }
}

/** A rotated key names itself in what it signs (its RFC 9679 thumbprint as `kid`): see DecisionKeyRing.current. */
function rotatedServerKey(secret: Uint8Array): ServerKey {
  const key = serverEs256Key(secret);
  return { ...key, kid: keyThumbprint(key.publicKey) };
}

function readSecret(path: string): Uint8Array {
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) throw new Error(`key file ${path} is readable or writable by others (mode ${mode.toString(8)}): chmod 600 it`);
  const secret = new Uint8Array(readFileSync(path));
  if (secret.length !== 32) throw new Error(`key file ${path} does not hold a 32-byte P-256 secret`);
  return secret;
}
