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
 * through its native crypto (modules/crypt). The same payment is then made
 * with the native crypto left out (`crypto: "javascript"`): the core's own
 * P-256 and SHA-256, and the key tables it prepares in idle time, on the
 * preloaded, frozen runtime of a board without an accelerator. Any break in the chain (build,
 * boot, scan, HTTP over the lin TCP socket, signatures) fails it. The build is
 * instrumented (`mcconfig -i`), so the board reports its stack peak since
 * launch (host.c turns the periodic sampling off): it must stay within
 * `stackHeadroom` of the root manifest's `creation.stack` (a device aborts on
 * an overflow). The chunk and slot peaks are printed, not judged: XS fills a
 * heap before it collects, so they follow the heap's size (docs/moddable.md).
 *
 * The hop is HTTPS over Moddable's TLS: the authorizer serves a certificate
 * from a development CA (`tls-keygen --ca`) whose certificate the build
 * carries (`buildDevice(..., { authorizerCa })`, boards/esp32/tls.ts). The
 * same build is then tried as an attacker would: against an authorizer whose
 * certificate comes from another CA (it must not connect: no enrollment, no
 * request reaches that authorizer, no relay write), and against a plain-http
 * URL (refused without `allowPlainHttp`, nothing sent; with it, it enrolls).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { publicKeyToText } from '../../src/authorization/signer';
import { generateDevelopmentTls, readTlsPair } from '../../tools/authorizer/ops/tls';
import { buildDevice } from '../../tools/device/build';
import { repoRoot } from '../../tools/device/modules';
import { journal, startWorld, type World } from '../support/e2e-world';
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
  const keys = mkdtempSync(join(tmpdir(), 'qrpay-lin-tls-'));
  try {
    const trusted = generateDevelopmentTls({ outDir: join(keys, 'trusted'), ca: true });
    const other = generateDevelopmentTls({ outDir: join(keys, 'other'), ca: true });
    await buildDevice('lin', { authorizerCa: trusted.ca!.certPath });
    const out = join(laneDir, 'out', 'lin-board');
    const build = mcconfig(sdk, { platform: 'lin', out, manifest: join(repoRoot, 'manifest.json'), env: { BOARD: 'lin' }, instrument: true });
    if (!build.ok) return fail('mcconfig -p lin', build.log.slice(-6000));
    const mcSo = findFile(out, 'mc.so')!;
    log(`built ${relative(repoRoot, mcSo)}`);
    const board = boardRunner(sdk, runHost, mcSo);
    const paid = await payment(board, readTlsPair(trusted.certPath, trusted.keyPath), 'native');
    if (!paid.ok) return fail(paid.why, paid.output);
    const paidInJs = await payment(board, readTlsPair(trusted.certPath, trusted.keyPath), 'javascript');
    if (!paidInJs.ok) return fail(paidInJs.why, paidInJs.output);
    const rogue = await refused(board, 'an authorizer whose certificate another CA signed', { tls: readTlsPair(other.certPath, other.keyPath) }, /tls: certificate: auth err/);
    if (!rogue.ok) return fail(rogue.why, rogue.output);
    const plain = await refused(board, 'a plain-http authorizer', {}, /plain http is disabled on this board/);
    if (!plain.ok) return fail(plain.why, plain.output);
    const lab = await plainHttpAllowed(board);
    if (!lab.ok) return fail(lab.why, lab.output);
    return {
      file: label, passed: 1, failed: 0, ok: true,
      output: [paid.output, paidInJs.output,
        `  ${label}: over https trusting the build's CA, approved and actuated once, the copy declined (${paid.seconds} s; ${paidInJs.seconds} s with the crypto in JavaScript);`,
        `    refused ${rogue.seen}; refused ${plain.seen} without allowPlainHttp, enrolled there with it`].join('\n'),
    };
  } finally {
    rmSync(keys, { recursive: true, force: true });
  }
}

interface BoardRun { run: HostRun; output: string; bench: string }
type Crypto = 'native' | 'javascript';
type Board = (world: World, provisioning: { authorizer: string; charges: number; allowPlainHttp?: boolean; crypto?: Crypto }) => Promise<BoardRun>;
type Checked = { ok: true; output: string; seen: string; seconds: string } | { ok: false; why: string; output: string };

/** Launches the built board once against `world`'s authorizer, in a fresh working directory, with its frame and pinned key. */
function boardRunner(sdk: Sdk, runHost: RunHost, mcSo: string): Board {
  return async (world, provisioning) => {
    const bench = mkdtempSync(join(tmpdir(), 'qrpay-lin-board-'));
    try {
      const frame = renderQrLuma(world.wallet.code(), { width: 320, height: 240, scale: 3 });
      const framePath = join(bench, 'frame.gray8');
      writeFileSync(framePath, frame.data);
      const message = {
        ...provisioning,
        authorizerKey: publicKeyToText(world.authorizer.decisionKey),
        frame: { path: framePath, width: frame.width, height: frame.height },
      };
      // The board keeps its preferences (enrollment, keys) under its working directory: a fresh one per run.
      const run = await runHost(sdk, mcSo, JSON.stringify(message), 5 * 60_000, bench);
      return { run, output: `${run.stdout}${run.stderr}`.trimEnd(), bench };
    } finally {
      rmSync(bench, { recursive: true, force: true });
    }
  };
}

