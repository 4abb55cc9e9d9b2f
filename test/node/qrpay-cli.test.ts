/**
 * The `qrpay` command's one error path (tools/cli/main.ts, tools/cli/exit.ts),
 * run as a user runs it (a child process of bin/qrpay.js): every failure is one
 * line naming the command, never a stack trace, with the documented exit code
 * (README.md, "Exit codes"): 0 ok, 1 failed, 2 bad usage or input, 3 declined
 * or rejected, 4 held, 5 no answer, 6 step-up unconfirmed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'qrpay-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function qrpay(...args: string[]): { code: number | null; out: string; err: string } {
  const run = spawnSync(process.execPath, [join(repo, 'bin', 'qrpay.js'), ...args], { cwd: dir, encoding: 'utf8', env: { ...process.env, QRPAY_PORT: '9' } });
  return { code: run.status, out: run.stdout, err: run.stderr };
}

/** One clear line (after any narration), no stack. */
function expectOneLine(err: string, pattern: RegExp): void {
  expect(err).not.toMatch(/^\s+at /m);
  expect(err).not.toMatch(/node:internal|\.ts:\d+/);
  expect(err.trim().split('\n')).toHaveLength(1);
  expect(err.trim()).toMatch(pattern);
}

describe('qrpay: usage', () => {
  it('prints its version', () => {
    const version = qrpay('--version');
    expect(version.out.trim()).toBe(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version);
    expect(version.code).toBe(0);
  });

  it('exits 2 on no command, an unknown command and an unknown flag', () => {
    expect(qrpay().code).toBe(2);
    const unknown = qrpay('paint');
    expect(unknown.err).toMatch(/^qrpay: unknown command 'paint'/);
    expect(unknown.code).toBe(2);
    const flag = qrpay('terminal', '--bogus');
    expect(flag.err).toMatch(/^qrpay terminal: Unknown option '--bogus'/);
    expect(flag.err).not.toMatch(/^\s+at /m);
    expect(flag.code).toBe(2);
    const walletFlag = qrpay('wallet', 'issuer', '--out');
    expectOneLine(walletFlag.err, /^qrpay wallet issuer: --out needs a value$/);
    expect(walletFlag.code).toBe(2);
  });
});

describe('qrpay: files', () => {
  it('creates the directory of --out, and never replaces a key file without --force', () => {
    const first = qrpay('wallet', 'issuer', '--out', 'var/deep/issuer.json');
    expect(first.code).toBe(0);
    const key = readFileSync(join(dir, 'var/deep/issuer.json'), 'utf8');
    const again = qrpay('wallet', 'issuer', '--out', 'var/deep/issuer.json');
    expectOneLine(again.err, /^qrpay wallet issuer: var\/deep\/issuer.json already exists and may hold a secret key: pass --force to replace it$/);
    expect(again.code).toBe(2);
    expect(readFileSync(join(dir, 'var/deep/issuer.json'), 'utf8')).toBe(key);
    expect(qrpay('wallet', 'issuer', '--out', 'var/deep/issuer.json', '--force').code).toBe(0);
    expect(readFileSync(join(dir, 'var/deep/issuer.json'), 'utf8')).not.toBe(key);
  });

  it('names a missing input file, and never prints a binary one', () => {
    const missing = qrpay('wallet', 'credential', '--issuer', 'nowhere.json', '--out', 'c.json');
    expectOneLine(missing.err, /^qrpay wallet credential: no such file: nowhere.json$/);
    expect(missing.code).toBe(2);
    writeFileSync(join(dir, 'picture.png'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0xff, 0xfe]));
    const png = qrpay('wallet', 'code', '--credential', 'picture.png');
    expectOneLine(png.err, /^qrpay wallet code: picture.png is not a qrpay wallet file/);
    expect(png.err).not.toMatch(/PNG|\uFFFD/);
    expect(png.code).toBe(2);
  });

  it('refuses a file that is not a PNG as the code picture', () => {
    writeFileSync(join(dir, 'not.png'), 'hello');
    const result = qrpay('terminal', '--png', 'not.png');
    expectOneLine(result.err, /^qrpay terminal: --png not.png: not a readable PNG/);
    expect(result.code).toBe(2);
    const absent = qrpay('scan', 'absent.png');
    expect(absent.err).not.toMatch(/^\s+at /m);
    expect(absent.code).toBe(2);
  });
});

