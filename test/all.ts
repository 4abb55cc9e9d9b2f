/**
 * `npm test`: the lanes in order (type check, vitest on Node, the XS lane, the
 * Moddable lane), each run even if an earlier one failed, then one closing
 * line that counts every test of every engine: `all lanes: N passed, M failed`.
 * The Moddable lane reports `Moddable: skipped` when no SDK is present (it is
 * required when CI=true; test/moddable/run.ts decides).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './xs/xsnap';

const bin = (name: string) => join(repoRoot, 'node_modules', '.bin', name);
const vitestReport = join(repoRoot, '.xs-build', 'vitest-report.json');
mkdirSync(join(repoRoot, '.xs-build'), { recursive: true });

function run(title: string, command: string, args: string[], capture = false): { ok: boolean; stdout: string } {
  console.log(`\n── ${title} ──`);
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: capture ? ['ignore', 'pipe', 'inherit'] : 'inherit', encoding: 'utf8' });
  if (capture) process.stdout.write(result.stdout);
  return { ok: result.status === 0, stdout: result.stdout ?? '' };
}

const typecheck = run('type check', 'npm', ['run', '--silent', 'typecheck']);
const node = run('Node lane (vitest)', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile=${vitestReport}`]);
let nodePassed = 0;
let nodeFailed = 0;
try {
  const report = JSON.parse(readFileSync(vitestReport, 'utf8')) as { numPassedTests: number; numFailedTests: number };
  nodePassed = report.numPassedTests;
  nodeFailed = Math.max(report.numFailedTests, nodeFailed);
} catch {
  console.error('no vitest report');
}
const xs = run('XS lane (xsnap)', bin('tsx'), [join(repoRoot, 'test', 'xs', 'run.ts')], true);
const summary = /^XS: (\d+) passed, (\d+) failed$/m.exec(xs.stdout);
const xsPassed = summary ? Number(summary[1]) : 0;
const xsFailed = summary ? Number(summary[2]) : 1;
const moddable = run('Moddable lane (mcconfig -p lin)', bin('tsx'), [join(repoRoot, 'test', 'moddable', 'run.ts')], true);
const moddableSkipped = /^Moddable: skipped$/m.test(moddable.stdout);
const moddableSummary = /^Moddable: (\d+) passed, (\d+) failed$/m.exec(moddable.stdout);
const moddablePassed = moddableSummary ? Number(moddableSummary[1]) : 0;
const moddableFailed = moddableSummary ? Number(moddableSummary[2]) : moddableSkipped ? 0 : 1;
// A lane that failed without a failing test (it crashed, or the type check failed) counts as one failure.
const failed =
  nodeFailed + (node.ok || nodeFailed ? 0 : 1) + xsFailed + (xs.ok || xsFailed ? 0 : 1) +
  moddableFailed + (moddable.ok || moddableFailed ? 0 : 1) + (typecheck.ok ? 0 : 1);
const moddableLine = moddableSkipped ? 'Moddable: skipped' : `Moddable: ${moddablePassed} passed, ${moddableFailed} failed`;

console.log(`\ntype check: ${typecheck.ok ? 'ok' : 'FAILED'}; Node: ${nodePassed} passed, ${nodeFailed} failed; XS: ${xsPassed} passed, ${xsFailed} failed; ${moddableLine}`);
console.log(`all lanes: ${nodePassed + xsPassed + moddablePassed} passed, ${failed} failed`);
process.exit(typecheck.ok && node.ok && xs.ok && moddable.ok ? 0 : 1);
