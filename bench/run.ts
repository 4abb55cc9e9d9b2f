/**
 * `npm run bench`: every benchmark, one after another, in one run, so the XS
 * instruction counts, the V8 timings and the baselines printed side by side
 * come from the same build on the same machine.
 * Usage: npm run bench [-- name ...]   (names: the bench files, e.g. scan paycode nmea)
 */
import { readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const benches = readdirSync(here)
  .filter((name) => name.endsWith('.ts') && !['run.ts', 'measure.ts'].includes(name))
  .map((name) => name.replace(/\.ts$/, ''))
  .filter((name) => wanted.length === 0 || wanted.includes(name))
  // The end-to-end payment first: the figure the project lives by.
  .sort((a, b) => (a === 'payment' ? -1 : b === 'payment' ? 1 : a < b ? -1 : 1));

if (spawnSync('valgrind', ['--version']).status !== 0) {
  console.error('bench: valgrind is needed for XS instruction counts (apt-get install valgrind)');
  process.exit(1);
}

let failed = 0;
for (const name of benches) {
  console.log(`\n=== bench/${name}.ts ===`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', join(here, `${name}.ts`)], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed ? 1 : 0);
