/**
 * What the portable HAL costs on the device: software-keystore signing and key
 * generation, in XS instructions (cachegrind, deterministic) and V8 time.
 * Run: npx tsx bench/hal.ts
 */
import { join } from 'node:path';
import { formatCount, printTable, v8MillisPerOp, xsInstructionsPerOp } from './measure';

const cases = [
  ['keystore sign ES256 (300 B)', 'keystore-sign-es256.ts'],
  ['keystore sign EdDSA (300 B)', 'keystore-sign-eddsa.ts'],
  ['keystore create ES256', 'keystore-create-es256.ts'],
];

const rows: string[][] = [];
for (const [name, file] of cases) {
  const path = join(import.meta.dirname, 'cases', file);
  const xs = await xsInstructionsPerOp(path, { reps: 3, warmup: 2 });
  const v8 = await v8MillisPerOp(path);
  rows.push([name, formatCount(xs), v8.toFixed(2)]);
}
printTable('Portable HAL on XS (per op, steady state)', ['op', 'XS instructions', 'V8 ms'], rows);
