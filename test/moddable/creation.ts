/**
 * The least `creation` that still works, found by bisection on the Moddable
 * -p lin build (docs/moddable.md, "`creation` in manifest.json"). Each heap is
 * made fixed-size (its increment 0), so XS aborts instead of growing, and one
 * size is bisected at a time with the others at the root manifest's values:
 *
 * - `payment`: the lin board's smoke payment (boards/lin/main.ts: enroll
 *   against the reference authorizer on loopback, one approval, its copy
 *   declined, over HTTPS trusting the build's development CA), for the chunk heap, the slot heap and the stack; with the
 *   native crypto (as shipped on the lin board) or, given `javascript`, with
 *   the core's own crypto and the key tables it prepares in idle time.
 * - `scanner`: the core scanner tests that recurse deepest
 *   (test/core/scan/decode-grid.test.ts, scanner.test.ts) on the core-test
 *   build, for the stack.
 *
 * One mcconfig per build; each candidate only re-links (the generated
 * makefile's `CREATION`, i.e. `xsl -c ...`, given on make's command line).
 * Prints each probe and the least passing size. Not part of `npm test` (a
 * bisection takes ~10 minutes): `npx tsx test/moddable/creation.ts [payment [javascript]|scanner]`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publicKeyToText } from '../../src/authorization/signer';
import { generateDevelopmentTls, readTlsPair } from '../../tools/authorizer/ops/tls';
import { buildDevice } from '../../tools/device/build';
import { buildModules, repoRoot } from '../../tools/device/modules';
import { startWorld } from '../support/e2e-world';
import { renderQrLuma } from '../support/qr-frame';
import { findFile, laneDir, mcconfig, prepareSdk, qrcodeOverrideMistake, type Sdk } from './sdk';

interface Creation { chunk: number; slots: number; stack: number }

const manifest = JSON.parse(readFileSync(join(repoRoot, 'manifest.json'), 'utf8')) as {
  creation: { chunk: { initial: number }; heap: { initial: number }; stack: number };
};
const shipped: Creation = { chunk: manifest.creation.chunk.initial, slots: manifest.creation.heap.initial, stack: manifest.creation.stack };

function run(command: string, args: string[], options: { cwd?: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; signal: string | null; out: string; ms: number }> {
  const begun = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, ms: Date.now() - begun });
    });
  });
}

/** A build whose CREATION can be swapped: re-runs xsl and the link only. */
function relinker(sdk: Sdk, out: string) {
  const makefile = findFile(out, 'makefile')!;
  const text = readFileSync(makefile, 'utf8');
  const tmp = /^TMP_DIR = (.*)$/m.exec(text)![1];
  const fields = /^CREATION = -c (.*)$/m.exec(text)![1].split(',');
  const mcSo = findFile(out, 'mc.so')!;
  return (creation: Creation): string => {
    const c = [...fields];
    // xsl -c: chunk initial, chunk increment, slots initial, slot increment, stack, then keys, moduli, parser, static, main, native stack.
    c[0] = String(creation.chunk);
    c[1] = '0';
    c[2] = String(creation.slots);
    c[3] = '0';
    c[4] = String(creation.stack);
    rmSync(join(tmp, 'mc.xs.c'), { force: true });
    const made = spawnSync('make', ['-f', makefile, 'build', `CREATION=-c ${c.join(',')}`], { cwd: repoRoot, env: sdk.env, encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`relink failed:\n${(made.stdout + made.stderr).slice(-3000)}`);
    return mcSo;
  };
}

/** The least value in (lo, hi] for which `passes` holds, to `step`; `hi` must pass. */
async function bisect(name: string, lo: number, hi: number, step: number, passes: (value: number) => Promise<boolean>): Promise<number> {
  if (!(await passes(hi))) throw new Error(`${name}: ${hi} does not pass`);
  while (hi - lo > step) {
    const mid = Math.round((lo + hi) / 2 / step) * step;
    if (mid <= lo || mid >= hi) break;
    if (await passes(mid)) hi = mid;
    else lo = mid;
  }
  console.log(`creation: least ${name} that passes: ${hi} (${lo} fails)`);
  return hi;
}

async function payment(sdk: Sdk, crypto: 'native' | 'javascript'): Promise<void> {
  // Over HTTPS, as the board pays (its TLS session is part of what the heaps must hold): a development CA the build trusts.
  const bench = mkdtempSync(join(tmpdir(), 'qrpay-creation-'));
  const tls = generateDevelopmentTls({ outDir: join(bench, 'tls'), ca: true });
  await buildDevice('lin', { authorizerCa: tls.ca!.certPath });
  const out = join(laneDir, 'out', 'creation-payment');
  const built = mcconfig(sdk, { platform: 'lin', out, manifest: join(repoRoot, 'manifest.json'), env: { BOARD: 'lin' }, instrument: true });
  if (!built.ok) throw new Error(built.log.slice(-4000));
  const relink = relinker(sdk, out);
  const world = await startWorld({ tls: readTlsPair(tls.certPath, tls.keyPath) });
  try {
    let probe = 0;
    const pays = async (creation: Creation): Promise<boolean> => {
      const mcSo = relink(creation);
      // A fresh board (it enrolls again) and a fresh payment code: the authorizer remembers the last one.
      const cwd = join(bench, `run-${++probe}`);
      spawnSync('mkdir', ['-p', cwd]);
      const frame = renderQrLuma(world.wallet.code(), { width: 320, height: 240, scale: 3 });
      const framePath = join(cwd, 'frame.gray8');
      writeFileSync(framePath, frame.data);
      const message = JSON.stringify({
        authorizer: world.authorizer.url, authorizerKey: publicKeyToText(world.authorizer.decisionKey),
        frame: { path: framePath, width: frame.width, height: frame.height }, charges: 2, crypto,
      });
      const result = await run(sdk.host, [mcSo, message], { cwd, timeoutMs: 120_000 });
      const decisions = [...result.out.matchAll(/^decision (\S+) (\S+) actuated=(\S+)$/gm)].map((m) => `${m[1]} ${m[2]}`).join(', ');
      const ok = result.code === 0 && decisions === 'approved approved, declined replayed';
      const peak = /^memory peak .*$/m.exec(result.out)?.[0] ?? '';
      const why = ok ? peak : (/host: XS abort.*|# (Chunk|Slot) allocation.*|stack overflow.*|^lin board failed: .*/im.exec(result.out)?.[0] ?? `exit ${result.code} ${result.signal ?? ''} ${decisions}`);
      console.log(`creation: payment (${crypto} crypto) chunk=${creation.chunk} slots=${creation.slots} stack=${creation.stack}: ${ok ? 'pays' : 'fails'} in ${result.ms} ms (${why})`);
      return ok;
    };
    const chunk = await bisect('chunk (bytes, slots and stack as shipped)', 16 * 1024, shipped.chunk, 8 * 1024, (chunk) => pays({ ...shipped, chunk }));
    const slots = await bisect('slots (chunks and stack as shipped)', 4096, shipped.slots, 256, (slots) => pays({ ...shipped, slots }));
    const stack = await bisect('stack (slots, heaps as shipped)', 128, shipped.stack, 32, (stack) => pays({ ...shipped, stack }));
    await pays({ chunk, slots, stack });
  } finally {
    await world.close();
    rmSync(bench, { recursive: true, force: true });
  }
}

async function scanner(sdk: Sdk): Promise<void> {
  const files = ['test/core/scan/decode-grid.test.ts', 'test/core/scan/scanner.test.ts'];
  const dir = join(repoRoot, 'build', 'device', 'lin');
  const layout = await buildModules([...files, 'test/moddable/main.ts'], dir, { main: 'test/moddable/main.ts', alias: { vitest: join(repoRoot, 'test', 'xs', 'harness.ts') }, plugins: [qrcodeOverrideMistake] });
  const out = join(laneDir, 'out', 'creation-scanner');
  const built = mcconfig(sdk, { platform: 'lin', out, manifest: join(repoRoot, 'manifest.json'), env: { BOARD: 'lin' } });
  if (!built.ok) throw new Error(built.log.slice(-4000));
  const relink = relinker(sdk, out);
  const passes = async (stack: number): Promise<boolean> => {
    const mcSo = relink({ ...shipped, stack });
    let ok = true;
    for (const file of files) {
      const result = await run(sdk.host, [mcSo, `${file}\t${layout.names.get(file)}`], { timeoutMs: 600_000 });
      const summary = /^XS-FILE .*: (\d+) passed, (\d+) failed/m.exec(result.out);
      const fileOk = result.code === 0 && summary !== null && summary[2] === '0';
      console.log(`creation: scanner stack=${stack} ${file}: ${fileOk ? 'passes' : 'fails'} (${summary ? summary[0] : /stack overflow|XS abort.*/i.exec(result.out)?.[0] ?? `exit ${result.code}`})`);
      ok &&= fileOk;
      if (!ok) break;
    }
    return ok;
  };
  await bisect('stack for the scanner tests (slots)', 256, shipped.stack, 32, passes);
}

const mode = process.argv[2] ?? 'payment';
const sdk = prepareSdk((line) => console.log(`creation: ${line}`));
if (mode === 'payment') await payment(sdk, process.argv[3] === 'javascript' ? 'javascript' : 'native');
else if (mode === 'scanner') await scanner(sdk);
else throw new Error(`unknown mode ${mode}: payment or scanner`);
