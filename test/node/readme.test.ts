/**
 * The README runs as written. Its walkthrough blocks (the authorizer started in
 * the background and stopped with `kill %1`, the wallet, the GNSS replay) run
 * verbatim in bash in a scratch directory where `npx qrpay` is this checkout
 * (but for the benchmarks, which need valgrind and minutes);
 * each command's exit code is checked against the one its comment promises
 * (0 when it names none). Every other shell line is checked without running it:
 * each `npx qrpay` command and every flag it uses must be in that command's
 * `--help`, each `npx tsx` script and `npm run`/`npm` script must exist, and no
 * line may call a bare `qrpay` (not on the PATH of a fresh clone).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');
const readme = readFileSync(join(repo, 'README.md'), 'utf8');
const manifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

interface Block { heading: string; lines: string[] }

/** The ```sh blocks, each under the nearest heading above it. */
function shellBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  let heading = '';
  let current: Block | undefined;
  for (const line of markdown.split('\n')) {
    if (current) {
      if (line.startsWith('```')) {
        blocks.push(current);
        current = undefined;
      } else if (line.trim()) current.lines.push(line);
    } else if (/^#{1,6} /.test(line)) heading = line.replace(/^#+ /, '');
    else if (line.trim() === '```sh') current = { heading, lines: [] };
  }
  return blocks;
}

/** The command of a line without its trailing comment (a `#` after whitespace, outside quotes). */
function commandOf(line: string): { command: string; comment: string } {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return { command: line.slice(0, i).trim(), comment: line.slice(i + 1).trim() };
  }
  return { command: line.trim(), comment: '' };
}

/** Words of a simple command line: quotes grouped (their content not interpreted). */
function words(command: string): string[] {
  return [...command.matchAll(/"(?:[^"\\]|\\.)*"|'[^']*'|\S+/g)].map((m) => m[0]);
}

const blocks = shellBlocks(readme);
/** The walkthroughs that run, by the heading they sit under. */
const runnable = ['Authorization: the demo, the authorizer, the embedding API', 'Scenarios', 'Location (GNSS)', 'Payment codes and the wallet'];

const scratch = mkdtempSync(join(tmpdir(), 'qrpay-readme-'));
afterAll(() => {
  // Should the walkthrough's `kill %1` not have stopped the authorizer, stop what this test started (Linux /proc).
  for (const pid of existsSync('/proc') ? readdirSync('/proc').filter((name) => /^\d+$/.test(name)) : []) {
    try {
      if (readlinkSync(`/proc/${pid}/cwd`).startsWith(scratch)) process.kill(Number(pid));
    } catch {
      // gone already, or not ours to read
    }
  }
  rmSync(scratch, { recursive: true, force: true });
});

/** A project whose `npx qrpay` is this checkout's bin/qrpay.js, with the fixtures the README names. */
function scratchProject(): string {
  mkdirSync(join(scratch, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'readme-check', private: true }));
  symlinkSync(join(repo, 'bin', 'qrpay.js'), join(scratch, 'node_modules', '.bin', 'qrpay'));
  symlinkSync(join(repo, 'test'), join(scratch, 'test'));
  return scratch;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

function listening(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); done(true); });
    socket.once('error', () => done(false));
  });
}

/** The exit code a line's comment promises ("exit 3"), else 0. */
function promisedExit(comment: string): number {
  const match = /\bexit (\d+)\b/.exec(comment);
  return match ? Number(match[1]) : 0;
}

describe('README.md', () => {
  it('has the walkthroughs this test runs, and no bare qrpay', () => {
    for (const heading of runnable) expect(blocks.map((b) => b.heading)).toContain(heading);
    const bare = blocks.flatMap((b) => b.lines).filter((line) => /(^|&&\s*|\|\s*)qrpay\b/.test(commandOf(line).command));
    expect(bare).toEqual([]);
  });

  it('runs its walkthroughs verbatim, each command with the exit code it promises', async () => {
    const cwd = scratchProject();
    const port = await freePort();
    // Each line verbatim, then a marker with its exit code; background lines (`&`) and job control as written.
    const script: string[] = [];
    const expected: { line: string; code: number }[] = [];
    for (const block of blocks.filter((b) => runnable.includes(b.heading))) {
      for (const line of block.lines) {
        const { command, comment } = commandOf(line);
        // Benchmarks need valgrind and minutes: the last test checks that their scripts exist.
        if (command.startsWith('npx tsx bench/')) continue;
        script.push(line);
        if (command.endsWith('&')) continue;
        script.push(`echo "::exit $? ${expected.length}"`);
        expected.push({ line: command, code: promisedExit(comment) });
      }
    }
    // The registry is never asked for `qrpay`: it must resolve to this checkout.
    const env = { ...process.env, QRPAY_PORT: String(port), npm_config_offline: 'true', npm_config_update_notifier: 'false' };
    const run = spawnSync('bash', ['-c', script.join('\n')], { cwd, env, encoding: 'utf8', timeout: 300_000 });
    const codes = [...run.stdout.matchAll(/^::exit (\d+) (\d+)$/gm)].map((m) => ({ line: expected[Number(m[2])].line, code: Number(m[1]) }));
    expect(codes, run.stdout + run.stderr).toEqual(expected);
    expect(run.stdout).toMatch(/APPROVED, approval [A-Z0-9]{6}/);
    expect(run.stdout).toMatch(/DECLINED, replayed/);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    // `kill %1` stopped the authorizer: nothing listens on its port any more.
    let stillUp = true;
    for (let i = 0; i < 20 && stillUp; i++) {
      stillUp = await listening(port);
      if (stillUp) await new Promise((done) => setTimeout(done, 250));
    }
    expect(stillUp).toBe(false);
  }, 400_000);

  it('names only commands, flags, scripts and files that exist', () => {
    const helps = new Map<string, string>();
    const helpOf = (key: string[]): string => {
      const id = key.join(' ');
      if (!helps.has(id)) {
        const run = spawnSync(process.execPath, [join(repo, 'bin', 'qrpay.js'), ...key, '--help'], { cwd: repo, encoding: 'utf8' });
        expect(run.status, `qrpay ${id} --help`).toBe(0);
        helps.set(id, run.stdout);
      }
      return helps.get(id)!;
    };
    let checked = 0;
    for (const { lines } of blocks) {
      for (const line of lines) {
        for (const part of commandOf(line).command.split(/\s*&&\s*/)) {
          const argv = words(part.replace(/\s*&$/, ''));
          if (argv[0] === 'npx' && argv[1] === 'qrpay') {
            // wallet and operator list their subcommands, with every flag, in one help text.
            const [command, sub] = [argv[2], argv[3]];
            const help = helpOf([command]);
            if ((command === 'wallet' || command === 'operator') && sub) expect(help, part).toMatch(new RegExp(`^\\s+${sub}\\b`, 'm'));
            for (const flag of argv.filter((w) => /^--[a-z]/.test(w))) expect(help, `${part}: ${flag}`).toContain(flag.split('=')[0]);
            checked++;
          } else if (argv[0] === 'npx' && argv[1] === 'tsx') {
            expect(existsSync(join(repo, argv[2])), part).toBe(true);
            checked++;
          } else if (argv[0] === 'npm') {
            const script = argv[1] === 'run' ? argv[2] : argv[1];
            if (script !== 'install') expect(Object.keys(manifest.scripts), part).toContain(script);
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
  }, 120_000);
});
