/**
 * What the authorization spine costs the terminal: signing a request (build,
 * encode, ES256 through the software keystore, SHA-256 binding) and verifying
 * a decision (decode, ES256, binding, freshness), in XS instructions
 * (cachegrind, deterministic) and V8 time. Run: npx tsx bench/authorization.ts
 */
import { join } from 'node:path';
import { formatCount, printTable, v8MillisPerOp, xsInstructionsPerOp } from './measure';

const cases = [
  ['sign an authorization request (ES256, ~290 B)', 'authorization-request-sign.ts'],
  ['verify a decision (ES256, ~210 B)', 'authorization-decision-verify.ts'],
];

const rows: string[][] = [];
for (const [name, file] of cases) {
  const path = join(import.meta.dirname, 'cases', file);
  const xs = await xsInstructionsPerOp(path, { reps: 3, warmup: 2 });
  const v8 = await v8MillisPerOp(path);
  rows.push([name, formatCount(xs), v8.toFixed(2)]);
}
printTable('Authorization on the terminal (per op, steady state)', ['op', 'XS instructions', 'V8 ms'], rows);
