/**
 * XS heap a payment needs: one returning customer's ES256 payment
 * (bench/cases/payment-world.ts) on an XS machine created with the root
 * manifest's `creation` settings, so the collector runs as it would on the
 * device. Reads the engine's own peak counters (chunks: strings, typed-array
 * and other byte storage; slots: objects and values) with gdb on a debug
 * build of xsnap (built here from @agoric/xsnap's sources on first use; the
 * release build has no symbols). Peaks are reset after a collection just
 * before the payment, so they are the payment's own, on top of the terminal
 * at rest. x86-64 slots are 32 bytes (16 on the ESP32): the slot figures are
 * given in slots, comparable with the manifest's `heap` counts.
 *
 * Run: npx tsx bench/memory.ts   (needs gdb, make, cc)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bundleForXs } from '../test/xs/bundle';
import { repoRoot } from '../test/xs/xsnap';
import { printTable } from './measure';

const buildDir = join(repoRoot, '.xs-build');
const debugXsnap = join(buildDir, 'bin', 'lin', 'debug', 'xsnap');
const creation = JSON.parse(readFileSync(join(repoRoot, 'manifest.json'), 'utf8')).creation;

if (spawnSync('gdb', ['--version']).status !== 0) {
  console.log('bench/memory.ts: gdb is needed to read the XS heap counters (apt-get install gdb); skipped');
  process.exit(0);
}
if (!existsSync(debugXsnap)) {
  const pkg = dirname(createRequire(join(repoRoot, 'package.json')).resolve('@agoric/xsnap/package.json'));
  const made = spawnSync('make', ['-f', 'xsnap.mk', `MODDABLE=${join(pkg, 'moddable')}`, 'GOAL=debug', `BUILD_DIR=${buildDir}`, '-j2'], {
    cwd: join(pkg, 'xsnap-native', 'xsnap', 'makefiles', 'lin'), stdio: 'inherit',
  });
  if (made.status !== 0) throw new Error('bench/memory.ts: could not build the debug xsnap');
}

const outDir = join(buildDir, 'bench');
mkdirSync(outDir, { recursive: true });
const script = join(outDir, 'payment-memory.js');
writeFileSync(script, await bundleForXs(`
  import { payOnce, preparePayment } from ${JSON.stringify(join(repoRoot, 'bench', 'cases', 'payment-world.ts'))};
  async function main() {
    const state = await preparePayment('ES256', true);
    gc(); gc();
    await payOnce(state);
    gc();
    print('MEMORY-DONE');
  }
  main().catch((e) => print('MEMORY-ERROR ' + e));
`, repoRoot));
const commands = join(outDir, 'payment-memory.gdb');
writeFileSync(commands, `set pagination off
set $hits = 0
break fxCreateMachine
commands
silent
set var theCreation->initialChunkSize = ${creation.chunk.initial}
set var theCreation->incrementalChunkSize = ${creation.chunk.incremental}
set var theCreation->initialHeapCount = ${creation.heap.initial}
set var theCreation->incrementalHeapCount = ${creation.heap.incremental}
set var theCreation->stackCount = ${creation.stack}
continue
end
break xs_gc
commands
silent
set $hits = $hits + 1
if $hits == 2
set var ((txMachine*)the)->peakChunksSize = ((txMachine*)the)->currentChunksSize
set var ((txMachine*)the)->peakHeapCount = ((txMachine*)the)->currentHeapCount
printf "XS-MEMORY base %d %d\\n", ((txMachine*)the)->currentChunksSize, ((txMachine*)the)->currentHeapCount
end
if $hits == 3
printf "XS-MEMORY peak %d %d\\n", ((txMachine*)the)->peakChunksSize, ((txMachine*)the)->peakHeapCount
end
continue
end
run
quit
`);
const run = spawnSync('gdb', ['-batch', '-x', commands, '--args', debugXsnap, script], { encoding: 'utf8', maxBuffer: 64 << 20 });
if (!run.stdout.includes('MEMORY-DONE')) throw new Error(`bench/memory.ts: the payment did not run:\n${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`);
const figure = (name: string) => {
  const match = new RegExp(`XS-MEMORY ${name} (\\d+) (\\d+)`).exec(run.stdout);
  if (!match) throw new Error(`bench/memory.ts: no ${name} figures from gdb`);
  return { chunks: Number(match[1]), slots: Number(match[2]) };
};
const [base, peak] = [figure('base'), figure('peak')];
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
printTable(`XS memory of one ES256 payment (returning customer), machine created with manifest.json creation (chunk ${creation.chunk.initial} B, heap ${creation.heap.initial} slots, stack ${creation.stack} slots)`,
  ['', 'chunks', 'slots', 'slots on ESP32 (16 B)'], [
    ['terminal at rest (after a collection)', kb(base.chunks), String(base.slots), kb(base.slots * 16)],
    ['peak during the payment', kb(peak.chunks), String(peak.slots), kb(peak.slots * 16)],
    ['of which the payment', kb(peak.chunks - base.chunks), String(peak.slots - base.slots), kb((peak.slots - base.slots) * 16)],
    ['manifest creation, initial', kb(creation.chunk.initial), String(creation.heap.initial), kb(creation.heap.initial * 16)],
  ]);
console.log('At rest includes the bench\'s own prepared frames (12 rendered 320x240 frames, ~900 KB of chunks). Peaks count what was');
console.log('allocated and not yet collected (the collector runs when the reserved space is full), an upper bound of what the payment needs.');
console.log('The stack peak is not measured: XS tracks it only in an mxInstrument build.');
