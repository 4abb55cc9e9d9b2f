/**
 * The wallet's core: keys, credentials and payment codes, as functions that
 * take their keys, clock and entropy explicitly (so tests, the demo and the
 * CLI get the same, reproducible behaviour). Plain ECMAScript with noble for
 * the keys: it runs on Node and on XS alike; only cli.ts and render.ts touch Node.
 *
 * Keys here are software keys (the secret is in memory). A phone would keep
 * the device key in its secure enclave and sign through the same `Signer`
 * shape; an operator would keep its root key in an HSM.
 */
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import type { Clock } from '../../hal/clock';
import type { Entropy } from '../../hal/entropy';
import type { Keystore } from '../../hal/keystore';
import type { CborValue } from '../../src/codec/cbor';
import type { CoseAlgName } from '../../src/cose/sign1';
import { encodeCredential, encodePaymentCode, paymentCodeText, type Limits, type Signer } from '../../src/paycode/encode';
import { encodeDenyList, encodeTrustList } from '../../src/paycode/operator-encode';
import type { OfflineLimits } from '../../src/authorization/enrollment';
import { encode } from '../../src/codec/cbor';

export interface KeyPair {
  alg: CoseAlgName;
  secretKey: Uint8Array;
  /** ES256: SEC1 compressed (33 bytes). EdDSA: 32 bytes. */
  publicKey: Uint8Array;
}

export interface IssuerKey extends KeyPair {
  kid: Uint8Array;
}

/** A key that signs without exposing its secret: a HAL keystore, a phone's secure enclave, an HSM. */
export interface ExternalSigner {
  alg: CoseAlgName;
  publicKey: Uint8Array;
  sign: Signer;
}

/** Signs with a Keystore (hal/keystore.ts) key by name. */
export function keystoreSigner(keystore: Keystore, name: string): ExternalSigner {
  const info = keystore.publicKey(name);
  if (!info) throw new Error(`keystore has no key named ${name}`);
  return { alg: info.alg, publicKey: info.publicKey, sign: (message) => keystore.sign(name, message) };
}

/** A new key pair from `entropy` (ES256 reduces 48 random bytes mod n, per FIPS 186-5 A.2.1). */
export function createKeyPair(alg: CoseAlgName, entropy: Entropy): KeyPair {
  if (alg === 'ES256') {
    const secretKey = p256.utils.randomSecretKey(entropy.fill(new Uint8Array(p256.lengths.seed as number)));
    return { alg, secretKey, publicKey: p256.getPublicKey(secretKey, true) };
  }
  if (alg === 'EdDSA') {
    const secretKey = entropy.fill(new Uint8Array(32));
    return { alg, secretKey, publicKey: ed25519.getPublicKey(secretKey) };
  }
  throw new Error(`unsupported algorithm ${String(alg)}`);
}

/** A key pair from its secret (to reload a saved key). */
export function keyPairFromSecret(alg: CoseAlgName, secretKey: Uint8Array): KeyPair {
  if (alg === 'ES256') return { alg, secretKey, publicKey: p256.getPublicKey(secretKey, true) };
  if (alg === 'EdDSA') return { alg, secretKey, publicKey: ed25519.getPublicKey(secretKey) };
  throw new Error(`unsupported algorithm ${String(alg)}`);
}

/** Signs the whole message: ES256 hashes it with SHA-256 and returns raw r||s (RFC 6979, deterministic). */
export function signerFor(key: KeyPair | ExternalSigner): Signer {
  if ('sign' in key) return key.sign;
  if (key.alg === 'ES256') return (message) => p256.sign(message, key.secretKey, { prehash: true, lowS: true, format: 'compact' });
  return (message) => ed25519.sign(message, key.secretKey);
}

/** An issuer key with a random 2-byte kid unless one is given. */
export function createIssuer(options: { alg: CoseAlgName; kid?: Uint8Array }, entropy: Entropy): IssuerKey {
  const key = createKeyPair(options.alg, entropy);
  return { ...key, kid: options.kid ?? entropy.fill(new Uint8Array(2)) };
}

export function createOperatorRoot(options: { alg: CoseAlgName }, entropy: Entropy): KeyPair {
  return createKeyPair(options.alg, entropy);
}

/** The customer's device key (on a real phone: created in its secure enclave). */
export function createDeviceKey(options: { alg: CoseAlgName }, entropy: Entropy): KeyPair {
  return createKeyPair(options.alg, entropy);
}

