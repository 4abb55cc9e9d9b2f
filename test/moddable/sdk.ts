/**
 * The Moddable SDK for the lane: `$MODDABLE` (a user's own SDK, used in
 * place), or a writable copy of `../shared/moddable-sdk` in `.moddable/sdk`
 * (gitignored; the copy and its host tools are kept across runs and rebuilt
 * when the source changes). Builds the host tools (xsc, xsid, xsl, mcconfig...)
 * when they are missing, and the lane's headless host (host.c).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { Plugin } from 'esbuild';
import { repoRoot } from '../../tools/device/modules';

export const laneDir = join(repoRoot, '.moddable');
const sharedSdk = join(repoRoot, '..', 'shared', 'moddable-sdk');

export interface Sdk {
  root: string;
  env: NodeJS.ProcessEnv;
  host: string;
}

/** Where the SDK comes from, or why there is none. */
export function findSdk(): { source: string; copy: boolean } | { missing: string } {
  if (process.env.MODDABLE) {
    if (existsSync(join(process.env.MODDABLE, 'xs', 'sources'))) return { source: process.env.MODDABLE, copy: false };
    return { missing: `MODDABLE=${process.env.MODDABLE} is not a Moddable SDK (no xs/sources)` };
  }
  if (existsSync(join(sharedSdk, 'xs', 'sources'))) return { source: sharedSdk, copy: true };
  return { missing: `no Moddable SDK: set MODDABLE, or put one at ${sharedSdk}` };
}

/** Size and mtime of every file under the SDK's sources: changes when the SDK does. */
function fingerprint(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      const s = statSync(path);
      if (s.isDirectory()) walk(path);
      else hash.update(`${path.slice(dir.length)} ${s.size} ${s.mtimeMs}\n`);
    }
  };
  for (const part of ['xs', 'tools', 'build', 'modules']) if (existsSync(join(dir, part))) walk(join(dir, part));
  return hash.digest('hex');
}

function make(cwd: string, env: NodeJS.ProcessEnv, args: string[]): void {
  const run = spawnSync('make', args, { cwd, env, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`make ${args.join(' ')} failed:\n${(run.stdout + run.stderr).slice(-4000)}`);
}

/** The SDK ready to use: host tools built, `env` with MODDABLE and PATH set, the host compiled. */
export function prepareSdk(log: (line: string) => void): Sdk {
  const found = findSdk();
  if ('missing' in found) throw new Error(found.missing);
  let root = found.source;
  if (found.copy) {
    root = join(laneDir, 'sdk');
    const stamp = join(laneDir, 'sdk.stamp');
    const want = fingerprint(found.source);
    if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== want) {
      log(`copying ${found.source} to ${root}`);
      rmSync(root, { recursive: true, force: true });
      mkdirSync(laneDir, { recursive: true });
      cpSync(found.source, root, { recursive: true });
      execFileSync('chmod', ['-R', 'u+w', root]);
      writeFileSync(stamp, want);
    }
  }
  const bin = join(root, 'build', 'bin', 'lin', 'release');
  const env = { ...process.env, MODDABLE: root, XS_DIR: join(root, 'xs'), BUILD_DIR: join(root, 'build'), PATH: `${bin}:${process.env.PATH}` };
  if (!existsSync(join(bin, 'mcconfig')) || !existsSync(join(bin, 'xsl'))) {
    log('building the Moddable host tools (xsc, xsid, xsl, mcconfig)');
    const cwd = join(root, 'build', 'makefiles', 'lin');
    for (const tool of ['xsc', 'xsid', 'xsl']) make(cwd, env, ['GOAL=release', '-f', join(root, 'xs', 'makefiles', 'lin', `${tool}.mk`), 'MAKEFLAGS=-j2']);
    make(cwd, env, ['GOAL=release', '-f', 'tools.mk', 'MAKEFLAGS=-j2']);
  }
  const host = join(laneDir, 'host');
  const source = join(repoRoot, 'test', 'moddable', 'host.c');
  if (!existsSync(host) || statSync(host).mtimeMs < statSync(source).mtimeMs) {
    const glib = (flag: string) => execFileSync('pkg-config', [flag, 'glib-2.0'], { encoding: 'utf8' }).trim().split(/\s+/);
    execFileSync('cc', ['-O2', '-DmxLinux=1', `-I${join(root, 'build', 'simulators', 'modules')}`, ...glib('--cflags'), source, '-o', host, ...glib('--libs'), '-ldl'], { stdio: 'inherit' });
    chmodSync(host, 0o755);
  }
  return { root, env, host };
}

