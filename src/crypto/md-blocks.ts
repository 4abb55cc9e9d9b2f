/**
 * What SHA-256 and SHA-512 (sha256.ts, sha512.ts) share around their
 * compression functions (FIPS 180-4 5.1, 6.2.2, 6.4.2): the message parts fed
 * one block at a time (whole blocks straight from the input, without
 * copying), the padding (0x80, zeros, the length in bits big-endian at the end
 * of the last block), and the state's 32-bit words out as big-endian bytes.
 */

/**
 * Feeds the parts, one after the other, then the padding, to `compress` (the bytes and the offset of each block of
 * `blockBytes`); the length field is the last `lengthBytes` of the padding (8 or 16). Lengths below 2^53 bits.
 */
export function feedBlocks(parts: readonly Uint8Array[], blockBytes: number, lengthBytes: number, compress: (bytes: Uint8Array, offset: number) => void): void {
  const block = new Uint8Array(2 * blockBytes);
  let filled = 0;
  let length = 0;
  for (const bytes of parts) {
    length += bytes.length;
    let i = 0;
    if (filled > 0) {
      const take = Math.min(blockBytes - filled, bytes.length);
      block.set(bytes.subarray(0, take), filled);
      filled += take;
      i = take;
      if (filled < blockBytes) continue;
      compress(block, 0);
      filled = 0;
    }
    for (; i + blockBytes <= bytes.length; i += blockBytes) compress(bytes, i);
    if (i < bytes.length) {
      block.set(bytes.subarray(i), 0);
      filled = bytes.length - i;
    }
  }
  // One block more when the length field does not fit after the 0x80 byte.
  block.fill(0, filled);
  block[filled] = 0x80;
  const end = filled < blockBytes - lengthBytes ? blockBytes : 2 * blockBytes;
  const high = Math.floor(length / 0x20000000);
  const low = (length * 8) >>> 0;
  block[end - 8] = high >>> 24;
  block[end - 7] = (high >>> 16) & 0xff;
  block[end - 6] = (high >>> 8) & 0xff;
  block[end - 5] = high & 0xff;
  block[end - 4] = low >>> 24;
  block[end - 3] = (low >>> 16) & 0xff;
  block[end - 2] = (low >>> 8) & 0xff;
  block[end - 1] = low & 0xff;
  for (let offset = 0; offset < end; offset += blockBytes) compress(block, offset);
}

/** The 32-bit words as big-endian bytes. */
export function wordsToBytes(words: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 * words.length);
  for (let i = 0; i < words.length; i++) {
    const word = words[i];
    out[4 * i] = word >>> 24;
    out[4 * i + 1] = (word >>> 16) & 0xff;
    out[4 * i + 2] = (word >>> 8) & 0xff;
    out[4 * i + 3] = word & 0xff;
  }
  return out;
}