export interface TrustListOptions {
  version: number;
  issuedAt: number;
  expiresAt: number;
  issuers: { alg: CoseAlgName; publicKey: Uint8Array; kid: Uint8Array }[];
}

export function signTrustList(root: KeyPair | ExternalSigner, options: TrustListOptions): Uint8Array {
  const issuers = options.issuers.map((i) => ({ alg: i.alg, publicKey: i.publicKey, kid: i.kid }));
  return encodeTrustList({ ...options, issuers }, root.alg, signerFor(root));
}

export interface DenyListOptions {
  version: number;
  issuedAt: number;
  expiresAt: number;
  revokedCredentials?: { issuerKid: Uint8Array; credentialId: Uint8Array }[];
  frozenAccounts?: { issuerKid: Uint8Array; account: Uint8Array }[];
  offlineLimits?: OfflineLimits;
}

export function signDenyList(root: KeyPair | ExternalSigner, options: DenyListOptions): Uint8Array {
  return encodeDenyList(options, root.alg, signerFor(root));
}

export interface IssuedCredential {
  issuerKid: Uint8Array;
  issuerAlg: CoseAlgName;
  account: Uint8Array;
  credentialId: Uint8Array;
  notBefore: number;
  expiresAt: number;
  device: { alg: CoseAlgName; publicKey: Uint8Array };
  limits?: Limits;
  /** The signed credential (an untagged COSE_Sign1 array), as it goes into `kcwt`. */
  value: CborValue[];
  /** `value` encoded. */
  bytes: Uint8Array;
}

export interface IssueOptions {
  device: { alg: CoseAlgName; publicKey: Uint8Array };
  /** Account pseudonym; 6 random bytes unless given. */
  account?: Uint8Array;
  /** Credential id; 4 random bytes unless given (a real issuer assigns them uniquely per kid). */
  credentialId?: Uint8Array;
  notBefore: number;
  expiresAt: number;
  limits?: Limits;
}

export function issueCredential(issuer: IssuerKey | (ExternalSigner & { kid: Uint8Array }), options: IssueOptions, entropy: Entropy): IssuedCredential {
  const account = options.account ?? entropy.fill(new Uint8Array(6));
  const credentialId = options.credentialId ?? entropy.fill(new Uint8Array(4));
  const value = encodeCredential(
    {
      issuerAlg: issuer.alg,
      issuerKid: issuer.kid,
      account,
      credentialId,
      notBefore: options.notBefore,
      expiresAt: options.expiresAt,
      deviceKey: options.device,
      limits: options.limits,
    },
    signerFor(issuer),
  );
  const issued: IssuedCredential = {
    issuerKid: issuer.kid, issuerAlg: issuer.alg, account, credentialId,
    notBefore: options.notBefore, expiresAt: options.expiresAt, device: options.device, value, bytes: encode(value),
  };
  if (options.limits) issued.limits = options.limits;
  return issued;
}

export interface PaymentCode {
  bytes: Uint8Array;
  /** The QR text: prefix + base45. */
  text: string;
  codeId: Uint8Array;
  issuedAt: number;
  expiresAt: number;
}

export interface CodeOptions {
  clock: Pick<Clock, 'now'>;
  entropy: Entropy;
  /** Seconds the code stays valid. Default 30. */
  lifetimeSeconds?: number;
  amountCap?: number;
  /** Code id length in bytes. Default 6. */
  codeIdLength?: number;
}

/**
 * A fresh payment code: new random `cti`, `iat` now, `exp` a short lifetime later, signed by the device key
 * (a software key, or an `ExternalSigner` such as `keystoreSigner(keystore, 'device')`).
 */
export function makePaymentCode(credential: IssuedCredential, device: KeyPair | ExternalSigner, options: CodeOptions): PaymentCode {
  const issuedAt = Math.floor(options.clock.now() / 1000);
  const expiresAt = issuedAt + (options.lifetimeSeconds ?? 30);
  const codeId = options.entropy.fill(new Uint8Array(options.codeIdLength ?? 6));
  const bytes = encodePaymentCode(
    { credential: credential.value, alg: device.alg, codeId, issuedAt, expiresAt, amountCap: options.amountCap },
    signerFor(device),
  );
  return { bytes, text: paymentCodeText(bytes), codeId, issuedAt, expiresAt };
}
