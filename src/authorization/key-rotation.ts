/**
 * Decision-key rotation: the authorizer introduces its next decision key in a
 * message signed by the key terminals already trust, so a terminal pinned to
 * the old key follows to the new one without being provisioned again.
 *
 * A COSE_Sign1 (tag 18), content type application/qrpay-key-rotation+cbor,
 * signed by the OLD key (its `kid` in the protected header when that key is a
 * rotated one, as every message signed by a rotated key carries it). The
 * payload is a CWT claims set (RFC 8392) whose proof-of-possession key
 * confirmation (`cnf`, RFC 8747) holds the new key as a COSE_Key:
 *   6 iat  NumericDate: when the rotation was made
 *   5 nbf  NumericDate: from when the authorizer signs with the new key
 *   8 cnf  {1: COSE_Key {1 kty, 2 kid, 3 alg, -1 crv, -2 x, -3 y}}: the new key and its kid
 *   -65537 (private use) generation of the new key: the first key is 1, each rotation adds one
 * The generation is what makes the chain a line: a terminal at generation g
 * applies only a rotation to g + 1 signed by its generation-g key, so a replayed
 * older rotation (g or below) is nothing new and can never roll it back.
 */
import type { CborMap } from '../codec/cbor';
import { encode } from '../codec/cbor';
import { fromCoseKey, KeyParam, Kty, Crv, toCoseKey, CoseKeyError } from '../cose/key';
import { Claim, CnfKey, privateClaimBase } from '../cwt/claims';
import { sha256 } from '../crypto/verify';
import { sameBytes } from './bytes';
import { ContentType, open, seal, signedBy } from './envelope';
import { asMap, FormatError, onlyKeys, readBytes, readUint } from './fields';
import type { PublicKey, Signer } from './signer';

export const generationClaim = privateClaimBase;

export interface KeyRotation {
  /** The new decision key. */
  key: PublicKey;
  /** Its kid (the reference authorizer's: the RFC 9679 COSE Key thumbprint, 32 bytes). */
  kid: Uint8Array;
  /** 2 for the first rotation, then 3, 4... */
  generation: number;
  /** From when the authorizer signs with the new key, ms (carried as whole seconds). */
  from: number;
  /** When the rotation was made, ms (whole seconds). */
  issuedAt: number;
}

/** A decision key as a terminal holds it: the key, its generation and, from generation 2, its kid. */
export interface DecisionKey {
  key: PublicKey;
  generation: number;
  kid?: Uint8Array;
  /** From when it signs (ms); 0 for the key a terminal enrolled with. */
  from: number;
}

/**
 * RFC 9679 COSE Key Thumbprint (SHA-256 over the deterministic encoding of the
 * key's required parameters): how the reference authorizer names a decision key.
 * ES256 keys must be uncompressed SEC1 points (the authorizer's always are).
 */
export function keyThumbprint(key: PublicKey): Uint8Array {
  const map: CborMap = new Map();
  if (key.alg === 'ES256') {
    const p = key.publicKey;
    if (p.length !== 65 || p[0] !== 4) throw new CoseKeyError('a thumbprint needs the uncompressed ES256 point');
    map.set(KeyParam.kty, Kty.EC2);
    map.set(KeyParam.crv, Crv.P256);
    map.set(KeyParam.x, p.slice(1, 33));
    map.set(KeyParam.y, p.slice(33, 65));
  } else {
    map.set(KeyParam.kty, Kty.OKP);
    map.set(KeyParam.crv, Crv.Ed25519);
    map.set(KeyParam.x, key.publicKey.slice());
  }
  return sha256(encode(map));
}

const seconds = (ms: number): number => Math.floor(ms / 1000);

/** The new key in full (y as bytes, not the compact sign bit): a rotation message is not size-bound like a payment code. */
function newKeyMap(rotation: KeyRotation): CborMap {
  const map = toCoseKey({ alg: rotation.key.alg, publicKey: rotation.key.publicKey, kid: rotation.kid });
  const p = rotation.key.publicKey;
  if (rotation.key.alg === 'ES256' && p.length === 65) map.set(KeyParam.y, p.slice(33, 65));
  return map;
}

