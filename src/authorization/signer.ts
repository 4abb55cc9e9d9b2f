/**
 * Who signs and who verifies a protocol message. A signer never exposes its
 * private key: on the terminal it is the keystore HAL signing by name, on the
 * authorizer a key held by the server.
 */
import type { SignatureAlgorithm } from '../../hal/keystore';
import { CoseAlg, algName } from '../cose/sign1';
import type { CborValue } from '../codec/cbor';
import { isPublicKey } from '../crypto/verify';

export interface Signer {
  alg: SignatureAlgorithm;
  /** Signs the whole message (ES256 hashes with SHA-256 itself); raw 64-byte signatures. */
  sign(message: Uint8Array): Uint8Array;
  /** Put in the protected header of what it signs: a rotated decision key's kid (key-rotation.ts). */
  kid?: Uint8Array;
}

export interface PublicKey {
  alg: SignatureAlgorithm;
  /** ES256: SEC1 point; EdDSA: 32 bytes. */
  publicKey: Uint8Array;
}

export function coseAlgId(alg: SignatureAlgorithm): number {
  return CoseAlg[alg];
}

/** The algorithm named by a COSE `alg` header value, if it is one we accept. */
export function signatureAlgorithm(id: CborValue | undefined): SignatureAlgorithm | undefined {
  return algName(id);
}

/**
 * A public key written as text, the way a manifest `config` or a provisioning
 * file carries a pinned key: "ES256:<SEC1 point, hex>" or "EdDSA:<32 bytes, hex>".
 * Undefined unless the key is valid for its algorithm.
 */
export function publicKeyFromText(text: unknown): PublicKey | undefined {
  if (typeof text !== 'string') return undefined;
  const match = /^(ES256|EdDSA):((?:[0-9a-fA-F]{2})+)$/.exec(text.trim());
  if (!match) return undefined;
  const alg = match[1] as SignatureAlgorithm;
  const hex = match[2];
  const publicKey = new Uint8Array(hex.length / 2);
  for (let i = 0; i < publicKey.length; i++) publicKey[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return isPublicKey(alg, publicKey) ? { alg, publicKey } : undefined;
}

/** The text form `publicKeyFromText` reads. */
export function publicKeyToText(key: PublicKey): string {
  let hex = '';
  for (let i = 0; i < key.publicKey.length; i++) hex += (key.publicKey[i] < 16 ? '0' : '') + key.publicKey[i].toString(16);
  return `${key.alg}:${hex}`;
}
