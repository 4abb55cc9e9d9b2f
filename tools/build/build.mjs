#!/usr/bin/env node
// `npm run build` (and `prepare`): the package's compiled ESM and .d.ts in dist/.
// tsc -p tsconfig.build.json compiles the entry points the package exports and
// the qrpay command. The sources import each other without extensions
// (`./terminal/terminal`), as esbuild, vitest and the XS bundler want; Node's ESM
// loader and TypeScript's NodeNext resolution want the file itself
// (`./terminal/terminal.js`), and tsc never rewrites a specifier. So this then
// walks dist/ and gives every relative specifier in the emitted .js and .d.ts
// files the file it names: `X.js` when dist has it, else `X/index.js`. A
// specifier that names neither fails the build, so a published import cannot dangle.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = join(root, 'dist');
// `from '…'`, `import '…'` and `import('…')`, in code and in declarations.
const specifier = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g;

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (name.endsWith('.js') || name.endsWith('.d.ts')) yield path;
  }
}

function withExtension(file, spec) {
  if (/\.(js|json|mjs|cjs)$/.test(spec)) return spec;
  const emitted = file.endsWith('.d.ts') ? '.d.ts' : '.js';
  const base = resolve(dirname(file), spec);
  if (existsSync(base + emitted)) return `${spec}.js`;
  if (existsSync(join(base, `index${emitted}`))) return `${spec}/index.js`;
  throw new Error(`${file}: '${spec}' names no emitted file`);
}

// A clean dist, so a module deleted from the sources cannot linger in the package.
rmSync(dist, { recursive: true, force: true });
console.log('build: compiling the package into dist/ (tsc -p tsconfig.build.json, about 15 s)...');
const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  console.error('build: tsc failed');
  process.exit(1);
}

let rewritten = 0;
for (const file of files(dist)) {
  const text = readFileSync(file, 'utf8');
  const out = text.replace(specifier, (_, lead, quote, spec) => `${lead}${quote}${withExtension(file, spec)}${quote}`);
  if (out !== text) {
    writeFileSync(file, out);
    rewritten++;
  }
}
console.log(`build: relative imports resolved to files in ${rewritten} files under dist/`);

// The browser simulator's page is static files, served from beside its compiled server (dist/tools/sim/server.js).
cpSync(join(root, 'tools', 'sim', 'public'), join(dist, 'tools', 'sim', 'public'), { recursive: true });
console.log('build: copied the simulator page (tools/sim/public) into dist/tools/sim/public');
