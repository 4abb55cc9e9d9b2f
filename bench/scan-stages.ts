/**
 * The payment code's scan, stage by stage: the version-12 ES256 payment frame of bench/payment.ts through each
 * stage of the scanner's grid path alone (bench/cases/scan-stage-world.ts), beside the whole scan, on XS
 * (instructions under cachegrind) and V8, in one run. Where a cheaper scan of the payment code has to come from.
 *
 * Run: npx tsx bench/scan-stages.ts   (in `npm run bench`)
 */
import { join } from 'node:path';
import { formatCount, printTable, v8MillisPerOp, xsInstructionsPerOp } from './measure';

const cases = join(import.meta.dirname, 'cases');
const stages: [label: string, name: string][] = [
  ['pre-scan and finder cross-checks', 'finders'],
  ['triple, alignment, homography', 'geometry'],
  ['module sampling', 'sampling'],
  ['thresholding', 'threshold'],
  ['format, version, codewords', 'codewords'],
  ['Reed-Solomon', 'reed-solomon'],
  ['segments', 'segments'],
];

async function main(): Promise<void> {
  const started = Date.now();
  const rows: string[][] = [];
  let sum = 0;
  for (const [label, name] of [...stages, ['whole scan (scanLuma)', 'whole'] as [string, string]]) {
    const path = join(cases, `scan-stage-${name}.ts`);
    const xs = await xsInstructionsPerOp(path, { reps: 2, warmup: 1 });
    if (name !== 'whole') sum += xs;
    rows.push([label, formatCount(xs), (await v8MillisPerOp(path, { reps: 15, warmup: 3 })).toFixed(3)]);
  }
  rows.splice(stages.length, 0, ['sum of the stages', formatCount(sum), '']);
  printTable('The payment frame (320x240 gray8, version-12 code) stage by stage: XS instructions and V8 ms', ['stage', 'XS instructions', 'V8 ms'], rows);
  console.log(`\nbench/scan-stages.ts: ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

main();
