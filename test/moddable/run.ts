/**
 * The Moddable lane: the firmware core on the real Moddable runtime.
 *
 * 1. The SDK's host tools, built from `$MODDABLE` or a cached copy of
 *    `../shared/moddable-sdk` (test/moddable/sdk.ts). Without an SDK the lane
 *    is skipped with the reason, except in CI (`CI=true`), where it fails.
 * 2. Every portable test in test/core and the lane's own test files
 *    (test/moddable/*.lane.ts: the native crypto seam), built for the Linux host board
 *    (`BOARD=lin mcconfig -p lin` from the project's root manifest, with its
 *    preload) as modules laid out like the firmware's (tools/device/modules.ts),
 *    and run one file per process by a headless host (host.c).
 * 3. The board smoke run (smoke.ts): the Linux host board's main, built with
 *    the preload, pays with a wallet's QR code against the real authorizer on
 *    loopback: approved and actuated once, its copy declined.
 * 4. Each ESP32 board (`boards/<board>` with a Moddable target of that name):
 *    `BOARD=<board> mcconfig -p esp32/<board>` (manifest processing, module
 *    resolution), then every module compiled by xsc and the `xsl` link of the
 *    full module set with the preload, which is as far as a build goes without
 *    ESP-IDF (sdk.ts, linkWithoutIdf). A broken board manifest fails here.
 * Prints `Moddable: N passed, M failed` and fails unless every file reported
 * and nothing failed.
 *
 * Usage: tsx test/moddable/run.ts [substring-filter ...] (`smoke` runs the board smoke too, `esp32` the
 * ESP32 board links)
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Plugin } from 'esbuild';
import { join, relative } from 'node:path';
import { buildModules, repoRoot } from '../../tools/device/modules';
import { generateDevelopmentTls } from '../../tools/authorizer/ops/tls';
import { authorityFile, boards, buildDevice } from '../../tools/device/build';
import { boardSmoke } from './smoke';
import { findFile, findSdk, laneDir, linkWithoutIdf, mcconfig, prepareSdk, qrcodeOverrideMistake, type Sdk } from './sdk';

const harness = join(repoRoot, 'test', 'xs', 'harness.ts');
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (line: string) => console.log(`moddable: ${line} (${elapsed()})`);

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...findTests(path));
    else if (name.endsWith('.test.ts')) found.push(relative(repoRoot, path));
  }
  return found;
}

/**
 * Test files for this lane only (`test/moddable/*.lane.ts`, vitest does not
 * see them): they import board modules that exist only in a Moddable build.
 */
function findLaneTests(): string[] {
  const dir = join(repoRoot, 'test', 'moddable');
  return readdirSync(dir).filter((name) => name.endsWith('.lane.ts')).sort().map((name) => relative(repoRoot, join(dir, name)));
}

export interface HostRun { code: number | null; stdout: string; stderr: string; timedOut: boolean; ms: number }

export function runHost(sdk: Sdk, mcSo: string, message: string, timeoutMs: number, cwd?: string): Promise<HostRun> {
  const begun = Date.now();
  return new Promise((resolvePromise, reject) => {
    const child = spawn(sdk.host, [mcSo, message], { stdio: ['ignore', 'pipe', 'pipe'], cwd });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, timedOut, ms: Date.now() - begun });
    });
  });
}

interface FileResult { file: string; passed: number; failed: number; ok: boolean; output: string }

async function coreTests(sdk: Sdk, filters: string[]): Promise<FileResult[]> {
  const files = [...findTests(join(repoRoot, 'test', 'core')), ...findLaneTests()].filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)));
  if (files.length === 0) return [];
  const out = join(repoRoot, 'build', 'device', 'lin');
  const layout = await buildModules([...files, 'test/moddable/main.ts'], out, { main: 'test/moddable/main.ts', alias: { vitest: harness }, plugins: [qrcodeOverrideMistake] });
  log(`${layout.names.size} modules in ${relative(repoRoot, out)}`);
  const build = mcconfig(sdk, { platform: 'lin', out: join(laneDir, 'out', 'tests'), manifest: join(repoRoot, 'manifest.json'), env: { BOARD: 'lin' } });
  if (!build.ok) {
    console.log(build.log.slice(-6000));
    return [{ file: 'mcconfig -p lin (core tests)', passed: 0, failed: 1, ok: false, output: 'build failed' }];
  }
  const mcSo = findFile(join(laneDir, 'out', 'tests'), 'mc.so')!;
  log(`built ${relative(repoRoot, mcSo)}`);
  const results: FileResult[] = [];
  const queue = [...files];
  await Promise.all(
    [0, 1].map(async () => {
      for (let file = queue.shift(); file; file = queue.shift()) {
        const run = await runHost(sdk, mcSo, `${file}\t${layout.names.get(file)}`, 10 * 60_000);
        const match = /^XS-FILE .*: (\d+) passed, (\d+) failed, (\d+) skipped$/m.exec(run.stdout);
        const why = run.timedOut ? 'timed out' : `exited ${run.code} without a summary line`;
        const result: FileResult = match
          ? { file, passed: Number(match[1]), failed: Number(match[2]), ok: Number(match[2]) === 0 && run.code === 0, output: `${run.stdout.trimEnd()} (${(run.ms / 1000).toFixed(1)} s)` }
          : { file, passed: 0, failed: 1, ok: false, output: `${run.stdout}${run.stderr}\n  ${file}: ${why}` };
        console.log(result.output);
        results.push(result);
      }
    }),
  );
  return results;
}

