/**
 * deploy/ stays true without Docker or systemd running here: the systemd
 * unit passes `systemd-analyze verify` (its ExecStart pointed at this
 * checkout's qrpay), and its ExecStart and the Dockerfile's ENTRYPOINT, with
 * their paths, ports and settings filled in, are run as the real commands they
 * are: each serves over HTTPS with a certificate from `tls-keygen`, answers
 * liveness and readiness (the Dockerfile's HEALTHCHECK script included),
 * serves metrics, and on SIGTERM drains and exits 0. The unit's command runs
 * with 2 workers on a real PostgreSQL server; the image's on SQLite.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDevelopmentTls, opensslVersion } from '../../tools/authorizer/ops/tls';
import { AuthorizerProcess } from '../support/authorizer-process';
import { postgresAvailability, PostgresServer } from '../support/postgres-server';
import { repoRoot } from '../xs/xsnap';

const unit = readFileSync(join(repoRoot, 'deploy', 'qrpay-authorizer.service'), 'utf8');
const dockerfile = readFileSync(join(repoRoot, 'deploy', 'Dockerfile'), 'utf8');
const analyze = spawnSync('systemd-analyze', ['--version']).status === 0;
const postgres = postgresAvailability();
const openssl = opensslVersion();
if (!openssl && process.env.CI === 'true') throw new Error('CI=true but the openssl command is missing: .ci/run installs Debian\'s openssl');

/** The unit's ExecStart as words, continuation lines joined, `${VAR}` as given in `env`. */
function execStart(env: Record<string, string>): string[] {
  const line = /^ExecStart=((?:.*\\\n)*.*)$/m.exec(unit)![1].replace(/\\\n/g, ' ');
  return line.replace(/\$\{(\w+)\}/g, (_, name: string) => env[name] ?? `<unset ${name}>`).split(/\s+/).filter(Boolean);
}

/** A Dockerfile instruction's JSON array (ENTRYPOINT, HEALTHCHECK's CMD), continuation lines joined. */
function dockerArray(instruction: RegExp): string[] {
  const joined = dockerfile.replace(/\\\n\s*/g, ' ');
  return JSON.parse(instruction.exec(joined)![1]) as string[];
}

function helpFlags(): Set<string> {
  const help = spawnSync(process.execPath, [join(repoRoot, 'bin', 'qrpay.js'), 'authorizer', '--help'], { encoding: 'utf8' }).stdout;
  return new Set([...help.matchAll(/--[a-z][a-z-]+/g)].map((m) => m[0]));
}