/** Signs the rotation with the OLD key (`signer`: the authorizer's current decision key). */
export function signKeyRotation(rotation: KeyRotation, signer: Signer): Uint8Array {
  if (!(Number.isSafeInteger(rotation.generation) && rotation.generation >= 2)) throw new FormatError('generation', 'a rotated key has generation 2 or more');
  if (rotation.kid.length < 1 || rotation.kid.length > 32) throw new FormatError('kid', 'a kid is 1 to 32 bytes');
  const cnf: CborMap = new Map();
  cnf.set(CnfKey.coseKey, newKeyMap(rotation));
  const payload: CborMap = new Map();
  payload.set(Claim.iat, seconds(rotation.issuedAt));
  payload.set(Claim.nbf, seconds(rotation.from));
  payload.set(Claim.cnf, cnf);
  payload.set(generationClaim, rotation.generation);
  return seal({ contentType: ContentType.keyRotation, payload, signer });
}

function rotationOf(payload: CborMap): KeyRotation {
  onlyKeys(payload, [Claim.iat, Claim.nbf, Claim.cnf, generationClaim], 'key rotation');
  const cnf = asMap(payload.get(Claim.cnf), 'cnf');
  onlyKeys(cnf, [CnfKey.coseKey], 'cnf');
  let key: PublicKey & { kid?: Uint8Array };
  try {
    key = fromCoseKey(cnf.get(CnfKey.coseKey));
  } catch (error) {
    throw new FormatError('new key', (error as Error).message);
  }
  if (!key.kid || key.kid.length < 1 || key.kid.length > 32) throw new FormatError('kid', 'the new key has no kid of 1 to 32 bytes');
  const generation = readUint(payload, generationClaim, 'generation');
  if (generation < 2) throw new FormatError('generation', 'a rotated key has generation 2 or more');
  return {
    key: { alg: key.alg, publicKey: key.publicKey },
    kid: key.kid,
    generation,
    from: readUint(payload, Claim.nbf, 'nbf') * 1000,
    issuedAt: readUint(payload, Claim.iat, 'iat') * 1000,
  };
}

/** Decodes a rotation without checking its signature. Throws FormatError. */
export function readKeyRotation(bytes: Uint8Array): KeyRotation {
  return rotationOf(open(bytes, ContentType.keyRotation).payload);
}

/** Why a rotation is not applied. `old`: the terminal is at that generation or beyond already (a replay; harmless). */
export type RotationProblem = 'garbled' | 'old' | 'not-next' | 'bad-signature' | 'same-key';

export type VerifiedRotation = { ok: true; rotation: KeyRotation } | { ok: false; problem: RotationProblem; detail: string };

/**
 * Verifies that `bytes` rotates `current` to its next generation: decodes, is
 * for generation current + 1, names another key, and is signed by `current`.
 * The generation is read before the signature so that a replayed old
 * rotation costs no verification; it is then checked under the signature.
 */
export function verifyKeyRotation(bytes: Uint8Array, current: DecisionKey): VerifiedRotation {
  let rotation: KeyRotation;
  let envelope;
  try {
    envelope = open(bytes, ContentType.keyRotation);
    rotation = rotationOf(envelope.payload);
  } catch (error) {
    return { ok: false, problem: 'garbled', detail: (error as Error).message };
  }
  if (rotation.generation <= current.generation) {
    return { ok: false, problem: 'old', detail: `a rotation to generation ${rotation.generation}; this key is generation ${current.generation}` };
  }
  if (rotation.generation !== current.generation + 1) {
    return { ok: false, problem: 'not-next', detail: `a rotation to generation ${rotation.generation} skips generation ${current.generation + 1}` };
  }
  if (rotation.key.alg === current.key.alg && sameBytes(rotation.key.publicKey, current.key.publicKey)) {
    return { ok: false, problem: 'same-key', detail: 'the rotation names the key it is signed by' };
  }
  if (!signedBy(envelope, current.key)) {
    return { ok: false, problem: 'bad-signature', detail: `not signed by the decision key of generation ${current.generation}` };
  }
  return { ok: true, rotation };
}

/** The key a verified rotation leads to. */
export function rotatedKey(rotation: KeyRotation): DecisionKey {
  return { key: rotation.key, generation: rotation.generation, kid: rotation.kid, from: rotation.from };
}
