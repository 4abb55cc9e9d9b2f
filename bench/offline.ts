/**
 * What offline acceptance costs on the device (issue #12): the offline
 * decision and the journal append alone, the check of the journal read back
 * from flash (every settle), a whole offline payment end to end,
 * and beside them a naive journal (bare writes) and the online payment, in XS
 * instructions under cachegrind and V8 milliseconds, one run.
 * Run: npx tsx bench/offline.ts   (also in `npm run bench`)
 */
import { join } from 'node:path';
import { formatCount, printTable, v8MillisPerOp, xsInstructionsPerOp } from './measure';

const cases = join(import.meta.dirname, 'cases');
/** ESP32-S3 throughput for this kind of code, instructions per second (BRIEF: 0.1-0.2 G/s). */
const deviceRate = 0.15e9;
const rows: string[][] = [];
for (const [label, name] of [
  ['offline decision (journal of 9)', 'offline-decision'],
  ['journal append (3 writes, CRC)', 'journal-append'],
  ['journal check on flash (9 entries)', 'journal-check'],
  ['  naive: 1 bare write of the advice', 'journal-append-naive'],
  ['offline payment, end to end', 'offline-payment-es256'],
  ['  online payment, end to end', 'payment-es256-returning'],
] as const) {
  const path = join(cases, `${name}.ts`);
  const xs = await xsInstructionsPerOp(path, { reps: 2, warmup: 1 });
  const v8 = await v8MillisPerOp(path, { reps: name.startsWith('offline-payment') || name.startsWith('payment') ? 5 : 30, warmup: 1 });
  rows.push([label, formatCount(xs), `${((xs / deviceRate) * 1000).toFixed(1)} ms`, v8.toFixed(3)]);
}
printTable('Offline acceptance on XS (instructions per op under cachegrind; device at 0.15 G instr/s) and V8 (median ms)', ['op', 'XS instructions', '~ESP32-S3', 'V8 ms'], rows);
console.log('offline payment: code presented as text (no scan), ES256 returning customer; it includes the failed upload of the');
console.log('waiting journal (one batch signed) and the advice signature. Online payment: bench/payment.ts, with the scan of its frame.');
