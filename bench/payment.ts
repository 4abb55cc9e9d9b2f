/**
 * The figure the project lives by: one payment end to end on XS, from a frame
 * with the payment code in front of the camera to the relay command, through
 * the terminal's public API on the portable HAL, with an authorizer that
 * answers at once (bench/cases/payment-world.ts). For ES256 and EdDSA
 * customers, returning (credential cached) and first-time.
 *
 * The op on XS does more than a device's customer waits for: the simulated
 * authorizer's own work (decode, hash, ES256 signature of the approval: the
 * server's, on a device) and the terminal's idle-time work after the relay
 * fires (the customer has gone): the presign of the next request, and for a
 * first-time customer the preparation of their device key. Each is
 * measured alone in the same run (`payment-authorizer-answer`,
 * `keystore-presign-es256`, `prepare-key-es256`, `prepare-key-eddsa`) and taken off: critical path
 * = end-to-end op - authorizer - idle work. It is itemised by stage, each
 * measured alone in the same run on the same kind of input (the same frame,
 * the same world's codes, an ES256 request and decision): scan, verify code
 * (a returning customer's: `paycode-*-returning`, the verifier kept and the
 * key prepared as the terminal does; a first-time one's: `paycode-*-cold`),
 * sign request (presigned: `authorization-request-presigned` minus the
 * presign), verify decision (through the authorizer key's table, prepared in
 * idle time as the terminal does); "rest" is the critical path minus the
 * stages (the terminal's own work: events, replay cache and trace counter in
 * storage, the scan loop, promise turns).
 *
 * Run: npx tsx bench/payment.ts   (first in `npm run bench`)
 */
import { join } from 'node:path';
import { formatCount, printTable, v8MillisPerOp, xsInstructionsPerOp } from './measure';

const cases = join(import.meta.dirname, 'cases');
const path = (name: string) => join(cases, `${name}.ts`);
/** ESP32-S3 throughput for this kind of code, instructions per second (BRIEF: 0.1-0.2 G/s). */
const deviceRate = 0.15e9;
const target = 200e6;

// Each figure is (instructions with warm-up + reps ops - with warm-up alone) / reps: a collection falls in some ops and
// not others, so the small cases whose difference makes a stage (the presign under the presigned request) average
// over more ops, and so do the stages and the end-to-end op (over 2 ops a first-time code's verification once came
// out 8.6 M apart in two trees that verify it alike, 73.3 M in both over 6; over 3 the end-to-end op moved by 6 M).
const xs = async (name: string, reps = 2) => xsInstructionsPerOp(path(name), { reps, warmup: 1 });
const v8 = async (name: string) => (await v8MillisPerOp(path(name), { reps: 7, warmup: 1 })).toFixed(2);

const started = Date.now();
const stageNames = ['scan', 'verify code', 'sign request', 'verify decision'];
const offPath = {
  authorizer: await xs('payment-authorizer-answer', 6), presign: await xs('keystore-presign-es256', 6),
  // A first-time customer's device key is prepared once the terminal is idle again (their next code gains).
  deviceKey: { es256: await xs('prepare-key-es256', 6), eddsa: await xs('prepare-key-eddsa', 6) },
};
const shared = {
  sign: (await xs('authorization-request-presigned', 6)) - offPath.presign,
  signInFull: await xs('authorization-request-sign', 6),
  decision: await xs('authorization-decision-verify-prepared', 6),
  decisionUnprepared: await xs('authorization-decision-verify', 6),
};
const rows: string[][] = [];
const opRows: string[][] = [];
const v8Rows: string[][] = [];
for (const alg of ['es256', 'eddsa'] as const) {
  const name = alg === 'es256' ? 'ES256' : 'EdDSA';
  const scan = await xs(`payment-scan-${alg}`, 4);
  for (const returning of [true, false]) {
    const e2eCase = `payment-${alg}-${returning ? 'returning' : 'first'}`;
    const codeCase = `paycode-${alg}-${returning ? 'returning' : 'cold'}`;
    const op = await xs(e2eCase, 6);
    const idle = offPath.presign + (returning ? 0 : offPath.deviceKey[alg]);
    const critical = op - offPath.authorizer - idle;
    const stages = [scan, await xs(codeCase, 6), shared.sign, shared.decision];
    const rest = critical - stages.reduce((a, b) => a + b, 0);
    const who = `${name}, ${returning ? 'returning' : 'first-time'}`;
    rows.push([who, ...[...stages, rest].map(formatCount), formatCount(critical), `${Math.round((critical / deviceRate) * 1000)} ms`, critical <= target ? 'yes' : 'no']);
    opRows.push([who, formatCount(op), formatCount(offPath.authorizer), formatCount(idle), formatCount(critical)]);
    v8Rows.push([who, await v8(`payment-scan-${alg}`), await v8(codeCase), await v8(e2eCase)]);
  }
}
printTable(
  'One payment, frame with the code -> relay command: the critical path on XS (instructions under cachegrind; device at 0.15 G instr/s; target <= 200 M for a returning customer)',
  ['customer', ...stageNames, 'rest', 'critical path', '~ESP32-S3', '<= 200 M'],
  rows,
);
printTable('What the end-to-end op on XS counts beyond the critical path (measured alone, same run)',
  ['customer', 'end-to-end op', '- simulated authorizer', '- idle work', '= critical path'], opRows);
printTable('The same on V8 (median ms; the end-to-end op, authorizer and presign included)', ['customer', 'scan', 'verify code', 'end to end'], v8Rows);
console.log('stages: scan = the payment frame (gray8 320x240) through src/scan; verify code = bench/cases/paycode-*; sign request = ES256,');
console.log(`presigned (${formatCount(shared.signInFull)} when signed in full, as without presign); verify decision = ES256, the authorizer key`);
console.log(`prepared in idle time as the terminal does (${formatCount(shared.decisionUnprepared)} unprepared);`);
console.log('rest = critical path minus the stages.');
console.log(`\nbench/payment.ts: ${((Date.now() - started) / 1000).toFixed(0)} s`);
