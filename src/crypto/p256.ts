/**
 * ECDSA P-256 verification (FIPS 186-5 6.4.2) with arithmetic shaped for XS,
 * where every BigInt operation and every function call is interpreted and a
 * BigInt result is a fresh allocation: the fewer operations, the faster.
 * noble's (`@noble/curves` weierstrass.ts) is general and careful: complete
 * addition formulas valid for any curve, a field object whose every add and
 * multiply is a method call and a reduction. Here, for this one curve:
 *
 * - Jacobian coordinates with a = -3: a doubling is 4 squarings and 4 products
 *   (dbl-2001-b), an addition of a point from an affine table 11 products
 *   (madd-2007-bl's shape), each written out inline.
 * - Lazy reduction: a value is reduced (`% P`) once per product, never after an
 *   addition or subtraction; JavaScript's `%` keeps the dividend's sign, so
 *   values live in (-P, P) up to small multiples, and products of them are
 *   still exact BigInts. Only the final comparison normalises.
 * - u1·G + u2·Q in one pass of 256 doublings (Shamir's trick), both scalars in
 *   width-w NAF (signed odd digits, ~1 addition per w+1 bits): G's odd
 *   multiples are made once, Q's per verification (or once, wider, for a
 *   prepared key), each table brought to affine with one inversion
 *   (Montgomery's trick).
 * - x(R) mod n = r is checked as X = r·Z² (or (r + n)·Z² when r + n < p): no
 *   inversion of Z.
 * - The addition's exceptional cases (the same point: double; opposite points:
 *   infinity) are checked, not assumed away, so a crafted signature cannot
 *   steer the sum into a wrong formula.
 *
 * The answers are noble's for every input (test/node/p256.test.ts: Wycheproof
 * and random and mutated signatures, keys and messages, differential).
 *
 * The only module state is G's table, made when the module is evaluated and
 * only read after. The module compares BigInts, so it is never preloaded (XS
 * bug 3 in docs/moddable.md; tools/device/modules.ts): its constants are made
 * at boot, in RAM.
 */

import { invert, invertAll, mod, naf } from './field';
import { baseWindowsHex } from './p256-base-windows';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
const GX = 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n;
const GY = 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n;
const HALF_N = N >> 1n;
/** (p + 1) / 4: p = 3 mod 4, so a square root of a is a^((p+1)/4). */
const SQRT_EXPONENT = (P + 1n) >> 2n;

/** Width of G's NAF (16 affine odd multiples), of Q's (4, made per verification) and of a prepared key's (16). */
const G_WIDTH = 6;
const Q_WIDTH = 4;
const PREPARED_WIDTH = 6;
/** Fixed windows: 65 of 4 bits (the top one takes the signed recoding's carry), 8 multiples each. */
const WINDOWS = 65;
const WINDOW_POINTS = 8;

/** Affine points, x and y apart (for odd multiples: xs[i], ys[i] = (2i + 1)P; for fixed windows see below). */
export interface AffineTable {
  xs: bigint[];
  ys: bigint[];
}

/** The running sum, in Jacobian coordinates (x = X/Z², y = Y/Z³); `infinity` stands for Z = 0. */
interface Jacobian {
  x: bigint;
  y: bigint;
  z: bigint;
  infinity: boolean;
}

function double(a: Jacobian): void {
  const { x, y, z } = a;
  const delta = (z * z) % P;
  const gamma = (y * y) % P;
  const beta = (x * gamma) % P;
  const alpha = (3n * (x - delta) * (x + delta)) % P;
  const x3 = (alpha * alpha - 8n * beta) % P;
  a.z = (2n * y * z) % P;
  a.y = (alpha * (4n * beta - x3) - 8n * ((gamma * gamma) % P)) % P;
  a.x = x3;
}

/** a += (x2, y2), an affine point (never infinity). */
function addAffine(a: Jacobian, x2: bigint, y2: bigint): void {
  if (a.infinity) {
    a.x = x2;
    a.y = y2;
    a.z = 1n;
    a.infinity = false;
    return;
  }
  const { x, y, z } = a;
  const zz = (z * z) % P;
  const h = (x2 * zz - x) % P;
  const r = (((y2 * z) % P) * zz - y) % P;
  // h and r are in (-p, p): zero is the only multiple of p they can be.
  if (h === 0n) {
    if (r === 0n) double(a);
    else a.infinity = true;
    return;
  }
  const hh = (h * h) % P;
  const hhh = (h * hh) % P;
  const v = (x * hh) % P;
  const x3 = (r * r - hhh - 2n * v) % P;
  a.y = (r * (v - x3) - y * hhh) % P;
  a.z = (z * h) % P;
  a.x = x3;
}

