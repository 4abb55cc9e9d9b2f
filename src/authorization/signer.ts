/**
 * Who signs and who verifies a protocol message. A signer never exposes its
 * private key: on the terminal it is the keystore HAL signing by name, on the
 * authorizer a key held by the server.
 */
import type { SignatureAlgorithm } from '../../hal/keystore';
import { CoseAlg, algName } from '../cose/sign1';
import type { CborValue } from '../codec/cbor';

export interface Signer {
  alg: SignatureAlgorithm;
  /** Signs the whole message (ES256 hashes with SHA-256 itself); raw 64-byte signatures. */
  sign(message: Uint8Array): Uint8Array;
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
