/**
 * What the portable HAL costs on the device: software-keystore signing and key
 * generation, in XS instructions (cachegrind, deterministic) and V8 time.
 * Run: npx tsx bench/hal.ts
 */
import { measureCases } from './measure';

await measureCases('Portable HAL on XS (per op, steady state)', [
  ['keystore sign ES256 (300 B)', 'keystore-sign-es256.ts'],
  ['keystore sign EdDSA (300 B)', 'keystore-sign-eddsa.ts'],
  ['keystore create ES256', 'keystore-create-es256.ts'],
]);
