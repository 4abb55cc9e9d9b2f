/**
 * Repeatable "randomness" for tests: SHA-256 in counter mode over a seed, so
 * key generation gives the same keys on Node and on XS. Never for production.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import type { Entropy } from '../../hal/entropy';

export function deterministicEntropy(seed: string): Entropy & { drawn: number } {
  const prefix = utf8ToBytes(seed);
  let counter = 0;
  const source = {
    drawn: 0,
    fill(bytes: Uint8Array): Uint8Array {
      for (let offset = 0; offset < bytes.length; offset += 32) {
        const input = new Uint8Array(prefix.length + 4);
        input.set(prefix);
        new DataView(input.buffer).setUint32(prefix.length, counter++);
        bytes.set(sha256(input).subarray(0, Math.min(32, bytes.length - offset)), offset);
      }
      source.drawn += bytes.length;
      return bytes;
    },
  };
  return source;
}