/** a += b, both Jacobian and not infinity. */
function addJacobian(a: Jacobian, b: Jacobian): void {
  const z1z1 = (a.z * a.z) % P;
  const z2z2 = (b.z * b.z) % P;
  const u1 = (a.x * z2z2) % P;
  const s1 = (((a.y * b.z) % P) * z2z2) % P;
  const h = (b.x * z1z1 - u1) % P;
  const r = (((b.y * a.z) % P) * z1z1 - s1) % P;
  if (h === 0n) {
    if (r === 0n) double(a);
    else a.infinity = true;
    return;
  }
  const hh = (h * h) % P;
  const hhh = (h * hh) % P;
  const v = (u1 * hh) % P;
  const x3 = (r * r - hhh - 2n * v) % P;
  a.y = (r * (v - x3) - s1 * hhh) % P;
  a.z = (((a.z * b.z) % P) * h) % P;
  a.x = x3;
}

/** The odd multiples 1P ... (2·count - 1)P of the affine point (px, py), affine (one inversion for all). */
function oddMultiples(px: bigint, py: bigint, count: number): AffineTable {
  const twice: Jacobian = { x: px, y: py, z: 1n, infinity: false };
  double(twice);
  const points: Jacobian[] = [{ x: px, y: py, z: 1n, infinity: false }];
  for (let i = 1; i < count; i++) {
    const prev = points[i - 1];
    const next: Jacobian = { x: prev.x, y: prev.y, z: prev.z, infinity: false };
    // 2P stays Jacobian: a few more products per addition cost less than inverting its Z.
    addJacobian(next, twice);
    if (next.infinity) throw new RangeError('a point of small order');
    points.push(next);
  }
  return toAffine(points);
}

/**
 * Fixed 4-bit windows of the affine point (px, py): for window j (0 to 64) the multiples 1 to 8 of 16^j·P, at
 * xs[8j + m - 1], ys[8j + m - 1]. With them k·P is a sum of 65 table points and no doubling (`windowDigits`).
 */
export function fixedWindows(px: bigint, py: bigint): AffineTable {
  const points: Jacobian[] = [];
  let base: Jacobian = { x: px, y: py, z: 1n, infinity: false };
  for (let j = 0; j < WINDOWS; j++) {
    let multiple = base;
    points.push(multiple);
    for (let m = 2; m <= WINDOW_POINTS; m++) {
      multiple = { x: multiple.x, y: multiple.y, z: multiple.z, infinity: false };
      addJacobian(multiple, base);
      if (multiple.infinity) throw new RangeError('a point of small order');
      points.push(multiple);
    }
    base = { x: multiple.x, y: multiple.y, z: multiple.z, infinity: false };
    double(base); // 16^(j+1)·P = 2 · (8 · 16^j·P)
  }
  return toAffine(points);
}

/** The points brought to affine, reduced, with one inversion for all (Montgomery's trick). None is infinity. */
function toAffine(points: Jacobian[]): AffineTable {
  const count = points.length;
  const zInverses = invertAll(points.map((point) => point.z), P);
  const xs: bigint[] = new Array(count).fill(0n);
  const ys: bigint[] = new Array(count).fill(0n);
  for (let i = 0; i < count; i++) {
    const zInv = zInverses[i];
    const zInv2 = (zInv * zInv) % P;
    xs[i] = mod(points[i].x * zInv2, P);
    ys[i] = mod(((points[i].y * zInv2) % P) * zInv, P);
  }
  return { xs, ys };
}

/** The signed 4-bit digits of 0 <= k < 2^256, least significant first: 65 digits in [-8, 7], k = sum d_j·16^j. */
function windowDigits(k: bigint): Int8Array {
  const digits = new Int8Array(WINDOWS);
  let carry = 0;
  for (let word = 0; word < 8; word++) {
    const w = Number(k & 0xffffffffn);
    k >>= 32n;
    for (let nibble = 0; nibble < 8; nibble++) {
      let d = ((w >>> (4 * nibble)) & 15) + carry;
      carry = d >= 8 ? 1 : 0;
      if (carry) d -= 16;
      digits[word * 8 + nibble] = d;
    }
  }
  digits[64] = carry;
  return digits;
}