async function payment(board: Board, tls: ReturnType<typeof readTlsPair>, crypto: Crypto): Promise<Checked> {
  const world = await startWorld({ tls });
  try {
    if (!world.authorizer.url.startsWith('https://')) return { ok: false, why: `the authorizer is not on https: ${world.authorizer.url}`, output: '' };
    const { run, output } = await board(world, { authorizer: world.authorizer.url, charges: 2, crypto });
    const fail = (why: string): Checked => ({ ok: false, why: `with ${crypto} crypto: ${why}`, output });
    if (run.timedOut || run.code !== 0) return fail(run.timedOut ? 'timed out' : `host exited ${run.code}`);
    const decisions = [...run.stdout.matchAll(/^decision (\S+) (\S+) actuated=(\S+)$/gm)].map((m) => `${m[1]} ${m[2]} actuated=${m[3]}`);
    const expected = ['approved approved actuated=true', 'declined replayed actuated=false'];
    if (decisions.join('\n') !== expected.join('\n')) return fail(`decisions ${JSON.stringify(decisions)}, expected ${JSON.stringify(expected)}`);
    const relay = relayWrites(run);
    // Idle at boot, one pulse for the approval, nothing for the copy.
    if (relay !== '010') return fail(`relay writes ${relay}, expected 010 (idle, on, off)`);
    // With its native crypto (boards/esp32/native-crypto.js) the payment must have used it; without, never.
    const native = /^native-crypto es256=(\d+) sha256=(\d+)$/m.exec(run.stdout);
    if (!native) return fail('no native-crypto es256=N sha256=N line');
    const nativeUsed = Number(native[1]) > 0 && Number(native[2]) > 0;
    if (crypto === 'native' && !nativeUsed) return fail(`the payment did not verify through the native crypto (${native[0]})`);
    if (crypto === 'javascript' && native[0] !== 'native-crypto es256=0 sha256=0') return fail(`the native crypto was called (${native[0]})`);
    const peak = /^memory peak chunks=(\d+) slots=(\d+) stack=(\d+)$/m.exec(run.stdout);
    if (!peak) return fail('no memory peak line (instrumented build)');
    const { creation } = JSON.parse(readFileSync(join(repoRoot, 'manifest.json'), 'utf8')) as { creation: { stack: number } };
    const stack = Number(peak[3]);
    // Below the smallest frame count a payment needs: the peak was reset, so it would prove nothing.
    if (stack < 200) return fail(`stack peak ${stack} slots is implausibly low: was the instrumentation's sampling left on?`);
    if (stack > creation.stack * stackHeadroom) return fail(`stack peak ${stack} slots is above ${stackHeadroom * 100}% of creation.stack ${creation.stack}`);
    const terminalId = /^enrolled (\S+) /m.exec(run.stdout)?.[1];
    const rows = journal(world).filter((r) => r.terminal_id === terminalId);
    if (rows.length !== 1 || rows[0].outcome !== 'approved') return fail(`authorizer journal for ${terminalId}: ${JSON.stringify(rows)}`);
    return { ok: true, output, seen: `paid with ${crypto} crypto`, seconds: (run.ms / 1000).toFixed(1) };
  } finally {
    await world.close();
  }
}

/** The board against an authorizer it must not talk to: it stops before enrolling, and not one request reaches that authorizer. */
async function refused(board: Board, what: string, config: { tls?: ReturnType<typeof readTlsPair> }, why: RegExp): Promise<Checked> {
  let exchanges = 0;
  const world = await startWorld({ ...config, onExchange: () => void exchanges++ });
  try {
    const { run, output } = await board(world, { authorizer: world.authorizer.url, charges: 1 });
    const fail = (why: string): Checked => ({ ok: false, why: `against ${what}: ${why}`, output });
    if (run.timedOut) return fail('timed out');
    if (run.code !== 1 || !/^lin board failed: /m.test(run.stdout)) return fail(`expected the board to stop at enrollment (exit 1), got exit ${run.code}`);
    if (/^(enrolled|decision) /m.test(run.stdout)) return fail('the board enrolled or decided');
    if (!why.test(run.stdout)) return fail(`the board did not say ${why}`);
    if (relayWrites(run) !== '0') return fail(`relay writes ${relayWrites(run)}, expected only the idle write`);
    if (exchanges !== 0 || journal(world).length !== 0) return fail(`${exchanges} exchanges and ${journal(world).length} journal rows reached it`);
    return { ok: true, output, seen: `${what} (${/^lin board failed: (.*)$/m.exec(run.stdout)![1]})`, seconds: (run.ms / 1000).toFixed(1) };
  } finally {
    await world.close();
  }
}

/** A lab bench that allows plain http on purpose: the same build enrolls over it. */
async function plainHttpAllowed(board: Board): Promise<Checked> {
  const world = await startWorld();
  try {
    const { run, output } = await board(world, { authorizer: world.authorizer.url, charges: 0, allowPlainHttp: true });
    if (run.code !== 0 || !/^enrolled /m.test(run.stdout)) return { ok: false, why: `with allowPlainHttp the board did not enroll over ${world.authorizer.url} (exit ${run.code})`, output };
    return { ok: true, output, seen: 'plain http', seconds: (run.ms / 1000).toFixed(1) };
  } finally {
    await world.close();
  }
}

function relayWrites(run: HostRun): string {
  return [...run.stdout.matchAll(/^gpio 1 ([01])$/gm)].map((m) => m[1]).join('');
}
