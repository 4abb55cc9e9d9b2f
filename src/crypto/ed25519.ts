/**
 * Ed25519 verification (RFC 8032 5.1.7) with arithmetic shaped for XS, as
 * p256.ts is for ECDSA: every BigInt operation and function call is
 * interpreted and every BigInt result a fresh allocation, so the fewer
 * operations the faster. The rules are noble's `ed25519.verify` with zip215
 * false, the oracle this replaced: A and R strictly decoded (y < p, a square
 * root, no x = 0 with the sign bit set), S < L, keys of small order refused,
 * k = SHA-512(R || A || M) mod L (sha512.ts, also shaped for XS), and the
 * cofactored equation [8]([S]B - [k]A - R) = 0.
 *
 * - Extended twisted Edwards coordinates (X : Y : Z : T), a = -1: a doubling
 *   is 4 squarings and 3 or 4 products (dbl-2008-hwcd, T only when an
 *   addition follows), an addition of a table point 7 products
 *   (add-2008-hwcd-3 with Z2 = 1, the point as y + x, y - x, 2d·x·y). The
 *   formulas are complete on this curve (d is not a square): no exceptional
 *   case to check, a crafted signature cannot steer them wrong.
 * - Lazy reduction: each product reduced once (`% P`, which keeps the sign),
 *   sums and differences never; only the final comparisons normalise.
 * - [S]B - [k]A in one pass of ~253 doublings (Shamir's trick) over width-w
 *   NAFs: B's 64 odd multiples made once, A's 8 per verification (16 for a
 *   prepared key), each table affine with one inversion (Montgomery's trick).
 *
 * The answers are noble's for every input (test/node/ed25519.test.ts:
 * Wycheproof, random and mutated signatures, keys and messages, non-canonical
 * and small-order points). Like p256.ts it compares BigInts, so it is never
 * preloaded (tools/device/modules.ts): B's table is made at boot, in RAM.
 */
import { sha512 } from './sha512';
import { invertAll, mod, naf } from './field';

const P = 0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffedn;
const L = 0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3edn;
const D = 0x52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3n;
const D2 = (2n * D) % P;
/** A square root of -1: 2^((p-1)/4). */
const SQRT_M1 = 0x2b8324804fc1df0b2b4d00993dfbd7a72f431806ad2fe478c4ee1b274a0ea0b0n;
const BX = 0x216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51an;
const BY = 0x6666666666666666666666666666666666666666666666666666666666666658n;

/** Width of B's NAF (64 odd multiples, made once), of A's (8, per verification) and of a prepared key's (16). */
const B_WIDTH = 8;
const A_WIDTH = 5;
const PREPARED_WIDTH = 6;

/** The running sum: x = X/Z, y = Y/Z, x·y = T/Z (T kept only where an addition reads it). */
interface Extended {
  x: bigint;
  y: bigint;
  z: bigint;
  t: bigint;
}

/** Affine points as additions read them: y + x, y - x and 2d·x·y, each reduced. */
interface NielsTable {
  plus: bigint[];
  minus: bigint[];
  xy2d: bigint[];
}

/** a = 2a; its T only when `withT` (an addition comes next). */
function double(a: Extended, withT: boolean): void {
  const { x, y, z } = a;
  const xx = (x * x) % P;
  const yy = (y * y) % P;
  const c = 2n * ((z * z) % P);
  const s = x + y;
  const e = (s * s) % P - xx - yy;
  const g = yy - xx;
  const f = g - c;
  const h = -xx - yy;
  a.x = (e * f) % P;
  a.y = (g * h) % P;
  a.z = (f * g) % P;
  if (withT) a.t = (e * h) % P;
}

/** a += the table point (plus, minus, xy2d); its negation is (minus, plus, -xy2d). */
function add(a: Extended, plus: bigint, minus: bigint, xy2d: bigint): void {
  const { x, y, z, t } = a;
  finishAddition(a, ((y - x) * minus) % P, ((y + x) * plus) % P, (t * xy2d) % P, 2n * z);
}

/** a += b, both extended (for building tables). */
function addExtended(a: Extended, b: Extended): void {
  finishAddition(a, ((a.y - a.x) * (b.y - b.x)) % P, ((a.y + a.x) * (b.y + b.x)) % P, (((a.t * D2) % P) * b.t) % P, 2n * ((a.z * b.z) % P));
}