export const esp32Boards = ['xiao_esp32s3_sense', 'm5stack_cores3', 'lilygo_t_camera_plus_s3'];

async function esp32Links(sdk: Sdk): Promise<FileResult[]> {
  const results: FileResult[] = [];
  // Each board is built trusting a development CA, as a fleet's would be: its manifest must take the certificate.
  const keys = mkdtempSync(join(tmpdir(), 'qrpay-esp32-ca-'));
  try {
    const { ca } = generateDevelopmentTls({ outDir: keys, ca: true });
    for (const board of boards().filter((b) => esp32Boards.includes(b))) {
      const label = `mcconfig -p esp32/${board} + xsl`;
      const { names } = await buildDevice(board, { authorizerCa: ca!.certPath });
      const out = join(laneDir, 'out', board);
      const config = mcconfig(sdk, { platform: `esp32/${board}`, out, manifest: join(repoRoot, 'manifest.json'), env: { BOARD: board }, make: false });
      const makefile = config.ok ? findFile(out, 'makefile') : undefined;
      const link = makefile ? linkWithoutIdf(sdk, makefile) : { ok: false, log: config.log, archive: '' };
      const errors = link.log.split('\n').filter((l) => /^### Error|\berror:|No rule to make/i.test(l));
      const withCa = makefile !== undefined && readFileSync(makefile, 'utf8').includes(`/${authorityFile}`);
      const ok = link.ok && errors.length === 0 && withCa;
      const preloaded = [...names.values()].filter((n) => n.startsWith('qrpay-rom-')).length;
      const output = ok
        ? `ESP32 ${label}: ${names.size} modules, ${preloaded} preloaded, the authorizer's CA (${authorityFile}) a resource, linked (${relative(repoRoot, link.archive)}); the C compile needs ESP-IDF`
        : `${link.log.slice(-4000)}\n  ESP32 ${label}: FAILED${withCa ? '' : ` (no ${authorityFile} resource in the makefile)`}`;
      console.log(output);
      results.push({ file: label, passed: ok ? 1 : 0, failed: ok ? 0 : 1, ok, output });
    }
  } finally {
    rmSync(keys, { recursive: true, force: true });
  }
  return results;
}

async function main(): Promise<void> {
  const found = findSdk();
  if ('missing' in found) {
    if (process.env.CI === 'true') {
      console.log(`Moddable lane: required in CI, but ${found.missing}`);
      console.log('Moddable: 0 passed, 1 failed');
      process.exit(1);
    }
    console.log(`Moddable lane skipped: ${found.missing}`);
    console.log('Moddable: skipped');
    return;
  }
  const sdk = prepareSdk(log);
  log(`SDK at ${sdk.root}`);
  const filters = process.argv.slice(2);
  const results = await coreTests(sdk, filters);
  if (filters.length === 0 || filters.includes('smoke')) {
    const smoke = await boardSmoke(sdk, runHost, log);
    console.log(smoke.output);
    results.push(smoke);
  }
  if (filters.length === 0 || filters.includes('esp32')) results.push(...(await esp32Links(sdk)));
  const passed = results.reduce((n, r) => n + r.passed, 0);
  const failed = results.reduce((n, r) => n + r.failed, 0);
  console.log(`Moddable lane: ${results.length} results (test files on a -p lin build, ESP32 board links), ${elapsed()}`);
  console.log(`Moddable: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 && results.every((r) => r.ok) ? 0 : 1);
}

await main();
