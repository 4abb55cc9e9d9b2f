/**
 * The XS lane: every portable test file (test/core/**\/*.test.ts) is bundled with
 * `vitest` aliased to the XS harness and run on the real XS engine (xsnap).
 * Passes only if every file prints its summary line, nothing fails, and at
 * least one test ran; ends with `XS: N passed, M failed`.
 *
 * Usage: tsx test/xs/run.ts [substring-filter ...]
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { bundleForXs } from './bundle';
import { repoRoot, runXsnap, xsnapAvailable, xsnapBinary } from './xsnap';

const harness = join(repoRoot, 'test', 'xs', 'harness.ts');
const outDir = join(repoRoot, '.xs-build', 'tests');

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found;
}

interface FileResult { file: string; passed: number; failed: number; skipped: number; output: string; ok: boolean }

async function runFile(path: string): Promise<FileResult> {
  const file = relative(repoRoot, path);
  const entry = [
    `import { runRegisteredTests } from ${JSON.stringify(harness)};`,
    `import ${JSON.stringify(path)};`,
    `runRegisteredTests(${JSON.stringify(file)});`,
  ].join('\n');
  let script: string;
  try {
    script = await bundleForXs(entry, repoRoot, { vitest: harness });
  } catch (error) {
    return { file, passed: 0, failed: 1, skipped: 0, output: `bundle failed: ${error}`, ok: false };
  }
  const scriptPath = join(outDir, file.replace(/[\\/]/g, '__').replace(/\.ts$/, '.js'));
  writeFileSync(scriptPath, script);
  const started = Date.now();
  const run = await runXsnap(scriptPath, { timeoutMs: 20 * 60_000 });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const match = /^XS-FILE .*: (\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(run.stdout);
  if (!match) {
    const why = run.timedOut ? 'timed out' : `exited ${run.code} without a summary line (uncaught error or unsettled promise)`;
    return { file, passed: 0, failed: 1, skipped: 0, output: `${run.stdout}${run.stderr}\n  ${file}: ${why}`, ok: false };
  }
  const [passed, failed, skipped] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return { file, passed, failed, skipped, output: `${run.stdout.trimEnd()} (${seconds} s)`, ok: failed === 0 };
}

async function main(): Promise<void> {
  if (!xsnapAvailable()) {
    console.error(`XS lane: no engine at ${xsnapBinary}; run \`npm install\` (it builds xsnap)`);
    console.log('XS: 0 passed, 1 failed');
    process.exit(1);
  }
  mkdirSync(outDir, { recursive: true });
  const filters = process.argv.slice(2);
  const files = findTests(join(repoRoot, 'test', 'core')).filter(
    (f) => filters.length === 0 || filters.some((s) => f.includes(s)),
  );
  const results: FileResult[] = [];
  // Two cores: two engines at a time.
  const queue = [...files];
  await Promise.all(
    [0, 1].map(async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const result = await runFile(next);
        console.log(result.output);
        results.push(result);
      }
    }),
  );
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  const skipped = results.reduce((n, r) => n + r.skipped, 0);
  console.log(`XS lane: ${results.length} files on ${xsnapBinary}${skipped ? `, ${skipped} skipped` : ''}`);
  console.log(`XS: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 && results.every((r) => r.ok) ? 0 : 1);
}

await main();