/** The end of add-2008-hwcd-3, from A = (Y1 - X1)(Y2 - X2), B = (Y1 + X1)(Y2 + X2), C = T1·2d·T2 and D = 2·Z1·Z2. */
function finishAddition(a: Extended, pa: bigint, pb: bigint, c: bigint, d: bigint): void {
  const e = pb - pa;
  const f = d - c;
  const g = d + c;
  const h = pb + pa;
  a.x = (e * f) % P;
  a.y = (g * h) % P;
  a.z = (f * g) % P;
  a.t = (e * h) % P;
}

/** True when a is the identity (x = 0, y = 1). */
function isIdentity(a: Extended): boolean {
  return a.x % P === 0n && (a.y - a.z) % P === 0n;
}

/** The odd multiples 1A ... (2·count - 1)A of the affine point (x, y), in Niels form (one inversion for all). */
function oddMultiples(x: bigint, y: bigint, count: number): NielsTable {
  const twice: Extended = { x, y, z: 1n, t: (x * y) % P };
  double(twice, true);
  const points: Extended[] = [{ x, y, z: 1n, t: (x * y) % P }];
  for (let i = 1; i < count; i++) {
    const prev = points[i - 1];
    const next: Extended = { x: prev.x, y: prev.y, z: prev.z, t: prev.t };
    addExtended(next, twice);
    points.push(next);
  }
  return toNiels(points);
}

/** The points brought to affine Niels form with one inversion for all (Montgomery's trick). */
function toNiels(points: Extended[]): NielsTable {
  const count = points.length;
  const zInverses = invertAll(points.map((point) => point.z), P);
  const plus: bigint[] = new Array(count).fill(0n);
  const minus: bigint[] = new Array(count).fill(0n);
  const xy2d: bigint[] = new Array(count).fill(0n);
  for (let i = 0; i < count; i++) {
    const x = mod(points[i].x * zInverses[i], P);
    const y = mod(points[i].y * zInverses[i], P);
    plus[i] = (y + x) % P;
    minus[i] = mod(y - x, P);
    xy2d[i] = (((x * y) % P) * D2) % P;
  }
  return { plus, minus, xy2d };
}

/** x^(2^k) mod P. */
function squarings(x: bigint, k: number): bigint {
  for (let i = 0; i < k; i++) x = (x * x) % P;
  return x;
}

/** x^((p - 5) / 8) = x^(2^252 - 3), by noble's addition chain (ed25519.ts `ed25519_pow_2_252_3`). */
function powP58(x: bigint): bigint {
  const x2 = (x * x) % P;
  const b2 = (x2 * x) % P;
  const b4 = (squarings(b2, 2) * b2) % P;
  const b5 = (squarings(b4, 1) * x) % P;
  const b10 = (squarings(b5, 5) * b5) % P;
  const b20 = (squarings(b10, 10) * b10) % P;
  const b40 = (squarings(b20, 20) * b20) % P;
  const b80 = (squarings(b40, 40) * b40) % P;
  const b160 = (squarings(b80, 80) * b80) % P;
  const b240 = (squarings(b160, 80) * b80) % P;
  const b250 = (squarings(b240, 10) * b10) % P;
  return (squarings(b250, 2) * x) % P;
}

function littleEndian(bytes: Uint8Array, start: number, end: number): bigint {
  let n = 0n;
  for (let i = end - 4; i >= start; i -= 4) {
    n = (n << 32n) | BigInt(((bytes[i + 3] << 24) | (bytes[i + 2] << 16) | (bytes[i + 1] << 8) | bytes[i]) >>> 0);
  }
  return n;
}

/** The 32-byte point encoding at `start` (RFC 8032 5.1.3, strict) as affine (x, y), or undefined. */
function decodePoint(bytes: Uint8Array, start: number): { x: bigint; y: bigint } | undefined {
  const sign = bytes[start + 31] >> 7;
  const y = littleEndian(bytes, start, start + 32) & ((1n << 255n) - 1n);
  if (y >= P) return undefined;
  const yy = (y * y) % P;
  const u = mod(yy - 1n, P);
  const v = (D * yy + 1n) % P;
  // x = u·v³·(u·v⁷)^((p-5)/8): a square root of u/v if there is one (RFC 8032 5.1.3 step 3).
  const v3 = (((v * v) % P) * v) % P;
  const v7 = (((v3 * v3) % P) * v) % P;
  let x = mod(((u * v3) % P) * powP58((u * v7) % P), P);
  const vxx = mod(v * ((x * x) % P), P);
  if (vxx === u) {
    // x is a root
  } else if (vxx === mod(-u, P)) x = (x * SQRT_M1) % P;
  else return undefined;
  if (x === 0n && sign === 1) return undefined;
  if (Number(x & 1n) !== sign) x = P - x;
  return { x, y };
}