function bigEndian(bytes: Uint8Array, start: number, end: number): bigint {
  let n = 0n;
  for (let i = start; i < end; i += 4) {
    n = (n << 32n) | BigInt(((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0);
  }
  return n;
}

/** The curve's right-hand side x³ - 3x + b, reduced. */
function rhs(x: bigint): bigint {
  return mod(((x * x) % P) * x - 3n * x + B, P);
}

function pow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let b = base;
  let e = exponent;
  while (e > 0n) {
    if ((e & 1n) === 1n) result = (result * b) % P;
    b = (b * b) % P;
    e >>= 1n;
  }
  return result;
}

/** A SEC1 point (33 or 65 bytes) on the curve as affine (x, y), or undefined. */
export function decodePoint(bytes: Uint8Array): { x: bigint; y: bigint } | undefined {
  if (bytes.length === 65 && bytes[0] === 4) {
    const x = bigEndian(bytes, 1, 33);
    const y = bigEndian(bytes, 33, 65);
    if (x >= P || y >= P) return undefined;
    return (y * y) % P === rhs(x) ? { x, y } : undefined;
  }
  if (bytes.length === 33 && (bytes[0] === 2 || bytes[0] === 3)) {
    const x = bigEndian(bytes, 1, 33);
    if (x >= P) return undefined;
    const y2 = rhs(x);
    let y = pow(y2, SQRT_EXPONENT);
    if ((y * y) % P !== y2) return undefined;
    if (Number(y & 1n) !== (bytes[0] & 1)) y = P - y;
    return { x, y: y % P };
  }
  return undefined;
}

/** G's odd multiples, made once when the module is first evaluated and only read after. */
const G_TABLE = oddMultiples(GX, GY, 1 << (G_WIDTH - 2));

/** Reads a table written by `tableHex`. */
function tableFromHex(points: readonly string[]): AffineTable {
  const count = points.length;
  const xs: bigint[] = new Array(count);
  const ys: bigint[] = new Array(count);
  for (let i = 0; i < count; i++) {
    xs[i] = BigInt('0x' + points[i].slice(0, 64));
    ys[i] = BigInt('0x' + points[i].slice(64));
  }
  return { xs, ys };
}

/** A table as hex, one string a point, x then y, 64 digits each: how `baseWindowsHex` is written (tools/crypto/p256-base-windows.ts). */
export function tableHex(table: AffineTable): string[] {
  return table.xs.map((x, i) => x.toString(16).padStart(64, '0') + table.ys[i].toString(16).padStart(64, '0'));
}

/** G's fixed windows (`fixedWindows(GX, GY)`), read from their hex when the module is evaluated: ~90 M XS instructions to compute, a few to read. */
const G_WINDOWS = tableFromHex(baseWindowsHex);

/** P-256's generator, affine. */
export const generator = { x: GX, y: GY };

/** A public key made ready for many verifications: decoded once, with a wider table of its odd multiples. */
export interface P256Key {
  /** As `verifyP256`, with this key. */
  verify(hash: Uint8Array, signature: Uint8Array): boolean;
}

/**
 * ECDSA verification of the 32-byte `hash` with the SEC1 `publicKey` and the raw r||s `signature`, low-S only
 * (verify.ts says why). False for anything invalid; never throws for byte arrays.
 */
export function verifyP256(publicKey: Uint8Array, hash: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64 || hash.length !== 32) return false;
  const q = decodePoint(publicKey);
  return q !== undefined && check(oddMultiples(q.x, q.y, 1 << (Q_WIDTH - 2)), Q_WIDTH, hash, signature);
}

/**
 * `publicKey` decoded and its table made (~1 M XS instructions), for a key checked again and again (the
 * authorizer's, a trusted issuer's): each verification then skips the decoding (a square root for a compressed
 * key) and the table, and needs fewer additions. Undefined for an invalid key.
 */
