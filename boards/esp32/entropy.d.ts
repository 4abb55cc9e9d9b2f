import type { Entropy } from '../../hal/entropy';
export function createEsp32Entropy(): Entropy;