describe('deploy/', () => {
  let scratch: string;
  let tls: { certPath: string; keyPath: string };
  const running: AuthorizerProcess[] = [];

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'qrpay-deploy-'));
    if (openssl) tls = generateDevelopmentTls({ outDir: join(scratch, 'tls') });
  });
  afterAll(async () => {
    for (const process of running) await process.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('uses only flags qrpay authorizer has', () => {
    const known = helpFlags();
    const used = [...execStart({}), ...dockerArray(/^ENTRYPOINT (\[.*\])$/m)].filter((w) => w.startsWith('--'));
    expect(used.length).toBeGreaterThan(8);
    expect(used.filter((flag) => !known.has(flag))).toEqual([]);
  });

  it.skipIf(!analyze)('the systemd unit passes systemd-analyze verify', () => {
    const copy = join(scratch, 'qrpay-authorizer.service');
    const qrpay = join(scratch, 'qrpay');
    // verify checks that ExecStart's program exists and is executable: this checkout's, under the unit's own words.
    writeFileSync(qrpay, `#!/bin/sh\nexec ${process.execPath} ${join(repoRoot, 'bin', 'qrpay.js')} "$@"\n`);
    chmodSync(qrpay, 0o755);
    writeFileSync(copy, unit.replace('/opt/qrpay/node_modules/.bin/qrpay', qrpay));
    const verified = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8', cwd: scratch });
    expect(verified.stderr + verified.stdout).toBe('');
    expect(verified.status).toBe(0);
    expect(unit).toMatch(/^KillMode=mixed$/m);
  });

  async function serve(args: string[]) {
    const process = new AuthorizerProcess(args);
    running.push(process);
    const listening = await process.waitFor((l) => l.event === 'listening');
    const metrics = await process.waitFor((l) => l.event === 'metrics');
    return { process, url: listening.url!, metricsUrl: metrics.url! };
  }

  async function checkServing(url: string, metricsUrl: string) {
    const https = await import('node:https');
    const get = (path: string) => new Promise<{ status: number; body: string }>((resolve, reject) => {
      https.get(`${url}${path}`, { ca: readFileSync(tls.certPath) }, (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => void (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      }).on('error', reject);
    });
    expect(await get('/v1/health')).toEqual({ status: 200, body: '{"ok":true}\n' });
    expect(await get('/v1/ready')).toEqual({ status: 200, body: '{"ready":true}\n' });
    expect(await (await fetch(metricsUrl)).text()).toMatch(/^qrpay_http_requests_total\{route="\/v1\/health",status="200"\} 1$/m);
  }

  async function stops(process: AuthorizerProcess) {
    process.child.kill('SIGTERM');
    expect(await process.exited).toEqual({ code: 0, signal: null });
    expect(process.lines.at(-1)?.event).toBe('stopped');
  }

  it.skipIf(!postgres.ok || !openssl)('the unit\'s ExecStart runs: 2 workers on PostgreSQL over HTTPS, drained by SIGTERM', async () => {
    const server = await PostgresServer.start();
    try {
      const words = execStart({ QRPAY_PORT: '0', QRPAY_DATABASE: await server.createDatabase(), QRPAY_WORKERS: '2' });
      expect(words.slice(0, 2)).toEqual(['/opt/qrpay/node_modules/.bin/qrpay', 'authorizer']);
      const args = words.slice(2).join(' ')
        .replace('/var/lib/qrpay', join(scratch, 'unit-data'))
        .replace('/etc/qrpay/tls/tls-cert.pem', tls.certPath).replace('/etc/qrpay/tls/tls-key.pem', tls.keyPath)
        .replace('127.0.0.1:9464', '127.0.0.1:0')
        .split(' ');
      const { process, url, metricsUrl } = await serve(args);
      expect(url).toMatch(/^https:\/\/0\.0\.0\.0:\d+$/);
      const local = url.replace('0.0.0.0', '127.0.0.1');
      await checkServing(local, metricsUrl);
      await stops(process);
    } finally {
      await server.stop();
    }
  }, 90_000);

  it.skipIf(!openssl)('the image\'s ENTRYPOINT runs (on SQLite) and its HEALTHCHECK script tells alive from gone', async () => {
    const entry = dockerArray(/^ENTRYPOINT (\[.*\])$/m);
    expect(entry.slice(0, 2)).toEqual(['qrpay', 'authorizer']);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^STOPSIGNAL SIGTERM$/m);
    const args = entry.slice(2).map((word) => ({
      '8443': '0', '/var/lib/qrpay': join(scratch, 'image-data'), '/etc/qrpay/tls/tls-cert.pem': tls.certPath,
      '/etc/qrpay/tls/tls-key.pem': tls.keyPath, '0.0.0.0:9464': '127.0.0.1:0',
    } as Record<string, string>)[word] ?? word);
    const { process, url, metricsUrl } = await serve(args);
    const local = url.replace('0.0.0.0', '127.0.0.1');
    await checkServing(local, metricsUrl);
    const probe = dockerArray(/^HEALTHCHECK .*? CMD (\[.*\])$/m);
    expect(probe[0]).toBe('node');
    const port = new URL(local).port;
    const runProbe = () => spawnSync(process.child.spawnfile, probe.slice(1).map((w) => w.replace('8443', port)), { encoding: 'utf8', timeout: 10_000 }).status;
    expect(runProbe()).toBe(0);
    await stops(process);
    expect(runProbe()).toBe(1);
  }, 90_000);
});
