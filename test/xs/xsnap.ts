/** Runs a script on the standalone xsnap engine built by `npm install`. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const xsnapBinary = join(repoRoot, '.xs-build', 'bin', 'lin', 'release', 'xsnap');

export function xsnapAvailable(): boolean {
  return existsSync(xsnapBinary);
}

export interface XsRun {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs `scriptPath` on xsnap, optionally wrapped in a command prefix (valgrind). */
export function runXsnap(scriptPath: string, options: { timeoutMs?: number; prefix?: string[] } = {}): Promise<XsRun> {
  const { timeoutMs = 600_000, prefix = [] } = options;
  const argv = [...prefix, xsnapBinary, scriptPath];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr, timedOut });
    });
  });
}
