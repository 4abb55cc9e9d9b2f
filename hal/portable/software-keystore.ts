/**
 * A keystore in software, for boards without a secure element (and the
 * simulator's file keystore): private keys live in one key-value domain,
 * key material comes from the entropy HAL, signing is noble's (ES256 blinded
 * with the same entropy: `blindedP256`). No method
 * returns or logs a private key; secrets read for signing are wiped after use.
 *
 * Record layout under the key's name: [format 1, algorithm code, ...secret].
 *
 * An ES256 key can presign (`presign`, hal/keystore.ts): R = k·G, the costly
 * half of a signature, is computed in idle time for the signature that will
 * carry a given trace number, so the signature itself costs one SHA-256 and a
 * few scalar operations. The nonce k is derived with HKDF-SHA-256 from fresh
 * entropy (salt) and the private key, the trace number and a per-instance
 * count (input keying material): unique if either the entropy or the trace
 * numbers are; it lives in memory only, one per key, and is removed before it
 * is used (docs/security.md, "Presigned nonces").
 */
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { ecdsa, weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { HalError } from '../errors';
import type { Entropy } from '../entropy';
import type { Keystore, PublicKeyInfo, SignatureAlgorithm } from '../keystore';
import type { KeyValueStore } from '../storage';
import { requireBytes, requireValidKey } from './key-rules';
import { hmacSha256, sha256 } from '../../src/crypto/sha256';

const recordFormat = 1;

interface Scheme {
  newSecret(entropy: Entropy): Uint8Array;
  publicKey(secret: Uint8Array): Uint8Array;
  sign(message: Uint8Array, secret: Uint8Array): Uint8Array;
}

type Ecdsa = ReturnType<typeof ecdsa>;

/**
 * P-256 whose secret computations are blinded with the board's entropy: noble blinds a secret scalar
 * multiplication (the public key's d·G, a signature's and a presign's k·G) and a signature's nonce inversion
 * with fresh random bytes, so a power or timing trace of one signature says nothing about the key. noble's own
 * p256 takes them from `crypto.getRandomValues`, which a Moddable board does not have: its probe at load fails
 * there and it silently signs unblinded. Made per keystore (the curve's tables with it), never at module load:
 * a preloaded module's state is frozen in flash. The signatures are the same either way (RFC 6979 nonces).
 */
function blindedP256(entropy: Entropy): Ecdsa {
  const randomBytes = (length = 32) => {
    const bytes = new Uint8Array(length);
    entropy.fill(bytes);
    return bytes;
  };
  const Point = weierstrass(p256.Point.CURVE(), { randomBytes });
  // Blinded scalars are 384 bits wide: noble's default windows of 6 bits for G then make a table of 2,080 points
  // (~930 M XS instructions at the first ES256 operation, and more slots than the root manifest's `creation` holds
  // beside a payment). Windows of 4 bits: 776 points, ~360 M, fewer than the unblinded table's 1,408; a full
  // signature costs ~9 M more (72.7 M against 63.3), a presigned one (the critical path's) nothing.
  Point.BASE.precompute(4);
  return ecdsa(Point, nobleSha256, { randomBytes });
}

/** ES256 over a blinded P-256, which the presign (`prepareNonce`) uses too. */
interface Es256Scheme extends Scheme {
  curve: Ecdsa;
}

function es256Scheme(curve: Ecdsa): Es256Scheme {
  return {
    curve,
    // A 48-byte seed reduced modulo the group order (FIPS 186-5 A.2.1): no bias, never zero.
    newSecret: (entropy) => {
      const seed = entropy.fill(new Uint8Array(curve.lengths.seed!));
      try {
        return curve.utils.randomSecretKey(seed);
      } finally {
        seed.fill(0);
      }
    },
    publicKey: (secret) => curve.getPublicKey(secret, false),
    // Prehashes with SHA-256 and returns compact low-s r||s by default; spelled out because the contract depends on it.
    sign: (message, secret) => curve.sign(message, secret, { prehash: true, lowS: true, format: 'compact' }),
  };
}

const eddsaScheme: Scheme = {
  newSecret: (entropy) => entropy.fill(new Uint8Array(32)),
  publicKey: (secret) => ed25519.getPublicKey(secret),
  sign: (message, secret) => ed25519.sign(message, secret),
};

/** Each algorithm's code in a key record and its secret's length. */
const records: Record<SignatureAlgorithm, { code: number; secretLength: number }> = {
  ES256: { code: 1, secretLength: 32 },
  EdDSA: { code: 2, secretLength: 32 },
};

/** A signature prepared by `presign`: what it is for, r and k⁻¹ (k itself is not kept). */
interface Presigned {
  use: Uint8Array;
  r: bigint;
  kInverse: bigint;
}

const presignInfo = Uint8Array.from('qrpay-terminal presign v1 ES256', (c) => c.charCodeAt(0));

/** The big-endian integer of `bytes`. */
function integerOf(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = 0; i < bytes.length; i++) n = (n << 8n) | BigInt(bytes[i]);
  return n;
}

