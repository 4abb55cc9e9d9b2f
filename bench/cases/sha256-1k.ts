// SHA-256 of 1 KiB: a sanity case for the measurement helpers.
import { sha256 } from '@noble/hashes/sha2.js';

export function prepare(): Uint8Array {
  return new Uint8Array(1024).fill(7);
}

export function op(data: Uint8Array): void {
  sha256(data);
}
