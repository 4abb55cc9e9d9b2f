/** The package's version, read from its package.json (two levels up from tools/cli and from dist/tools/cli). */
import { readFileSync } from 'node:fs';

export function packageVersion(): string {
  for (const up of ['../../package.json', '../../../package.json']) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(up, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (manifest.name === 'qrpay-terminal' && manifest.version) return manifest.version;
    } catch {
      // not this level: try the next
    }
  }
  return 'unknown';
}