describe('qrpay: input and outcomes', () => {
  it('exits 3 when wallet verify rejects a code, 0 when it accepts one, 2 on a malformed one', () => {
    for (const args of [
      ['operator', '--out', 'v/operator.json'], ['issuer', '--out', 'v/issuer.json'], ['issuer', '--out', 'v/stranger.json'],
      ['trust-list', '--operator', 'v/operator.json', '--issuer', 'v/issuer.json', '--version', '1', '--out', 'v/trust.cbor'],
      ['deny-list', '--operator', 'v/operator.json', '--version', '1', '--out', 'v/deny.cbor'],
      ['credential', '--issuer', 'v/issuer.json', '--out', 'v/alice.json'], ['credential', '--issuer', 'v/stranger.json', '--out', 'v/mallory.json'],
    ]) expect(qrpay('wallet', ...args).code).toBe(0);
    const lists = ['--operator', 'v/operator.json', '--trust-list', 'v/trust.cbor', '--deny-list', 'v/deny.cbor'];
    const trusted = qrpay('wallet', 'code', '--credential', 'v/alice.json').out.trim();
    const untrusted = qrpay('wallet', 'code', '--credential', 'v/mallory.json').out.trim();
    expect(qrpay('wallet', 'verify', '--text', trusted, ...lists).code).toBe(0);
    const rejected = qrpay('wallet', 'verify', '--text', untrusted, ...lists);
    expect(rejected.out).toMatch(/"ok": false/);
    expect(rejected.code).toBe(3);
    const malformed = qrpay('wallet', 'inspect', '--text', 'QP1:AAA');
    expectOneLine(malformed.err, /^qrpay wallet inspect: malformed: /);
    expect(malformed.code).toBe(2);
  });

  it('names the authorizer it cannot reach, and what to check, exit 1', () => {
    // A fresh terminal must enroll first: with nothing listening (QRPAY_PORT=9) no payment is attempted.
    const result = qrpay('terminal', '--code', 'QP1:AAAA', '--data-dir', 'no-authorizer');
    expect(result.code).toBe(1); // not enrolled: nothing was attempted
    expectOneLine(result.err, /^qrpay terminal: enrollment-failed: .*ECONNREFUSED.*: is the authorizer running at that address/);
  });
});

describe('qrpay: the authorizer', () => {
  let server: Server | undefined;
  afterAll(() => server?.close());

  it('explains a busy port in one line, exit 1; --debug adds the stack', async () => {
    server = createServer();
    const port = await new Promise<number>((done) => server!.listen(0, '127.0.0.1', () => done((server!.address() as { port: number }).port)));
    const busy = qrpay('authorizer', '--port', String(port), '--data-dir', 'busy');
    expectOneLine(busy.err, new RegExp(`^qrpay authorizer: address 127.0.0.1:${port} is already in use: stop the other server or pick another --port$`));
    expect(busy.code).toBe(1);
    const debug = qrpay('--debug', 'authorizer', '--port', String(port), '--data-dir', 'busy');
    expect(debug.err).toMatch(/EADDRINUSE[\s\S]*^\s+at /m);
    expect(debug.code).toBe(1);
  });

  it('refuses --approve and --print-keys on a database that does not exist, creating nothing', () => {
    for (const flag of [['--approve', 'T0000'], ['--print-keys']]) {
      const result = qrpay('authorizer', ...flag, '--data-dir', 'mistyped');
      expectOneLine(result.err, /^qrpay authorizer: no authorizer database in mistyped \(see --data-dir/);
      expect(result.code).toBe(2);
    }
    expect(existsSync(join(dir, 'mistyped'))).toBe(false);
  });

  it('prints the keys to pin once the database exists', async () => {
    // The database of the busy-port run above exists: it was opened before the listen failed.
    const keys = qrpay('authorizer', '--print-keys', '--data-dir', 'busy');
    expect(keys.out).toMatch(/^decision key +ES256:04[0-9a-f]{128}$/m);
    expect(keys.out).toMatch(/^operator root key +ES256:04[0-9a-f]{128}$/m);
    expect(keys.code).toBe(0);
  });
});

describe('qrpay: pipes', () => {
  it('leaves quietly when its reader stops early (EPIPE)', () => {
    expect(qrpay('wallet', 'issuer', '--out', 'p/issuer.json').code).toBe(0);
    expect(qrpay('wallet', 'credential', '--issuer', 'p/issuer.json', '--out', 'p/alice.json').code).toBe(0);
    spawnSync('sh', ['-c', `"${process.execPath}" "${join(repo, 'bin', 'qrpay.js')}" wallet code --credential p/alice.json --qr --count 40 2>p/err.txt | head -c 1 >/dev/null`], { cwd: dir });
    const err = readFileSync(join(dir, 'p/err.txt'), 'utf8');
    expect(err).toMatch(/^code [0-9a-f]{12}: /); // it ran
    expect(err).not.toMatch(/EPIPE|Error|^\s+at /m);
  });
});
