/**
 * A keystore in software, for boards without a secure element (and the
 * simulator's file keystore): private keys live in one key-value domain,
 * key material comes from the entropy HAL, signing is noble's. No method
 * returns or logs a private key; secrets read for signing are wiped after use.
 *
 * Record layout under the key's name: [format 1, algorithm code, ...secret].
 */
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { HalError } from '../errors';
import type { Entropy } from '../entropy';
import type { Keystore, PublicKeyInfo, SignatureAlgorithm } from '../keystore';
import type { KeyValueStore } from '../storage';
import { requireBytes, requireValidKey } from './key-rules';

const recordFormat = 1;

interface Scheme {
  code: number;
  secretLength: number;
  newSecret(entropy: Entropy): Uint8Array;
  publicKey(secret: Uint8Array): Uint8Array;
  sign(message: Uint8Array, secret: Uint8Array): Uint8Array;
}

const schemes: Record<SignatureAlgorithm, Scheme> = {
  ES256: {
    code: 1,
    secretLength: 32,
    // A 48-byte seed reduced modulo the group order (FIPS 186-5 A.2.1): no bias, never zero.
    newSecret: (entropy) => {
      const seed = entropy.fill(new Uint8Array(p256.lengths.seed!));
      try {
        return p256.utils.randomSecretKey(seed);
      } finally {
        seed.fill(0);
      }
    },
    publicKey: (secret) => p256.getPublicKey(secret, false),
    // Prehashes with SHA-256 and returns compact low-s r||s by default; spelled out because the contract depends on it.
    sign: (message, secret) => p256.sign(message, secret, { prehash: true, lowS: true, format: 'compact' }),
  },
  EdDSA: {
    code: 2,
    secretLength: 32,
    newSecret: (entropy) => entropy.fill(new Uint8Array(32)),
    publicKey: (secret) => ed25519.getPublicKey(secret),
    sign: (message, secret) => ed25519.sign(message, secret),
  },
};

export interface SoftwareKeystoreOptions {
  /** The domain the keys live in; nothing else should be stored there. */
  store: KeyValueStore;
  entropy: Entropy;
}

export class SoftwareKeystore implements Keystore {
  readonly #store: KeyValueStore;
  readonly #entropy: Entropy;

  constructor(options: SoftwareKeystoreOptions) {
    this.#store = options.store;
    this.#entropy = options.entropy;
  }

  has(name: string): boolean {
    const record = this.#store.read(requireValidKey(name, 'key name'));
    record?.fill(0);
    return record !== undefined;
  }

  create(name: string, alg: SignatureAlgorithm): PublicKeyInfo {
    requireValidKey(name, 'key name');
    const scheme = schemeFor(alg);
    if (this.has(name)) throw new HalError('key-exists', `a key named ${JSON.stringify(name)} already exists`);
    const secret = scheme.newSecret(this.#entropy);
    const record = new Uint8Array(2 + secret.length);
    record[0] = recordFormat;
    record[1] = scheme.code;
    record.set(secret, 2);
    try {
      const publicKey = scheme.publicKey(secret);
      this.#store.write(name, record);
      return { alg, publicKey };
    } finally {
      secret.fill(0);
      record.fill(0);
    }
  }

  publicKey(name: string): PublicKeyInfo | undefined {
    return this.#withSecret(name, false, (alg, secret) => ({ alg, publicKey: schemes[alg].publicKey(secret) }));
  }

  sign(name: string, message: Uint8Array): Uint8Array {
    requireBytes(message, 'message');
    return this.#withSecret(name, true, (alg, secret) => schemes[alg].sign(message, secret))!;
  }

  delete(name: string): void {
    this.#store.delete(requireValidKey(name, 'key name'));
  }

  /** Runs `use` with the key's secret, wiping the copy afterwards. */
  #withSecret<T>(name: string, required: boolean, use: (alg: SignatureAlgorithm, secret: Uint8Array) => T): T | undefined {
    const record = this.#store.read(requireValidKey(name, 'key name'));
    if (!record) {
      if (required) throw new HalError('no-key', `no key named ${JSON.stringify(name)}`);
      return undefined;
    }
    try {
      const alg = algorithmOf(record);
      if (!alg || record.length !== 2 + schemes[alg].secretLength) {
        throw new HalError('io', `the stored key ${JSON.stringify(name)} is not a key record this keystore wrote`);
      }
      return use(alg, record.subarray(2));
    } finally {
      record.fill(0);
    }
  }
}

function schemeFor(alg: unknown): Scheme {
  if (alg !== 'ES256' && alg !== 'EdDSA') {
    throw new HalError('unsupported-algorithm', `unsupported signature algorithm ${JSON.stringify(alg)} (ES256 or EdDSA)`);
  }
  return schemes[alg];
}

function algorithmOf(record: Uint8Array): SignatureAlgorithm | undefined {
  if (record[0] !== recordFormat) return undefined;
  if (record[1] === schemes.ES256.code) return 'ES256';
  if (record[1] === schemes.EdDSA.code) return 'EdDSA';
  return undefined;
}