function bytes32(n: bigint, out: Uint8Array, offset: number): void {
  for (let i = offset + 31; i >= offset; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The nonce and R of one future ES256 signature by `secret`, for `use`. HKDF-SHA-256 (RFC 5869): salt = 32 bytes
 * of fresh entropy, input = secret ‖ use ‖ count (8 bytes), 48 bytes of output reduced into 1..n-1 (FIPS 186-5
 * A.2.1: bias below 2⁻¹²⁸). Undefined in the (negligible) case r = 0.
 */
function prepareNonce(curve: Ecdsa, secret: Uint8Array, use: Uint8Array, count: number, entropy: Entropy): Presigned | undefined {
  const Fn = curve.Point.Fn;
  const salt = entropy.fill(new Uint8Array(32));
  const counted = new Uint8Array(8);
  let rest = count;
  for (let i = 7; i >= 0; i--) {
    counted[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  const prk = hmacSha256(salt, secret, use, counted);
  const first = hmacSha256(prk, presignInfo, Uint8Array.of(1));
  const second = hmacSha256(prk, first, presignInfo, Uint8Array.of(2));
  const okm = new Uint8Array(48);
  okm.set(first);
  okm.set(second.subarray(0, 16), 32);
  const k = (integerOf(okm) % (Fn.ORDER - 1n)) + 1n;
  for (const wiped of [salt, prk, first, second, okm]) wiped.fill(0);
  const r = Fn.create(curve.Point.BASE.multiply(k).toAffine().x);
  if (r === 0n) return undefined;
  return { use: use.slice(), r, kInverse: Fn.inv(k) };
}

/** s = k⁻¹ (e + r d) mod n over SHA-256 of `message`, low-S, as raw r‖s; undefined in the (negligible) case s = 0. */
function signPrepared(message: Uint8Array, secret: Uint8Array, prepared: Presigned): Uint8Array | undefined {
  const Fn = p256.Point.Fn;
  // P-256: the hash is exactly as wide as n, so bits2int is the plain integer (reduced mod n).
  const e = Fn.create(integerOf(sha256(message)));
  let s = Fn.mul(prepared.kInverse, Fn.add(e, Fn.mul(prepared.r, integerOf(secret))));
  if (s === 0n) return undefined;
  if (s > Fn.ORDER >> 1n) s = Fn.ORDER - s;
  const signature = new Uint8Array(64);
  bytes32(prepared.r, signature, 0);
  bytes32(s, signature, 32);
  return signature;
}

export interface SoftwareKeystoreOptions {
  /** The domain the keys live in; nothing else should be stored there. */
  store: KeyValueStore;
  entropy: Entropy;
}

export class SoftwareKeystore implements Keystore {
  readonly #store: KeyValueStore;
  readonly #entropy: Entropy;
  /** At most one presigned signature per key name, in memory only. */
  readonly #presigned = new Map<string, Presigned>();
  /** Presigns made by this instance: part of each nonce's input, so two never share one even if entropy and use repeat. */
  #presigns = 0;
  /** ES256 over P-256 blinded with this keystore's entropy, made at the first ES256 operation (an EdDSA-only board never pays for its tables). */
  #es256: Es256Scheme | undefined;

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
    const scheme = this.#scheme(requireAlgorithm(alg));
    if (this.has(name)) throw new HalError('key-exists', `a key named ${JSON.stringify(name)} already exists`);
    const secret = scheme.newSecret(this.#entropy);
    const record = new Uint8Array(2 + secret.length);
    record[0] = recordFormat;
    record[1] = records[alg].code;
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
    return this.#withSecret(name, false, (alg, secret) => ({ alg, publicKey: this.#scheme(alg).publicKey(secret) }));
  }

  sign(name: string, message: Uint8Array, use?: Uint8Array): Uint8Array {
    requireBytes(message, 'message');
    if (use !== undefined) requireBytes(use, 'use');
    // Spent or discarded here, before anything can fail: a prepared nonce never signs twice.
    const prepared = this.#presigned.get(name);
    this.#presigned.delete(name);
    return this.#withSecret(name, true, (alg, secret) => {
      const matches = prepared !== undefined && use !== undefined && alg === 'ES256' && sameBytes(prepared.use, use);
      return (matches ? signPrepared(message, secret, prepared) : undefined) ?? this.#scheme(alg).sign(message, secret);
    })!;
  }

  presign(name: string, use: Uint8Array): boolean {
    requireBytes(use, 'use');
    this.#presigned.delete(name);
    return this.#withSecret(name, true, (alg, secret) => {
      if (alg !== 'ES256') return false;
      const prepared = prepareNonce(this.#es256Scheme().curve, secret, use, ++this.#presigns, this.#entropy);
      if (prepared) this.#presigned.set(name, prepared);
      return prepared !== undefined;
    })!;
  }

  delete(name: string): void {
    this.#presigned.delete(requireValidKey(name, 'key name'));
    this.#store.delete(name);
  }

  #es256Scheme(): Es256Scheme {
    return (this.#es256 ??= es256Scheme(blindedP256(this.#entropy)));
  }

  #scheme(alg: SignatureAlgorithm): Scheme {
    return alg === 'EdDSA' ? eddsaScheme : this.#es256Scheme();
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
      if (!alg || record.length !== 2 + records[alg].secretLength) {
        throw new HalError('io', `the stored key ${JSON.stringify(name)} is not a key record this keystore wrote`);
      }
      return use(alg, record.subarray(2));
    } finally {
      record.fill(0);
    }
  }
}

function requireAlgorithm(alg: unknown): SignatureAlgorithm {
  if (alg !== 'ES256' && alg !== 'EdDSA') {
    throw new HalError('unsupported-algorithm', `unsupported signature algorithm ${JSON.stringify(alg)} (ES256 or EdDSA)`);
  }
  return alg;
}

function algorithmOf(record: Uint8Array): SignatureAlgorithm | undefined {
  if (record[0] !== recordFormat) return undefined;
  if (record[1] === records.ES256.code) return 'ES256';
  if (record[1] === records.EdDSA.code) return 'EdDSA';
  return undefined;
}
