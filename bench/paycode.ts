/**
 * Payment-code verification cost, in one run: for ES256 and EdDSA, a code
 * with a cold credential (two signatures; issuer key plain or prepared, see
 * src/crypto/prepared-key.ts) and with a cached one (one), on XS
 * (x86 instructions under cachegrind: the device-time proxy) and on V8, next
 * to one bare signature through src/crypto verify() (plain, with its key
 * prepared, and noble's p256.verify as the baseline for ES256) and to Node's
 * native crypto.verify on the same signatures (the speed limit).
 *
 * Run: npx tsx bench/paycode.ts [--quick]
 */
import { join } from 'node:path';
import { formatCount, printTable, v8MillisPerOp, xsInstructionsPerOp } from './measure';

const quick = process.argv.includes('--quick');
const cases = join(import.meta.dirname, 'cases');
const xsReps = { reps: quick ? 1 : 3, warmup: 1 };
const v8Reps = { reps: quick ? 20 : 100, warmup: 10 };
/** ESP32-S3 throughput for this kind of code, instructions per second (BRIEF: 0.1-0.2 G/s). */
const deviceRate = 0.15e9;

const plan: { label: string; module: string; native?: string }[] = [];
for (const alg of ['es256', 'eddsa']) {
  const name = alg === 'es256' ? 'ES256' : 'EdDSA';
  plan.push({ label: `${name} code, cold credential, plain issuer key`, module: `paycode-${alg}-unprepared.ts`, native: `node-verify-${alg}-cold.ts` });
  plan.push({ label: `${name} code, cold credential`, module: `paycode-${alg}-cold.ts`, native: `node-verify-${alg}-cold.ts` });
  plan.push({ label: `${name} code, cached credential`, module: `paycode-${alg}-cached.ts`, native: `node-verify-${alg}-cached.ts` });
  plan.push({ label: `${name} one signature, verify()`, module: `verify-${alg}.ts`, native: `node-verify-${alg}-cached.ts` });
  plan.push({ label: `${name} prepareKey (once per issuer key)`, module: `prepare-key-${alg}.ts` });
  if (alg === 'es256') {
    plan.push({ label: 'ES256 one signature, prepared key', module: 'verify-es256-prepared.ts', native: 'node-verify-es256-cached.ts' });
    plan.push({ label: "ES256 one signature, noble's p256.verify (baseline)", module: 'verify-es256-noble.ts', native: 'node-verify-es256-cached.ts' });
  }
}
// XS first (each measurement runs its two cachegrind passes side by side), then the V8 timings one at a
// time, so no timing shares the CPU with a valgrind run.
const xs: number[] = [];
for (const p of plan) xs.push(await xsInstructionsPerOp(join(cases, p.module), xsReps));
const rows: (string | number)[][] = [];
for (const [i, p] of plan.entries()) {
  const v8 = await v8MillisPerOp(join(cases, p.module), v8Reps);
  const native = p.native ? await v8MillisPerOp(join(cases, p.native), v8Reps) : undefined;
  rows.push([p.label, formatCount(xs[i]), `${Math.round((xs[i] / deviceRate) * 1000)} ms`, v8.toFixed(3),
    native === undefined ? '-' : native.toFixed(3), native === undefined ? '-' : `${(v8 / native).toFixed(1)}x`]);
}
printTable(
  'Payment-code verification (XS: instructions per op; device: at 0.15 G instr/s; V8 and Node crypto: median ms per op)',
  ['case', 'XS instr', '~ESP32-S3', 'V8 ms', 'Node crypto ms', 'V8 / Node'],
  rows,
);