/** `mcconfig -p <platform> -o <out> <manifest>` (`-i`: instrumented, XS tracks the stack peak) then `make -f <generated makefile> build`; returns the output folder. */
export function mcconfig(sdk: Sdk, options: { platform: string; out: string; manifest: string; env?: NodeJS.ProcessEnv; make?: boolean; instrument?: boolean }): { log: string; ok: boolean } {
  rmSync(options.out, { recursive: true, force: true });
  mkdirSync(options.out, { recursive: true });
  const env = { ...sdk.env, ...options.env };
  const config = spawnSync('mcconfig', [...(options.instrument ? ['-i'] : []), '-p', options.platform, '-o', options.out, options.manifest], { cwd: repoRoot, env, encoding: 'utf8' });
  let log = config.stdout + config.stderr;
  if (config.status !== 0 || options.make === false) return { log, ok: config.status === 0 };
  const makefile = findFile(options.out, 'makefile');
  if (!makefile) return { log: `${log}\nno makefile under ${options.out}`, ok: false };
  const built = spawnSync('make', ['-j2', '-f', makefile, 'build'], { cwd: repoRoot, env, encoding: 'utf8' });
  log += built.stdout + built.stderr;
  return { log, ok: built.status === 0 };
}

export function findFile(dir: string, name: string): string | undefined {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const found = findFile(path, name);
      if (found) return found;
    } else if (entry === name) return path;
  }
  return undefined;
}

/**
 * The furthest an ESP32 build goes without ESP-IDF: the generated makefile's
 * module rules (xsc of every module) and the `xsl` link of the full module set
 * with the manifest's preload and creation, which writes mc.xs.c (the ROM
 * image). The makefile's ESP-IDF part (it stops at parse time without
 * `$IDF_PATH`, and mc.xs.c depends on ESP-IDF's generated sdkconfig.h) is cut
 * out; what follows, the C compile and the firmware link, needs ESP-IDF.
 */
export function linkWithoutIdf(sdk: Sdk, makefile: string): { log: string; ok: boolean; archive: string } {
  const lines = readFileSync(makefile, 'utf8').split('\n');
  const idf = lines.findIndex((l) => l.startsWith('ifeq ($(IDF_PATH),)'));
  const rules = lines.findIndex((l, i) => i > idf && /^\$\(MODULES_DIR\)\/\S+\.xsb: /.test(l));
  if (idf < 0 || rules < 0) return { log: `unexpected makefile layout: ${makefile}`, ok: false, archive: '' };
  const link = [
    ...lines.slice(0, idf),
    'link: $(TMP_DIR)/mc.xs.c',
    '$(TMP_DIR)/mc.xs.c: $(MODULES)',
    '\txsl -b $(MODULES_DIR) -o $(TMP_DIR) $(PRELOADS) $(STRIPS) $(CREATION) $(MODULES)',
    ...lines.slice(rules),
  ];
  const linkMakefile = `${makefile}.link`;
  writeFileSync(linkMakefile, link.join('\n'));
  const tmp = /^TMP_DIR = (.*)$/m.exec(lines.join('\n'))![1];
  mkdirSync(join(tmp, 'modules'), { recursive: true });
  const run = spawnSync('make', ['-j2', '-f', linkMakefile, 'link'], { cwd: repoRoot, env: sdk.env, encoding: 'utf8' });
  return { log: run.stdout + run.stderr, ok: run.status === 0, archive: join(tmp, 'mc.xs.c') };
}

/**
 * The `qrcode` package (test helpers draw QR codes with it) assigns
 * `exports.toString = ...` on a plain object: on Moddable, where
 * Object.prototype is frozen, that assignment throws (the override mistake).
 * For this test build only, the assignment becomes a definition.
 */
export const qrcodeOverrideMistake: Plugin = {
  name: 'qrcode-override-mistake',
  setup(b) {
    b.onLoad({ filter: /[\\/]qrcode[\\/]lib[\\/]core[\\/]mode\.js$/ }, (args) => ({
      contents: readFileSync(args.path, 'utf8').replace(
        /^exports\.toString = function toString \(mode\) \{([\s\S]*?)^\}/m,
        "Object.defineProperty(exports, 'toString', { writable: true, configurable: true, value: function toString (mode) {$1} })",
      ),
      loader: 'js',
    }));
  },
};

