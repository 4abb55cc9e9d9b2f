/**
 * The authorizer's signatures on node:crypto (OpenSSL), behind the contract
 * of src/crypto/verify.ts, which stays the terminal's (portable, on XS): the
 * same answer for every input, never a throw. A P-256 verify costs ~0.07 ms
 * here against ~1.6 ms with the portable code (docs/authorizer.md, Load).
 *
 * The contract's rules are checked here before OpenSSL sees anything, so
 * they do not depend on what a given OpenSSL build tolerates:
 * - ES256: SEC1 key (33 bytes compressed or 65 uncompressed, on the curve:
 *   OpenSSL refuses to load any other), raw r||s of 64 bytes with
 *   0 < r < n and 0 < s <= n/2 (low-S only, docs/security.md);
 * - EdDSA: 32-byte key and 64-byte signature with canonical encodings (the
 *   key's and R's y below p, S below the group order L), strict RFC 8032, and
 *   no key of small order (the portable verifier's strict mode refuses them;
 *   OpenSSL does not). OpenSSL checks the cofactorless equation, the portable
 *   verifier the cofactored one: every signature OpenSSL accepts the portable
 *   one accepts too, but a crafted one with a small-order component in R can
 *   pass only the latter, so a signature OpenSSL refuses is asked of the
 *   portable verifier before it is refused (genuine signatures never take
 *   that path; a forger pays for it, as with the portable verifier alone).
 * test/node/authorizer/server-crypto.test.ts holds both implementations to
 * the same answers on every Wycheproof vector and on random and mutated inputs.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import type { Opened } from '../../src/authorization/envelope';
import { signedBy } from '../../src/authorization/envelope';
import type { PublicKey } from '../../src/authorization/signer';
import { toLowS, verify as portableVerify, type SignatureCheck } from '../../src/crypto/verify';

/** DER prefixes of a SubjectPublicKeyInfo: P-256 with a compressed or uncompressed point, Ed25519. */
const spkiPrefix = {
  es256Compressed: Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex'),
  es256Uncompressed: Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex'),
  ed25519: Buffer.from('302a300506032b6570032100', 'hex'),
};

/** P-256's order n and n/2; Ed25519's field prime p and group order L, as 32-byte big-endian / little-endian bounds. */
const n = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const halfN = n >> 1n;
const p = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function bigEndian(bytes: Uint8Array, start: number, length: number): bigint {
  let value = 0n;
  for (let i = start; i < start + length; i++) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

function littleEndian(bytes: Uint8Array, start: number, length: number): bigint {
  let value = 0n;
  for (let i = start + length - 1; i >= start; i--) value = (value << 8n) | BigInt(bytes[i]);
  return value;
}

/** An Ed25519 point encoding's y (the sign bit of x cleared). */
function edwardsY(bytes: Uint8Array, start: number): bigint {
  return littleEndian(bytes, start, 32) & ((1n << 255n) - 1n);
}

/** Public keys loaded into OpenSSL, for speed only (safe to lose): issuers' and busy terminals' keys recur. */
const maxCachedKeys = 4096;
const keys = new Map<string, KeyObject | null>();

function publicKeyObject(alg: 'ES256' | 'EdDSA', publicKey: Uint8Array): KeyObject | null {
  const name = alg + Buffer.from(publicKey.buffer, publicKey.byteOffset, publicKey.byteLength).toString('base64');
  const cached = keys.get(name);
  if (cached !== undefined) return cached;
  let key: KeyObject | null;
  const prefix = alg === 'EdDSA' ? spkiPrefix.ed25519 : publicKey.length === 33 ? spkiPrefix.es256Compressed : spkiPrefix.es256Uncompressed;
  try {
    // Strict decoding (canonical, on the curve) and not of small order, as the portable verifier requires; once per key.
    if (alg === 'EdDSA' && ed25519.Point.fromBytes(publicKey, false).isSmallOrder()) throw new RangeError('small-order key');
    key = createPublicKey({ key: Buffer.concat([prefix, publicKey]), format: 'der', type: 'spki' });
  } catch {
    key = null; // not a point on the curve, or refused above
  }
  if (keys.size >= maxCachedKeys) keys.delete(keys.keys().next().value as string);
  keys.set(name, key);
  return key;
}

function isSec1(publicKey: Uint8Array): boolean {
  return (publicKey.length === 33 && (publicKey[0] === 2 || publicKey[0] === 3)) || (publicKey.length === 65 && publicKey[0] === 4);
}

/** src/crypto/verify.ts's `verify`, on OpenSSL. */
// A named function, so profiles (bench/load.ts) can tell verification's time (the bundler may suffix the name).
export const serverVerify: SignatureCheck = function serverVerify(alg, publicKey, message, signature) {
  try {
    if (!(publicKey instanceof Uint8Array) || !(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) return false;
    if (signature.length !== 64) return false;
    if (alg === 'ES256') {
      if (!isSec1(publicKey)) return false;
      const r = bigEndian(signature, 0, 32);
      const s = bigEndian(signature, 32, 32);
      if (r === 0n || r >= n || s === 0n || s > halfN) return false;
      const key = publicKeyObject('ES256', publicKey);
      return key !== null && nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    if (alg === 'EdDSA') {
      if (publicKey.length !== 32) return false;
      if (edwardsY(publicKey, 0) >= p || edwardsY(signature, 0) >= p || littleEndian(signature, 32, 32) >= L) return false;
      const key = publicKeyObject('EdDSA', publicKey);
      if (key === null) return false;
      return nodeVerify(null, message, key, signature) || portableVerify('EdDSA', publicKey, message, signature);
    }
    return false;
  } catch {
    return false;
  }
};

/** src/authorization/envelope.ts's `signedBy`, checked with `serverVerify`. */
export function serverSignedBy(opened: Opened, key: PublicKey): boolean {
  return signedBy(opened, key, serverVerify);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64url');
}

/**
 * An ES256 signer over a 32-byte secret on OpenSSL: raw r||s, always low-S
 * (OpenSSL picks s either way, so a high one is replaced by n - s, which
 * verifies the same), as the terminal's verifier requires.
 */
export function serverEs256Sign(secret: Uint8Array): (message: Uint8Array) => Uint8Array {
  const point = p256.getPublicKey(secret, false);
  const key = createPrivateKey({
    key: { kty: 'EC', crv: 'P-256', d: base64url(secret), x: base64url(point.subarray(1, 33)), y: base64url(point.subarray(33, 65)) },
    format: 'jwk',
  });
  return (message) => toLowS(new Uint8Array(nodeSign('sha256', message, { key, dsaEncoding: 'ieee-p1363' })));
}
