#!/usr/bin/env node
// Builds the standalone `xsnap` command-line XS engine from the sources that
// @agoric/xsnap ships, into .xs-build/. Runs as this package's postinstall, so
// `npm install` leaves a working XS engine for the test lane and benchmarks.
// (npm 11 does not run dependencies' own install scripts unless allowed; we
// build what we need ourselves, with nothing downloaded.)
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const buildDir = join(root, '.xs-build');
export const xsnapBinary = join(buildDir, 'bin', 'lin', 'release', 'xsnap');

function packageDir() {
  const require = createRequire(join(root, 'package.json'));
  return dirname(require.resolve('@agoric/xsnap/package.json'));
}

function build() {
  if (process.platform !== 'linux') {
    console.log(`xsnap: automatic build is set up for Linux only (this is ${process.platform}); the XS lane will be skipped`);
    return;
  }
  let pkg;
  try {
    pkg = packageDir();
  } catch {
    console.log('xsnap: @agoric/xsnap is not installed (production install?); skipping the XS engine build');
    return;
  }
  const makefiles = join(pkg, 'xsnap-native', 'xsnap', 'makefiles', 'lin');
  const moddable = join(pkg, 'moddable');
  if (existsSync(xsnapBinary) && statSync(xsnapBinary).mtimeMs > statSync(join(makefiles, 'xsnap.mk')).mtimeMs) {
    console.log(`xsnap: already built at ${xsnapBinary}`);
    return;
  }
  console.log('xsnap: building the XS engine (about 10-30 s)...');
  const result = spawnSync(
    'make',
    ['-f', 'xsnap.mk', `MODDABLE=${moddable}`, 'GOAL=release', `BUILD_DIR=${buildDir}`, '-j2'],
    { cwd: makefiles, stdio: 'inherit' },
  );
  if (result.status !== 0 || !existsSync(xsnapBinary)) {
    console.error('xsnap: build failed; install make and a C compiler (cc) and run `npm install` again');
    process.exit(1);
  }
  console.log(`xsnap: built ${xsnapBinary}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) build();
