/**
 * package.json's Node ranges are true to the dependency tree: `engines` (what
 * an installer of the package needs) is the highest minimum any production
 * dependency asks for, and every one of them admits it; `devEngines` (what a
 * checkout needs) is what every development dependency admits, save the one
 * README.md explains (amaro: @agoric/xsnap's bundler, never run here).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  engines: { node: string }; devEngines: { runtime: { name: string; version: string } };
  dependencies: Record<string, string>; devDependencies: Record<string, string>; peerDependencies: Record<string, string>;
};

interface Installed { name: string; version: string; node?: string; via: string }

/** Node's lookup, by hand: `exports` maps hide many a package.json from require.resolve. */
function packageFile(name: string, from: string): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    const file = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(file)) return file;
    if (dir === root || dirname(dir) === dir) return undefined;
  }
}

/** Every package `names` pull in, resolved as Node resolves them (nested node_modules first). */
function tree(names: string[]): Installed[] {
  const seen = new Map<string, Installed>();
  const visit = (name: string, from: string, via: string) => {
    const file = packageFile(name, from);
    if (!file) return; // an optional dependency left out on this platform
    if (seen.has(file)) return;
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string; engines?: { node?: string }; dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    seen.set(file, { name: pkg.name, version: pkg.version, node: pkg.engines?.node, via });
    for (const dependency of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dependency, dirname(file), `${via} > ${pkg.name}`);
  };
  for (const name of names) visit(name, root, 'qrpay-terminal');
  return [...seen.values()];
}

describe('Node versions', () => {
  it('engines.node is the highest minimum of the production tree (the optional SQLite peer included), and all of it runs there', () => {
    const production = tree([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);
    const minimums = production.filter((p) => p.node).map((p) => semver.minVersion(p.node!)!.version);
    const highest = minimums.sort(semver.rcompare)[0];
    expect(semver.minVersion(manifest.engines.node)!.version).toBe(highest);
    const refusing = production.filter((p) => p.node && !semver.satisfies(highest, p.node));
    expect(refusing).toEqual([]);
  });

  it('devEngines admits exactly what every development dependency admits, amaro (never run) aside', () => {
    const development = tree(Object.keys(manifest.devDependencies));
    const refusing = (version: string) => development.filter((p) => p.node && !semver.satisfies(version, p.node)).map((p) => p.name);
    const range = manifest.devEngines.runtime.version;
    for (const version of ['20.19.0', '20.20.2', '22.12.0', '22.21.1']) {
      expect(semver.satisfies(version, range)).toBe(true);
      expect(refusing(version).filter((name) => name !== 'amaro')).toEqual([]);
    }
    // Just outside the range, some development dependency refuses.
    for (const version of ['20.18.3', '21.7.3', '22.11.0', '24.11.0']) {
      expect(semver.satisfies(version, range)).toBe(false);
      expect(refusing(version).filter((name) => name !== 'amaro')).not.toEqual([]);
    }
    // The warning npm prints on Node 20: amaro wants 22, and only @agoric/xsnap's bundler pulls it in.
    expect(development.filter((p) => p.name === 'amaro').map((p) => p.via)).toEqual([expect.stringMatching(/@agoric\/xsnap > @endo\/bundle-source$/)]);
  });
});
