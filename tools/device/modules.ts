/**
 * The device module layout: every file of the core (src/, hal/), of @noble and
 * of a board or test becomes its own Moddable module, so the manifest can
 * preload exactly the part that is safe to run at build time and put in flash.
 *
 * Why per file and not one `qrpay-core` bundle: preloading a module preloads
 * everything it imports, and noble cannot be preloaded (docs/moddable.md:
 * its SHA-2 scratch buffers and curve caches are module state written on every
 * call, read only in flash, so every signature check returns false; and XS
 * never finds a BigInt in flash `===` to one made at run time). So noble and
 * every module that imports it, directly or not, are loaded at boot
 * (`qrpay-ram-*`), and the rest (scanner with jsQR's tables, codecs, GNSS,
 * HAL pieces) is preloaded (`qrpay-rom-*`, the root manifest's `preload`).
 *
 * Module names are the file's path from the repository root (from the
 * package for @noble), `/` as `__`, other characters outside [A-Za-z0-9_-]
 * as `_`, behind that prefix; imports
 * between them are rewritten to those names. Other packages (jsqr) are bundled
 * into the one module that imports them. Moddable's own modules (`embedded:*`,
 * `timer`, ...) and the board's host-function modules stay external.
 *
 * esbuild settings: the XS lane's, except that class fields and `#private`
 * are not lowered (XS 17 runs them; lowered, they become module-level
 * WeakMaps that are read only in flash).
 */
import { build, type Metafile, type Plugin } from 'esbuild';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { xsBuildOptions } from '../../test/xs/bundle';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Modules the Moddable SDK provides on the device, or that a board manifest maps to its own host code. */
export const externalModules = [/^embedded:/, /^commodetto\//, /^mc\//, /^(time|timer|preference|wifi|net|sntp|instrumentation|screen|text\/encoder|qrpay-entropy|qrpay-memory|qrpay-native-crypto|file|Resource)$/];

/**
 * Files that must never be preloaded: noble's module state is written at run time (see above); our curves (P-256,
 * Ed25519, their shared field helpers) hold BigInt constants they compare with `===`, which a BigInt in ROM never is to a run-time one (docs/moddable.md, bug 3).
 */
const notPreloadable = [/^node_modules\/@noble\//, /^src\/crypto\/(p256|ed25519|field)\.ts$/];
/**
 * Test files the Moddable lane preloads on purpose (`test/moddable/*.rom.ts`: module state put in flash to
 * show what the XS bugs do to it, test/moddable/xs-bugs.lane.ts); every other test file is loaded at boot.
 */
const preloadedFixture = /^test\/moddable\/[^/]+\.rom\.ts$/;
/** Files we split into modules of their own (the rest of node_modules is bundled into its importer). */
const ownModule = [/^(src|hal|boards|test)\//, /^node_modules\/@noble\//];

export const deviceBuildOptions = {
  ...xsBuildOptions,
  supported: {},
  format: 'esm' as const,
  write: true,
  logLevel: 'warning' as const,
};

function repoPath(file: string): string {
  return relative(repoRoot, file).split(sep).join('/');
}

function baseName(path: string): string {
  return path
    .replace(/^node_modules\/@?/, '')
    .replace(/\.(ts|js|mjs|cjs)$/, '')
    .replace(/\//g, '__')
    .replace(/[^A-Za-z0-9_-]/g, '_');
}

export interface ModuleLayout {
  /** Module name of each of our files, by repository path. */
  names: Map<string, string>;
  /** Output file of each module (`<out>/<name>.js`). */
  files: Map<string, string>;
}

/** The import graph of `entries` (repository paths, without the other packages' insides). */
async function importGraph(entries: string[], alias: Record<string, string>): Promise<Metafile> {
  const result = await build({
    ...deviceBuildOptions,
    entryPoints: entries.map((e) => join(repoRoot, e)),
    outdir: join(repoRoot, '.moddable', 'graph'),
    write: false,
    metafile: true,
    alias,
    plugins: [{ name: 'moddable-external', setup: (b) => b.onResolve({ filter: /.*/ }, (a) => (externalModules.some((re) => re.test(a.path)) ? { path: a.path, external: true } : undefined)) }],
  });
  return result.metafile!;
}

/** Which of `files` reach a not-preloadable file through their imports. */
function mustLoadAtBoot(graph: Metafile, files: string[]): Set<string> {
  const memo = new Map<string, boolean>();
  const visit = (file: string): boolean => {
    const known = memo.get(file);
    if (known !== undefined) return known;
    memo.set(file, false); // cycles: decided by the other edges
    const input = graph.inputs[file];
    const verdict =
      notPreloadable.some((re) => re.test(file)) || (file.startsWith('test/') && !preloadedFixture.test(file)) || file.startsWith('boards/') ||
      (input?.imports ?? []).some((i) => !i.external && visit(i.path));
    memo.set(file, verdict);
    return verdict;
  };
  return new Set(files.filter(visit));
}

/**
 * Builds `entries` (repository paths) and every file of ours they reach as one
 * Moddable module each into `out`. `main` (a repository path) is named `main`,
 * the module a Moddable build starts; `alias` maps bare specifiers (the test
 * lane maps `vitest` to its harness). Returns each file's module name.
 */
export async function buildModules(
  entries: string[],
  out: string,
  options: { main?: string; alias?: Record<string, string>; plugins?: Plugin[] } = {},
): Promise<ModuleLayout> {
  const { main, alias = {}, plugins = [] } = options;
  const graph = await importGraph(entries, alias);
  const ours = Object.keys(graph.inputs).filter((f) => ownModule.some((re) => re.test(f)));
  const atBoot = mustLoadAtBoot(graph, ours);
  const names = new Map<string, string>();
  const files = new Map<string, string>();
  for (const file of ours) {
    const name = file === main ? 'main' : `qrpay-${atBoot.has(file) ? 'ram' : 'rom'}-${baseName(file)}`;
    names.set(file, name);
    files.set(file, join(out, `${name}.js`));
  }
  const rewrite: Plugin = {
    name: 'qrpay-modules',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (externalModules.some((re) => re.test(args.path))) return { path: args.path, external: true };
        if (args.kind === 'entry-point' || args.pluginData === 'resolving') return undefined;
        const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'resolving' });
        if (resolved.errors.length) return { errors: resolved.errors };
        const name = names.get(repoPath(resolved.path));
        return name ? { path: name, external: true } : resolved;
      });
    },
  };
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const entryPoints = ours.map((file) => ({ in: join(repoRoot, file), out: names.get(file)! }));
  await build({ ...deviceBuildOptions, entryPoints, outdir: out, alias, plugins: [...plugins, rewrite] });
  return { names, files };
}
