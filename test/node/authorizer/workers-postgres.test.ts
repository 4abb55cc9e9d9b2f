/**
 * The authorizer as a fleet runs it: `qrpay authorizer --workers 2 --database
 * postgres://…`, two processes behind one port sharing one real PostgreSQL
 * server (started here), and bench terminals firing at once so that requests
 * land on both workers. The double-spend, trace-reuse and retry rules must
 * hold across the processes, and the database must show no doubled payment.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeEntropy } from '../../../hal/sim/entropy';
import type { PublicKey } from '../../../src/authorization/signer';
import { hex } from '../../../src/paycode/hex';
import { createIssuer, createKeyPair, signerFor, type IssuerKey } from '../../../tools/wallet/wallet';
import { signEnrollmentRequest } from '../../../src/authorization/enrollment';
import { enrollBenchTerminal, TestWallet, type AuthorizerEndpoint, type BenchTerminal, type Paid } from '../../support/judgement-world';
import { postgresAvailability, PostgresServer } from '../../support/postgres-server';
import { run as operator } from '../../../tools/operator/cli';
import { captureConsole } from '../../support/capture-console';
import { repoRoot } from '../../xs/xsnap';
import { requestHash, verifyDecision } from '../../../src/authorization/decision';
import { holdRequest } from '../../support/authorizer-process';

const postgres = postgresAvailability();
if (!postgres.ok) console.warn(`authorizer workers: the PostgreSQL two-worker suite is SKIPPED: ${postgres.reason}`);
if (!postgres.ok) it.skip(`PostgreSQL, 2 workers — skipped: ${postgres.reason}`, () => undefined);

const outcome = (paid: Paid) => `${paid.body.outcome}:${paid.body.reason}`;

describe.skipIf(!postgres.ok)('PostgreSQL, 2 workers: qrpay authorizer --workers 2 --database postgres://…', () => {
  let server: PostgresServer;
  let database: string;
  let authorizer: ChildProcess;
  let output = '';
  let issuer: IssuerKey;
  let dataDir: string;
  // Real time on both sides; a loaded machine may take a few seconds to answer.
  const endpoint = { url: '', decisionKey: undefined as unknown as PublicKey, now: Date.now, maxSkew: 30_000 } satisfies AuthorizerEndpoint;

  beforeAll(async () => {
    server = await PostgresServer.start();
    database = await server.createDatabase();
    issuer = createIssuer({ alg: 'ES256' }, nodeEntropy);
    dataDir = mkdtempSync(join(tmpdir(), 'qrpay-workers-'));
    authorizer = spawn(process.execPath, [
      join(repoRoot, 'bin', 'qrpay.js'), 'authorizer', '--workers', '2', '--database', database, '--port', '0', '--data-dir', dataDir,
      // Bench terminals enroll as they are needed (provisioning has its own tests).
      '--enrollment', 'open',
      // The primary answers scrapes for both workers.
      '--metrics', '127.0.0.1:0',
      '--trust-issuer', `${issuer.alg}:${hex(issuer.kid)}:${hex(issuer.publicKey)}`,
    ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    authorizer.stdout!.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
    authorizer.stderr!.on('data', (chunk: Buffer) => void (output += chunk.toString('utf8')));
    const deadline = Date.now() + 45_000;
    while (!/listening on (http:\/\/\S+) \(2 workers/.test(output)) {
      if (authorizer.exitCode !== null || Date.now() > deadline) throw new Error(`the authorizer did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    endpoint.url = /listening on (http:\/\/\S+) \(2 workers/.exec(output)![1];
  }, 90_000);

  afterAll(async () => {
    if (authorizer && authorizer.exitCode === null) {
      const exited = new Promise((resolve) => authorizer.once('exit', resolve));
      authorizer.kill('SIGTERM');
      // It stops its workers and exits; a primary that does not is a failure, and killed so nothing outlives the test.
      const stopped = await Promise.race([exited.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 15_000))]);
      if (!stopped) authorizer.kill('SIGKILL');
      expect(stopped, `the authorizer did not stop on SIGTERM:\n${output}`).toBe(true);
    }
    await server?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function terminals(n: number): Promise<BenchTerminal[]> {
    const enrolled = await Promise.all(Array.from({ length: n }, () => enrollBenchTerminal(endpoint)));
    endpoint.decisionKey ??= enrolled[0].authorizerKey;
    // One authorizer, one decision key, whichever worker answered the enrollment.
    for (const t of enrolled) expect(t.authorizerKey).toEqual(endpoint.decisionKey);
    return enrolled;
  }
  const wallet = () => new TestWallet(issuer, Date.now);

  it('accepts each code once when two terminals present it at the same moment (a double spend across workers)', async () => {
    // A terminal sends one request at a time (a later trace overtaking an earlier one is a trace reuse), so each copy gets its own pair.
    const ts = await terminals(20);
    const pairs = await Promise.all(Array.from({ length: 10 }, async (_, i) => {
      const w = wallet();
      const code = w.code();
      return Promise.all([ts[2 * i].pay(w, { code }), ts[2 * i + 1].pay(w, { code })]);
    }));
    for (const pair of pairs) expect(pair.map(outcome).sort()).toEqual(['approved:approved', 'declined:replayed']);
  });

  it('answers a retry racing its original with the very same decision, once charged', async () => {
    const ts = await terminals(6);
    const answers = await Promise.all(ts.map(async (t) => {
      const request = t.sign(wallet());
      return Promise.all([t.send(request), t.send(request)]);
    }));
    for (const [original, retry] of answers) {
      expect(outcome(original)).toBe('approved:approved');
      expect(retry.answer).toEqual(original.answer);
    }
  });

  it('lets one of two requests signed with one trace through and suspends the terminal (a clone across workers)', async () => {
    const ts = await terminals(6);
    const results = await Promise.all(ts.map((t) => Promise.all([t.pay(wallet(), { trace: 1 }), t.pay(wallet(), { trace: 1, reference: 'the clone' })])));
    for (const pair of results) expect(pair.map(outcome).sort()).toEqual(['approved:approved', 'declined:trace-reused']);
    const next = await Promise.all(ts.map((t) => t.pay(wallet())));
    expect(next.map(outcome)).toEqual(ts.map(() => 'declined:terminal-suspended'));
  });

  it('served from both workers, and the database holds each payment once', async () => {
    // One JSON line per exchange, each with the pid of the worker that answered.
    const lines = output.split('\n').slice(0, -1).filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { event: string; route?: string; status?: number; pid: number });
    const workers = new Set(lines.filter((l) => l.event === 'exchange' && l.route === '/v1/authorize' && l.status === 200).map((l) => l.pid));
    expect(workers.size).toBe(2);
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    try {
      const captured = await client.query<{ n: string }>("SELECT COUNT(*) AS n FROM payments WHERE state = 'captured'");
      expect(Number(captured.rows[0].n)).toBe(10 + 6 + 6);
      const doubled = await client.query(
        "SELECT r.code_id FROM payments p JOIN requests r ON r.id = p.request_id WHERE p.state = 'captured' GROUP BY r.code_id HAVING COUNT(*) > 1",
      );
      expect(doubled.rows).toEqual([]);
      const retries = await client.query<{ n: string }>('SELECT COUNT(*) AS n FROM requests WHERE retry_of IS NOT NULL');
      expect(Number(retries.rows[0].n)).toBe(6);
    } finally {
      await client.end();
    }
  });

  const logLines = () => output.split('\n').slice(0, -1).filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { event: string; route?: string; status?: number; outcome?: string; pid: number; url?: string });

  it('the primary\'s /metrics sums both workers: the decisions counted are those both logged', async () => {
    const metricsUrl = logLines().find((l) => l.event === 'metrics')!.url!;
    const text = await (await fetch(metricsUrl)).text();
    const approvals = logLines().filter((l) => l.event === 'exchange' && l.route === '/v1/authorize' && l.outcome === 'approved');
    const perWorker = new Set(approvals.map((l) => l.pid));
    expect(perWorker.size).toBe(2);
    expect(text).toMatch(new RegExp(`^qrpay_decisions_total\\{route="/v1/authorize",outcome="approved",reason="approved"\\} ${approvals.length}$`, 'm'));
    expect(text).toMatch(/^qrpay_decisions_total\{route="\/v1\/authorize",outcome="declined",reason="replayed"\} 10$/m);
  });

  it('the operator reads the same database while the workers serve (qrpay operator --database)', async () => {
    const listed = await captureConsole(() => operator(['terminals', '--database', database, '--json']));
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.out) as { status: string }[];
    expect(rows).toHaveLength(20 + 6 + 6);
    expect(rows.filter((t) => t.status === 'suspended')).toHaveLength(6);
  });

  it('counts enrollment attempts in the database: one key re-enrolling on fresh connections over both workers is refused (429) at its eleventh re-enrollment', async () => {
    const key = createKeyPair('ES256', nodeEntropy);
    const enrollment = signEnrollmentRequest(
      { key: { alg: 'ES256', publicKey: key.publicKey }, device: { model: 'bench', serial: 'SN-RE', firmware: '1.0.0', board: 'bench' }, localTime: Date.now() },
      { alg: 'ES256', sign: signerFor(key) },
    );
    // A connection of its own each time (no keep-alive), so the primary hands them to the workers in turn.
    const post = () => new Promise<number>((resolve, reject) => {
      const request = http.request(`${endpoint.url}/v1/enroll`, { method: 'POST', agent: false, headers: { 'content-type': 'application/cose' } }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode!));
      });
      request.on('error', reject);
      request.end(enrollment);
    });
    const logged = logLines().length;
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push(await post());
    // The first enrolls, ten re-enrollments are allowed (defaultEnrollmentLimits.perCredential), the eleventh is one too many.
    expect(statuses).toEqual([...Array.from({ length: 11 }, () => 200), 429]);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the workers' log lines
    const served = new Set(logLines().slice(logged).filter((l) => l.event === 'exchange' && l.route === '/v1/enroll' && l.status === 200).map((l) => l.pid));
    expect(served.size).toBe(2); // each worker alone saw at most 6 attempts: the count they shared refused the 12th
  });

  it('SIGTERM to the primary drains both workers: an authorization in flight at one of them is answered and in the database', async () => {
    const [t] = await terminals(1);
    const request = t.sign(wallet());
    const metricsUrl = logLines().find((l) => l.event === 'metrics')!.url!;
    const held = await holdRequest(`${endpoint.url}/v1/authorize`, request.bytes);
    const inFlight = async () => Number(/^qrpay_http_requests_in_flight (\S+)$/m.exec(await (await fetch(metricsUrl)).text())?.[1]);
    const deadline = Date.now() + 10_000;
    while (await inFlight() !== 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await inFlight()).toBe(1);

    authorizer.kill('SIGTERM');
    while (logLines().filter((l) => l.event === 'draining').length < 2 && Date.now() < deadline + 20_000) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(new Set(logLines().filter((l) => l.event === 'draining').map((l) => l.pid)).size).toBe(2);
    const answer = await held.finish();
    expect(answer.status).toBe(200);
    const verified = verifyDecision(answer.body, { authorizer: endpoint.decisionKey, requestHash: requestHash(request.bytes), terminalId: t.id, trace: request.trace, now: Date.now(), maxSkew: 30_000 });
    expect(verified.ok && verified.decision.outcome).toBe('approved');
    const exit = await new Promise<number | null>((resolve) => (authorizer.exitCode !== null ? resolve(authorizer.exitCode) : authorizer.once('exit', resolve)));
    expect(exit, output).toBe(0);
    expect(logLines().filter((l) => l.event === 'stopped')).toHaveLength(3); // each worker, then the primary

    const client = new pg.Client({ connectionString: database });
    await client.connect();
    try {
      const row = await client.query<{ outcome: string; decision: Buffer; state: string }>(
        'SELECT d.outcome, d.decision, p.state FROM requests r JOIN decisions d ON d.request_id = r.id JOIN payments p ON p.request_id = r.id WHERE r.request_hash = $1',
        [Buffer.from(requestHash(request.bytes))],
      );
      expect(row.rows.map((r) => [r.outcome, r.state])).toEqual([['approved', 'captured']]);
      expect(new Uint8Array(row.rows[0].decision)).toEqual(answer.body);
    } finally {
      await client.end();
    }
  }, 60_000);
});
