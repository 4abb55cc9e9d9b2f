/** The simulator's entropy HAL: the operating system's CSPRNG through node:crypto. */
import { randomFillSync } from 'node:crypto';
import type { Entropy } from '../entropy';

export const nodeEntropy: Entropy = {
  fill(bytes: Uint8Array): Uint8Array {
    return randomFillSync(bytes);
  },
};
