/**
 * Measurement helpers shared by the benchmarks.
 *
 * A benchmark case is a module that exports `prepare()` (builds its inputs;
 * not measured) and `op(state)` (the operation; may return a promise). The same
 * module is measured two ways, in one run:
 * - on XS: bundled for the engine and run under `valgrind --tool=cachegrind
 *   --cache-sim=no`, once with `warmup` calls only and once with `warmup + reps`;
 *   the difference divided by `reps` is the steady-state instruction count of
 *   one `op` (deterministic: engine start-up, bundle parsing and `prepare` cancel out);
 * - on V8: imported into this process and timed with performance.now().
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { bundleForXs } from '../test/xs/bundle';
import { repoRoot, runXsnap, xsnapBinary } from '../test/xs/xsnap';

export interface BenchCase<S = unknown> {
  prepare?: () => S | Promise<S>;
  op: (state: S) => unknown;
}

const outDir = join(repoRoot, '.xs-build', 'bench');

function valgrindAvailable(): boolean {
  return spawnSync('valgrind', ['--version']).status === 0;
}

async function xsScript(modulePath: string, calls: number): Promise<string> {
  const entry = `
    import * as bench from ${JSON.stringify(resolve(modulePath))};
    async function main() {
      const state = bench.prepare ? await bench.prepare() : undefined;
      for (let i = 0; i < ${calls}; i++) await bench.op(state);
      print('BENCH-DONE');
    }
    main().catch((e) => print('BENCH-ERROR ' + e + '\\n' + (e && e.stack)));
  `;
  return bundleForXs(entry, repoRoot);
}

async function instructions(modulePath: string, calls: number, tag: string): Promise<number> {
  mkdirSync(outDir, { recursive: true });
  const script = join(outDir, `${tag}-${calls}.js`);
  writeFileSync(script, await xsScript(modulePath, calls));
  const run = await runXsnap(script, {
    prefix: ['valgrind', '--tool=cachegrind', '--cache-sim=no', '--cachegrind-out-file=/dev/null'],
  });
  if (!run.stdout.includes('BENCH-DONE')) throw new Error(`XS bench ${tag} failed:\n${run.stdout}\n${run.stderr.slice(-2000)}`);
  const match = /I\s+refs:\s+([\d,]+)/.exec(run.stderr);
  if (!match) throw new Error(`no instruction count from cachegrind for ${tag}`);
  return Number(match[1].replace(/,/g, ''));
}

/** Instructions per `op` on XS (steady state after `warmup` calls). */
export async function xsInstructionsPerOp(modulePath: string, options: { reps?: number; warmup?: number } = {}): Promise<number> {
  const { reps = 3, warmup = 1 } = options;
  if (!valgrindAvailable()) throw new Error('valgrind is not installed');
  const tag = modulePath.replace(/.*[\\/]/, '').replace(/\.[tj]s$/, '');
  const [base, full] = await Promise.all([
    instructions(modulePath, warmup, tag),
    instructions(modulePath, warmup + reps, tag),
  ]);
  return Math.round((full - base) / reps);
}

/** Instructions for the whole script with `calls` calls: start-up, module init and prepare included. */
export async function xsInstructionsTotal(modulePath: string, calls: number): Promise<number> {
  const tag = modulePath.replace(/.*[\\/]/, '').replace(/\.[tj]s$/, '');
  return instructions(modulePath, calls, `${tag}-total`);
}

/** Median milliseconds per `op` on V8, in this process. */
export async function v8MillisPerOp(modulePath: string, options: { reps?: number; warmup?: number } = {}): Promise<number> {
  const { reps = 30, warmup = 5 } = options;
  const bench = (await import(resolve(modulePath))) as BenchCase;
  const state = bench.prepare ? await bench.prepare() : undefined;
  for (let i = 0; i < warmup; i++) await bench.op(state);
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await bench.op(state);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

/** Prints rows as an aligned text table. */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  console.log(`\n${title}`);
  for (const [i, row] of cells.entries()) {
    console.log(row.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
}

export { xsnapBinary };

/** Measures each `[label, case file under bench/cases]` on XS and V8 and prints one table. */
export async function measureCases(title: string, cases: [label: string, file: string][]): Promise<void> {
  const rows: string[][] = [];
  for (const [label, file] of cases) {
    const path = join(repoRoot, 'bench', 'cases', file);
    const xs = await xsInstructionsPerOp(path, { reps: 3, warmup: 2 });
    const v8 = await v8MillisPerOp(path);
    rows.push([label, formatCount(xs), v8.toFixed(2)]);
  }
  printTable(title, ['op', 'XS instructions', 'V8 ms'], rows);
}
