/**
 * What the curve modules (p256.ts, ed25519.ts) share: reduction into [0, m),
 * inversion modulo a prime (one, or many at once) and the width-w NAF of a scalar. Plain functions
 * over BigInts, shaped for XS (docs/speed.md): few BigInt operations, none
 * per bit. Compares BigInts, so never preloaded (tools/device/modules.ts).
 */

export function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

/** a⁻¹ mod m for 0 < a < m, m prime (extended Euclid: cheaper on XS than a^(m-2)). */
export function invert(a: bigint, m: bigint): bigint {
  let r0 = m;
  let r1 = a;
  let t0 = 0n;
  let t1 = 1n;
  while (r1 !== 0n) {
    const q = r0 / r1;
    const r2 = r0 - q * r1;
    r0 = r1;
    r1 = r2;
    const t2 = t0 - q * t1;
    t0 = t1;
    t1 = t2;
  }
  return t0 < 0n ? t0 + m : t0;
}

/** The inverses mod m of values all non-zero mod m (any sign), with one inversion for all (Montgomery's trick). */
export function invertAll(values: readonly bigint[], m: bigint): bigint[] {
  const count = values.length;
  const prefix: bigint[] = new Array(count).fill(0n);
  let acc = 1n;
  for (let i = 0; i < count; i++) {
    acc = (acc * values[i]) % m;
    prefix[i] = acc;
  }
  let inv = count > 0 ? invert(mod(acc, m), m) : 1n;
  const out: bigint[] = new Array(count).fill(0n);
  for (let i = count - 1; i > 0; i--) {
    out[i] = (inv * prefix[i - 1]) % m;
    inv = (inv * values[i]) % m;
  }
  if (count > 0) out[0] = inv;
  return out;
}

/**
 * The width-w NAF of 0 <= k < 2^256, least significant digit first: digits are 0 or odd in (-2^(w-1), 2^(w-1)),
 * at most one non-zero in any w consecutive. Empty for k = 0.
 */
export function naf(k: bigint, width: number): Int8Array {
  if (k === 0n) return new Int8Array(0);
  // The scalar's bits, read 32 at a time (one BigInt operation per word, not per bit).
  const bits = new Uint8Array(256 + width + 1);
  for (let word = 0; word < 8; word++) {
    const w = Number(k & 0xffffffffn);
    k >>= 32n;
    for (let b = 0; b < 32; b++) bits[word * 32 + b] = (w >>> b) & 1;
  }
  const digits = new Int8Array(256 + width + 1);
  const full = 1 << width;
  const half = full >> 1;
  let i = 0;
  while (i < 256 + 1) {
    if (bits[i] === 0) {
      i++;
      continue;
    }
    let v = 0;
    for (let b = 0; b < width; b++) v |= bits[i + b] << b;
    for (let b = 0; b < width; b++) bits[i + b] = 0;
    if (v >= half) {
      v -= full;
      // The borrowed 2^w: carry one into the bit above the window.
      let j = i + width;
      while (bits[j] === 1) bits[j++] = 0;
      bits[j] = 1;
    }
    digits[i] = v;
    i += width;
  }
  return digits;
}
