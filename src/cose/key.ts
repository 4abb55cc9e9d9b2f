/**
 * COSE_Key (RFC 9052 §7, RFC 9053 §7) for the two signature algorithms we
 * accept, converted to and from the raw public keys `verify` takes.
 *
 * - ES256: kty EC2 (2), crv P-256 (1), x (32 bytes) and y either as 32 bytes
 *   or, compactly, as the sign bit (a bool: false = even y, SEC1 prefix 02).
 * - EdDSA: kty OKP (1), crv Ed25519 (6), x (32 bytes).
 * `alg` (3) is required: it is how a key says which algorithm it may be used
 * with. `kid` (2) is optional. Any other parameter (notably `d`, a private
 * key) makes the key invalid.
 */
import type { CborMap, CborValue } from '../codec/cbor';
import { algName, CoseAlg, type CoseAlgName } from './sign1';

export const KeyParam = { kty: 1, kid: 2, alg: 3, crv: -1, x: -2, y: -3 } as const;
export const Kty = { OKP: 1, EC2: 2 } as const;
export const Crv = { P256: 1, Ed25519: 6 } as const;

export interface PublicKey {
  alg: CoseAlgName;
  /** ES256: SEC1 point (33-byte compressed or 65-byte uncompressed). EdDSA: 32 bytes. */
  publicKey: Uint8Array;
  kid?: Uint8Array;
}

export class CoseKeyError extends Error {
  /** Not `this.name = ...`: Moddable freezes Error.prototype (docs/moddable.md). */
  override get name(): string {
    return 'CoseKeyError';
  }

  constructor(message: string) {
    super(message);
  }
}

const bytesOf = (v: CborValue | undefined, n: number): v is Uint8Array => v instanceof Uint8Array && v.length === n;

/** Reads a public COSE_Key. Throws `CoseKeyError` for anything else. */
export function fromCoseKey(value: CborValue | undefined): PublicKey {
  if (!(value instanceof Map)) throw new CoseKeyError('COSE_Key is not a map');
  const key = value as CborMap;
  let unknown = false;
  key.forEach((_v, label) => {
    if (label !== KeyParam.kty && label !== KeyParam.kid && label !== KeyParam.alg && label !== KeyParam.crv &&
      label !== KeyParam.x && label !== KeyParam.y) unknown = true;
  });
  if (unknown) throw new CoseKeyError('COSE_Key has a parameter other than kty, kid, alg, crv, x, y');
  const alg = algName(key.get(KeyParam.alg));
  if (!alg) throw new CoseKeyError('COSE_Key alg is missing or not ES256/EdDSA');
  const kidValue = key.get(KeyParam.kid);
  if (kidValue !== undefined && !(kidValue instanceof Uint8Array)) throw new CoseKeyError('COSE_Key kid is not a byte string');
  const kid = kidValue as Uint8Array | undefined;
  const x = key.get(KeyParam.x);
  const y = key.get(KeyParam.y);
  if (alg === 'ES256') {
    if (key.get(KeyParam.kty) !== Kty.EC2 || key.get(KeyParam.crv) !== Crv.P256) throw new CoseKeyError('ES256 key is not EC2 on P-256');
    if (!bytesOf(x, 32)) throw new CoseKeyError('EC2 x is not 32 bytes');
    let publicKey: Uint8Array;
    if (typeof y === 'boolean') {
      publicKey = new Uint8Array(33);
      publicKey[0] = y ? 3 : 2;
      publicKey.set(x, 1);
    } else if (bytesOf(y, 32)) {
      publicKey = new Uint8Array(65);
      publicKey[0] = 4;
      publicKey.set(x, 1);
      publicKey.set(y, 33);
    } else throw new CoseKeyError('EC2 y is neither 32 bytes nor a sign bit');
    return kid ? { alg, publicKey, kid } : { alg, publicKey };
  }
  if (key.get(KeyParam.kty) !== Kty.OKP || key.get(KeyParam.crv) !== Crv.Ed25519) throw new CoseKeyError('EdDSA key is not OKP on Ed25519');
  if (!bytesOf(x, 32)) throw new CoseKeyError('OKP x is not 32 bytes');
  if (y !== undefined) throw new CoseKeyError('OKP key has a y');
  return kid ? { alg, publicKey: x, kid } : { alg, publicKey: x };
}

/**
 * Writes a public key as a COSE_Key. An ES256 key is written in compressed
 * form (x and the sign bit of y): it is what goes into payment codes, where
 * every byte counts.
 */
export function toCoseKey(key: PublicKey): CborMap {
  const map: CborMap = new Map();
  if (key.alg === 'ES256') {
    const p = key.publicKey;
    let x: Uint8Array;
    let odd: boolean;
    if (p.length === 33 && (p[0] === 2 || p[0] === 3)) { x = p.slice(1); odd = p[0] === 3; }
    else if (p.length === 65 && p[0] === 4) { x = p.slice(1, 33); odd = (p[64] & 1) === 1; }
    else throw new CoseKeyError('ES256 public key is not a SEC1 point');
    map.set(KeyParam.kty, Kty.EC2);
    map.set(KeyParam.crv, Crv.P256);
    map.set(KeyParam.x, x);
    map.set(KeyParam.y, odd);
  } else {
    if (key.publicKey.length !== 32) throw new CoseKeyError('Ed25519 public key is not 32 bytes');
    map.set(KeyParam.kty, Kty.OKP);
    map.set(KeyParam.crv, Crv.Ed25519);
    map.set(KeyParam.x, key.publicKey.slice());
  }
  map.set(KeyParam.alg, CoseAlg[key.alg]);
  if (key.kid) map.set(KeyParam.kid, key.kid.slice());
  return map;
}
