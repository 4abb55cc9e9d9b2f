/**
 * esbuild settings for code that runs on the XS engine: neutral platform, class
 * fields lowered (XS 13.3 mishandles `static X = new Self()` in classes with field
 * declarations, which @noble/curves uses), jsqr resolved through `main`.
 * Shared by the XS test lane and the benchmarks.
 */
import { build, type BuildOptions } from 'esbuild';

export const xsBuildOptions: BuildOptions = {
  bundle: true,
  platform: 'neutral',
  format: 'iife',
  target: 'es2022',
  mainFields: ['module', 'main'],
  conditions: ['import', 'default'],
  supported: { 'class-field': false, 'class-static-field': false },
  loader: { '.nmea': 'text', '.txt': 'text', '.png': 'binary', '.bin': 'binary', '.cbor': 'binary' },
  logLevel: 'silent',
  write: false,
};

/** Bundles `source` (an ES module's text, resolved from `resolveDir`) into one XS script. */
export async function bundleForXs(source: string, resolveDir: string, alias: Record<string, string> = {}): Promise<string> {
  const result = await build({
    ...xsBuildOptions,
    stdin: { contents: source, resolveDir, sourcefile: 'xs-entry.ts', loader: 'ts' },
    alias,
  });
  return result.outputFiles![0].text;
}
