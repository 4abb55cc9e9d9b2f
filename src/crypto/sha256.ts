/**
 * SHA-256 (FIPS 180-4) written for XS. noble's implementation is correct and
 * fast on V8, but on XS every `rotr`, `Chi` and `Maj` helper call and every
 * `DataView.getUint32` costs a function call (~700 of them a block): about
 * 17,800 XS instructions a byte. Here each rotation is inline and the words
 * are read from the bytes directly: about 8,300 a byte (docs/speed.md). Every
 * hash the terminal computes on the payment's path (the request hash, the
 * ES256 prehash of what it signs and verifies, the nonce derivation of a
 * prepared signature) goes through this. Checked against the FIPS 180-4
 * vectors and noble on every length around the block boundaries (test/core/crypto).
 *
 * Preload-safe: the round constants are a constant array; the state and the
 * message schedule are allocated per call (a plain array: cheaper to index on
 * XS than an Int32Array, measured).
 */
import { feedBlocks, wordsToBytes } from './md-blocks';

const roundConstants = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

const blockBytes = 64;

/** One 64-byte block of `bytes` at `offset` into `state` (eight 32-bit words); `w` is the 64-word schedule. */
function compress(state: number[], w: number[], bytes: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++, offset += 4) {
    w[i] = (bytes[offset] << 24) | (bytes[offset + 1] << 16) | (bytes[offset + 2] << 8) | bytes[offset + 3];
  }
  for (let i = 16; i < 64; i++) {
    const x = w[i - 15];
    const y = w[i - 2];
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[i] = (s0 + s1 + w[i - 7] + w[i - 16]) | 0;
  }
  let a = state[0];
  let b = state[1];
  let c = state[2];
  let d = state[3];
  let e = state[4];
  let f = state[5];
  let g = state[6];
  let h = state[7];
  for (let i = 0; i < 64; i++) {
    const sigma1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + sigma1 + ((e & f) ^ (~e & g)) + roundConstants[i] + w[i]) | 0;
    const sigma0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (sigma0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  state[0] = (state[0] + a) | 0;
  state[1] = (state[1] + b) | 0;
  state[2] = (state[2] + c) | 0;
  state[3] = (state[3] + d) | 0;
  state[4] = (state[4] + e) | 0;
  state[5] = (state[5] + f) | 0;
  state[6] = (state[6] + g) | 0;
  state[7] = (state[7] + h) | 0;
}

/** The SHA-256 digest (32 bytes) of the parts one after the other. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const state = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  const w: number[] = [];
  for (let i = 0; i < 64; i++) w.push(0);
  feedBlocks(parts, blockBytes, 8, (bytes, offset) => compress(state, w, bytes, offset));
  return wordsToBytes(state);
}

/** HMAC-SHA-256 (RFC 2104) of the message parts under `key`. */
export function hmacSha256(key: Uint8Array, ...message: Uint8Array[]): Uint8Array {
  const block = new Uint8Array(blockBytes);
  block.set(key.length > blockBytes ? sha256(key) : key);
  const inner = new Uint8Array(blockBytes);
  const outer = new Uint8Array(blockBytes);
  for (let i = 0; i < blockBytes; i++) {
    inner[i] = block[i] ^ 0x36;
    outer[i] = block[i] ^ 0x5c;
  }
  block.fill(0);
  try {
    return sha256(outer, sha256(inner, ...message));
  } finally {
    inner.fill(0);
    outer.fill(0);
  }
}