export function prepareP256(publicKey: Uint8Array): P256Key | undefined {
  const q = decodePoint(publicKey);
  if (!q) return undefined;
  const table = oddMultiples(q.x, q.y, 1 << (PREPARED_WIDTH - 2));
  return { verify: (hash, signature) => signature.length === 64 && hash.length === 32 && check(table, PREPARED_WIDTH, hash, signature) };
}

/**
 * `publicKey` decoded and its fixed windows made (~90 M XS instructions once, 520 points), for the one key checked
 * on every payment (the authorizer's decision key): a verification is then a sum of at most 130 table points, no
 * doubling. Undefined for an invalid key.
 */
export function prepareP256Windows(publicKey: Uint8Array): P256Key | undefined {
  const q = decodePoint(publicKey);
  if (!q) return undefined;
  const table = fixedWindows(q.x, q.y);
  return {
    verify: (hash, signature) => {
      if (signature.length !== 64 || hash.length !== 32) return false;
      const scalars = scalarsOf(hash, signature);
      return scalars !== undefined && matches(sumOfWindows(scalars.u1, scalars.u2, table), scalars.r);
    },
  };
}

/** r and the two scalars u1 = e/s, u2 = r/s mod n, or undefined when r or s is out of range or s is high. */
function scalarsOf(hash: Uint8Array, signature: Uint8Array): { r: bigint; u1: bigint; u2: bigint } | undefined {
  const r = bigEndian(signature, 0, 32);
  const s = bigEndian(signature, 32, 64);
  if (r === 0n || r >= N || s === 0n || s > HALF_N) return undefined;
  const e = bigEndian(hash, 0, 32) % N; // the hash is exactly as wide as n
  const w = invert(s, N);
  return { r, u1: (e * w) % N, u2: (r * w) % N };
}

/** R is not infinity and x(R) mod n = r, i.e. X = r·Z² or (r + n)·Z² (mod p). */
function matches(sum: Jacobian, r: bigint): boolean {
  if (sum.infinity) return false;
  const zz = (sum.z * sum.z) % P;
  if ((sum.x - r * zz) % P === 0n) return true;
  return r + N < P && (sum.x - (r + N) * zz) % P === 0n;
}

function check(q: AffineTable, qWidth: number, hash: Uint8Array, signature: Uint8Array): boolean {
  const scalars = scalarsOf(hash, signature);
  return scalars !== undefined && matches(combine(scalars.u1, q, scalars.u2, qWidth), scalars.r);
}

/** u1·G + u2·Q from both fixed-window tables. */
function sumOfWindows(u1: bigint, u2: bigint, q: AffineTable): Jacobian {
  const sum: Jacobian = { x: 0n, y: 1n, z: 0n, infinity: true };
  addWindows(sum, windowDigits(u1), G_WINDOWS);
  addWindows(sum, windowDigits(u2), q);
  return sum;
}

function addWindows(sum: Jacobian, digits: Int8Array, table: AffineTable): void {
  for (let j = 0; j < WINDOWS; j++) {
    const d = digits[j];
    if (d > 0) addAffine(sum, table.xs[8 * j + d - 1], table.ys[8 * j + d - 1]);
    else if (d < 0) addAffine(sum, table.xs[8 * j - d - 1], -table.ys[8 * j - d - 1]);
  }
}

/** u1·G + u2·Q, Shamir's trick over both NAFs. */
function combine(u1: bigint, q: AffineTable, u2: bigint, qWidth: number): Jacobian {
  const g = G_TABLE;
  const d1 = naf(u1, G_WIDTH);
  const d2 = naf(u2, qWidth); // r and s⁻¹ are non-zero mod the prime n: so is u2
  const sum: Jacobian = { x: 0n, y: 1n, z: 0n, infinity: true };
  for (let i = Math.max(d1.length, d2.length) - 1; i >= 0; i--) {
    if (!sum.infinity) double(sum);
    const a = i < d1.length ? d1[i] : 0;
    if (a > 0) addAffine(sum, g.xs[a >> 1], g.ys[a >> 1]);
    else if (a < 0) addAffine(sum, g.xs[-a >> 1], -g.ys[-a >> 1]);
    const b = i < d2.length ? d2[i] : 0;
    if (b > 0) addAffine(sum, q.xs[b >> 1], q.ys[b >> 1]);
    else if (b < 0) addAffine(sum, q.xs[-b >> 1], -q.ys[-b >> 1]);
  }
  return sum;
}