/** True for a point of order 1, 2, 4 or 8: [8]A is the identity. */
function isSmallOrder(x: bigint, y: bigint): boolean {
  const a: Extended = { x, y, z: 1n, t: 0n };
  double(a, false);
  double(a, false);
  double(a, false);
  return isIdentity(a);
}

/** B's odd multiples, made once when the module is first evaluated and only read after. */
const B_TABLE = oddMultiples(BX, BY, 1 << (B_WIDTH - 2));

/** A public key made ready for many verifications: decoded and checked once, with a wider table of A. */
export interface Ed25519Key {
  /** As `verifyEd25519`, with this key. */
  verify(message: Uint8Array, signature: Uint8Array): boolean;
}

/** The 32-byte key decoded, refused when of small order. */
export function decodeKey(publicKey: Uint8Array): { x: bigint; y: bigint } | undefined {
  if (publicKey.length !== 32) return undefined;
  const a = decodePoint(publicKey, 0);
  return a && !isSmallOrder(a.x, a.y) ? a : undefined;
}

/** Ed25519 verification of `message` with the 32-byte `publicKey` and 64-byte `signature`. Never throws for byte arrays. */
export function verifyEd25519(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64) return false;
  const a = decodeKey(publicKey);
  return a !== undefined && check(oddMultiples(a.x, a.y, 1 << (A_WIDTH - 2)), A_WIDTH, publicKey, message, signature);
}

/**
 * `publicKey` decoded, checked and its table made (~5 M XS instructions), for a key checked again and again (a
 * trusted issuer's, a returning customer's device key): each verification then skips the decoding (a square root),
 * the small-order check and the table. Undefined for an invalid key.
 */
export function prepareEd25519(publicKey: Uint8Array): Ed25519Key | undefined {
  const a = decodeKey(publicKey);
  if (!a) return undefined;
  const key = publicKey.slice();
  const table = oddMultiples(a.x, a.y, 1 << (PREPARED_WIDTH - 2));
  return { verify: (message, signature) => signature.length === 64 && check(table, PREPARED_WIDTH, key, message, signature) };
}

function check(table: NielsTable, width: number, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const s = littleEndian(signature, 32, 64);
  if (s >= L) return false;
  const r = decodePoint(signature, 0);
  if (!r) return false;
  const k = littleEndian(sha512(signature.subarray(0, 32), publicKey, message), 0, 64) % L;
  const sum = combine(s, k, table, width);
  // - R, then the cofactor: [8]([S]B - [k]A - R) must be the identity.
  add(sum, mod(r.y - r.x, P), (r.y + r.x) % P, -((((r.x * r.y) % P) * D2) % P));
  double(sum, false);
  double(sum, false);
  double(sum, false);
  return isIdentity(sum);
}

/** [s]B - [k]A, Shamir's trick over both NAFs, with T current (the addition of -R reads it). */
function combine(s: bigint, k: bigint, a: NielsTable, width: number): Extended {
  const b = B_TABLE;
  const d1 = naf(s, B_WIDTH);
  const d2 = naf(k, width);
  const sum: Extended = { x: 0n, y: 1n, z: 1n, t: 0n };
  let empty = true;
  for (let i = Math.max(d1.length, d2.length) - 1; i >= 0; i--) {
    const u = i < d1.length ? d1[i] : 0;
    const v = i < d2.length ? d2[i] : 0;
    // T only where an addition reads it: the next addition here, or -R's after the loop.
    if (!empty) double(sum, u !== 0 || v !== 0 || i === 0);
    if (u > 0) add(sum, b.plus[u >> 1], b.minus[u >> 1], b.xy2d[u >> 1]);
    else if (u < 0) add(sum, b.minus[-u >> 1], b.plus[-u >> 1], -b.xy2d[-u >> 1]);
    // -[k]A: A's digits added negated.
    if (v > 0) add(sum, a.minus[v >> 1], a.plus[v >> 1], -a.xy2d[v >> 1]);
    else if (v < 0) add(sum, a.plus[-v >> 1], a.minus[-v >> 1], a.xy2d[-v >> 1]);
    if (u !== 0 || v !== 0) empty = false;
  }
  return sum;
}
