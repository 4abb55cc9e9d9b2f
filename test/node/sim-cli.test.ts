/**
 * `qrpay sim` as a user runs it: the real command in a child process prints the
 * page's address, serves the page and the event stream, and on SIGINT or
 * SIGTERM stops the web server, the terminals and the authorizer (its SQLite
 * database closed: the write-ahead log is checkpointed and removed) and exits 0,
 * even with a payment waiting for a code.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

const repo = join(import.meta.dirname, '..', '..');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Starts `qrpay sim`; resolves with its page's address once it printed its start-up lines. */
function startSim(args: string[]): Promise<{ child: ChildProcess; url: string; output: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [join(repo, 'bin', 'qrpay.js'), 'sim', '--port', '0', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no address printed:\n${output}`)), 45_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /^qrpay sim: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(output);
      // Its last start-up line: the address and the data directory are printed by then.
      if (match && output.includes('Ctrl-C stops it')) {
        clearTimeout(timer);
        resolve({ child, url: match[1], output: () => output, exited });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.on('exit', (code) => reject(new Error(`qrpay sim exited ${code} before printing its address:\n${output}`)));
  });
}

async function firstEvents(url: string): Promise<string> {
  const response = await fetch(`${url}events`);
  expect(response.headers.get('content-type')).toBe('text/event-stream');
  const reader = response.body!.getReader();
  const { value } = await reader.read();
  await reader.cancel();
  return new TextDecoder().decode(value);
}

describe('qrpay sim', () => {
  it('serves the page and its stream, and on SIGINT closes everything and exits 0 (the database closed)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qrpay-sim-cli-'));
    dirs.push(dir);
    const sim = await startSim(['--data-dir', dir]);
    const page = await fetch(sim.url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<script src="/app.js" defer></script>');
    expect((await fetch(`${sim.url}app.js`)).status).toBe(200);
    expect(await firstEvents(sim.url)).toMatch(/^data: \{"type":/);
    const wal = join(dir, 'authorizer', 'authorizer.sqlite-wal');
    expect(existsSync(wal)).toBe(true);
    sim.child.kill('SIGINT');
    expect(await sim.exited).toBe(0);
    expect(sim.output()).toContain('qrpay sim: stopped (SIGINT): web server, terminals and authorizer closed');
    // Closed cleanly: the log was checkpointed into the database and removed; both terminals are in it.
    expect(existsSync(wal)).toBe(false);
    const db = new Database(join(dir, 'authorizer', 'authorizer.sqlite'), { readonly: true });
    try {
      expect((db.prepare('SELECT COUNT(*) AS n FROM terminals').get() as { n: number }).n).toBe(2);
    } finally {
      db.close();
    }
  }, 90_000);

  it('on SIGTERM with a payment waiting for a code, stops too and removes its temporary directory', async () => {
    const sim = await startSim(['--terminals', '1']);
    const root = /data in (\S+);/.exec(sim.output())![1];
    expect(existsSync(root)).toBe(true);
    const charge = await fetch(`${sim.url}api/charge`, { method: 'POST', body: JSON.stringify({ terminal: 'counter', amount: 450 }) });
    expect(await charge.json()).toEqual({ ok: true, result: { started: true } });
    const refused = await fetch(`${sim.url}api/charge`, { method: 'POST', body: JSON.stringify({ terminal: 'nowhere', amount: 450 }) });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toEqual({ ok: false, error: 'no terminal nowhere (terminals: counter)' });
    sim.child.kill('SIGTERM');
    expect(await sim.exited).toBe(0);
    expect(sim.output()).toContain('stopped (SIGTERM)');
    expect(existsSync(root)).toBe(false);
  }, 90_000);

  it('refuses bad options before starting anything', async () => {
    const child = spawn(process.execPath, [join(repo, 'bin', 'qrpay.js'), 'sim', '--terminals', '9'], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(2);
    expect(stderr).toMatch(/^qrpay sim: --terminals must be 1 to 4, got 9/);
  }, 30_000);
});
