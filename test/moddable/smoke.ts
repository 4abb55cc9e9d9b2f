/**
 * The board smoke run of the Moddable lane: the Linux host board's main
 * (boards/lin/main.ts), built like a device (`npm run build:device -- lin`,
 * then `BOARD=lin mcconfig -p lin` from the root manifest with its preload),
 * enrolls against the real reference authorizer on loopback (SQLite, the
 * wallet's issuer trusted, its decision key pinned on the terminal) and
 * charges twice with a wallet's payment code drawn as a QR code in the frame
 * its camera sees: the first charge must end approved with the relay pulsed
 * once, the copy declined with the relay still, and the authorizer's journal
 * must hold the approval for that terminal, and the board must have verified
 * through its native crypto (modules/crypt). Any break in the chain (build,
 * boot, scan, HTTP over the lin TCP socket, signatures) fails it. The build is
 * instrumented (`mcconfig -i`), so the board reports its stack peak since
 * launch (host.c turns the periodic sampling off): it must stay within
 * `stackHeadroom` of the root manifest's `creation.stack` (a device aborts on
 * an overflow). The chunk and slot peaks are printed, not judged: XS fills a
 * heap before it collects, so they follow the heap's size (docs/moddable.md).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { publicKeyToText } from '../../src/authorization/signer';
import { buildDevice } from '../../tools/device/build';
import { repoRoot } from '../../tools/device/modules';
import { journal, startWorld } from '../support/e2e-world';
import { renderQrLuma } from '../support/qr-frame';
import { findFile, laneDir, mcconfig, type Sdk } from './sdk';
import type { HostRun } from './run';

export interface SmokeResult { file: string; passed: number; failed: number; ok: boolean; output: string }

/** The share of `creation.stack` a payment may use: the rest is headroom for paths the smoke run does not take. */
const stackHeadroom = 0.75;

type RunHost = (sdk: Sdk, mcSo: string, message: string, timeoutMs: number, cwd?: string) => Promise<HostRun>;

export async function boardSmoke(sdk: Sdk, runHost: RunHost, log: (line: string) => void): Promise<SmokeResult> {
  const label = 'lin board smoke payment (boards/lin/main.ts)';
  const fail = (why: string, detail = ''): SmokeResult => ({ file: label, passed: 0, failed: 1, ok: false, output: `${detail}\n  ${label}: FAILED: ${why}` });
  await buildDevice('lin');
  const out = join(laneDir, 'out', 'lin-board');
  const build = mcconfig(sdk, { platform: 'lin', out, manifest: join(repoRoot, 'manifest.json'), env: { BOARD: 'lin' }, instrument: true });
  if (!build.ok) return fail('mcconfig -p lin', build.log.slice(-6000));
  const mcSo = findFile(out, 'mc.so')!;
  log(`built ${relative(repoRoot, mcSo)}`);
  const world = await startWorld();
  const bench = mkdtempSync(join(tmpdir(), 'qrpay-lin-board-'));
  try {
    const frame = renderQrLuma(world.wallet.code(), { width: 320, height: 240, scale: 3 });
    const framePath = join(bench, 'frame.gray8');
    writeFileSync(framePath, frame.data);
    const provisioning = {
      authorizer: world.authorizer.url,
      authorizerKey: publicKeyToText(world.authorizer.decisionKey),
      frame: { path: framePath, width: frame.width, height: frame.height },
      charges: 2,
    };
    // The board keeps its preferences (enrollment, keys) under its working directory: a fresh one per run.
    const run = await runHost(sdk, mcSo, JSON.stringify(provisioning), 5 * 60_000, bench);
    const output = `${run.stdout}${run.stderr}`.trimEnd();
    if (run.timedOut || run.code !== 0) return fail(run.timedOut ? 'timed out' : `host exited ${run.code}`, output);
    const decisions = [...run.stdout.matchAll(/^decision (\S+) (\S+) actuated=(\S+)$/gm)].map((m) => `${m[1]} ${m[2]} actuated=${m[3]}`);
    const expected = ['approved approved actuated=true', 'declined replayed actuated=false'];
    if (decisions.join('\n') !== expected.join('\n')) return fail(`decisions ${JSON.stringify(decisions)}, expected ${JSON.stringify(expected)}`, output);
    const relay = [...run.stdout.matchAll(/^gpio 1 ([01])$/gm)].map((m) => m[1]).join('');
    // Idle at boot, one pulse for the approval, nothing for the copy.
    if (relay !== '010') return fail(`relay writes ${relay}, expected 010 (idle, on, off)`, output);
    // The board verifies through its native crypto (boards/esp32/native-crypto.js): the payment must have used it.
    const native = /^native-crypto es256=(\d+) sha256=(\d+)$/m.exec(run.stdout);
    if (!native || Number(native[1]) === 0 || Number(native[2]) === 0) return fail('the payment did not verify through the native crypto (no native-crypto es256=N sha256=N line with N > 0)', output);
    const peak = /^memory peak chunks=(\d+) slots=(\d+) stack=(\d+)$/m.exec(run.stdout);
    if (!peak) return fail('no memory peak line (instrumented build)', output);
    const { creation } = JSON.parse(readFileSync(join(repoRoot, 'manifest.json'), 'utf8')) as { creation: { stack: number } };
    const stack = Number(peak[3]);
    // Below the smallest frame count a payment needs: the peak was reset, so it would prove nothing.
    if (stack < 200) return fail(`stack peak ${stack} slots is implausibly low: was the instrumentation's sampling left on?`, output);
    if (stack > creation.stack * stackHeadroom) return fail(`stack peak ${stack} slots is above ${stackHeadroom * 100}% of creation.stack ${creation.stack}`, output);
    const terminalId = /^enrolled (\S+) /m.exec(run.stdout)?.[1];
    const rows = journal(world).filter((r) => r.terminal_id === terminalId);
    if (rows.length !== 1 || rows[0].outcome !== 'approved') return fail(`authorizer journal for ${terminalId}: ${JSON.stringify(rows)}`, output);
    return { file: label, passed: 1, failed: 0, ok: true, output: `${output}\n  ${label}: approved and actuated once, the copy declined (${(run.ms / 1000).toFixed(1)} s)` };
  } finally {
    await world.close();
    rmSync(bench, { recursive: true, force: true });
  }
}
