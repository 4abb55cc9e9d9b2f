/**
 * The authorizer's operations when its PostgreSQL server goes away under it
 * (a real server, started here and then stopped): readiness turns 503 with
 * the reason, each request that needed the database is a 500 without the
 * driver's message, the log line carries the error's class and message, and
 * the metrics count it and drop the backlog figure they can no longer read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLog } from '../../../tools/authorizer/ops/log';
import { postgresAvailability, PostgresServer } from '../../support/postgres-server';
import { startWorld, type World } from '../../support/e2e-world';
import { enrollBenchTerminal, TestWallet } from '../../support/judgement-world';

const postgres = postgresAvailability();
if (!postgres.ok) console.warn(`authorizer operations: the PostgreSQL suite is SKIPPED: ${postgres.reason}`);
if (!postgres.ok) it.skip(`PostgreSQL operations — skipped: ${postgres.reason}`, () => undefined);

describe.skipIf(!postgres.ok)('PostgreSQL: readiness, errors and metrics when the database goes away', () => {
  let server: PostgresServer;
  let world: World;
  const lines: string[] = [];
  const log = jsonLog((line) => void lines.push(line));

  beforeAll(async () => {
    server = await PostgresServer.start();
    world = await startWorld({ database: await server.createDatabase(), onExchange: (entry) => log.exchange(entry) });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
    await server?.stop();
  });

  it('is ready while PostgreSQL answers, and says why not once it is gone; requests fail as 500s, counted and logged', async () => {
    const endpoint = { url: world.authorizer.url, decisionKey: world.authorizer.decisionKey, now: Date.now, maxSkew: 30_000 };
    const terminal = await enrollBenchTerminal(endpoint);
    const wallet = new TestWallet(world.wallet.issuer, Date.now);
    expect((await terminal.pay(wallet)).body.outcome).toBe('approved');
    const ready = await fetch(`${endpoint.url}/v1/ready`);
    expect([ready.status, await ready.json()]).toEqual([200, { ready: true }]);
    expect(await world.authorizer.metrics.registry.metrics()).toMatch(/^qrpay_notifications\{state="dead"\} 0$/m);

    await server.stop();
    const notReady = await fetch(`${endpoint.url}/v1/ready`);
    expect([notReady.status, await notReady.json()]).toEqual([503, { ready: false, reason: 'database unreachable' }]);
    // Liveness is the process's: still alive, so an orchestrator does not restart it for its database's outage.
    expect((await fetch(`${endpoint.url}/v1/health`)).status).toBe(200);

    lines.length = 0;
    const failed = await fetch(`${endpoint.url}/v1/authorize`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: terminal.sign(wallet).bytes });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('internal error\n');
    const entry = JSON.parse(lines[0]) as { level: string; route: string; status: number; error: string };
    expect([entry.level, entry.route, entry.status]).toEqual(['error', '/v1/authorize', 500]);
    expect(entry.error).toMatch(/^\w+: .*(ECONNREFUSED|connect|terminat)/i);
    expect(entry.error.length).toBeLessThanOrEqual(200);

    const text = await world.authorizer.metrics.registry.metrics();
    expect(text).toMatch(/^qrpay_internal_errors_total\{route="\/v1\/authorize"\} 1$/m);
    expect(text).toMatch(/^qrpay_http_requests_total\{route="\/v1\/authorize",status="500"\} 1$/m);
    // The backlog cannot be read now: no figure rather than a stale one.
    expect(text).not.toMatch(/^qrpay_notifications\{/m);
  }, 60_000);
});
