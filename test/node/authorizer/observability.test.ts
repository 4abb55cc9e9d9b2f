/**
 * What an operator of the authorizer sees, over real HTTP on loopback: one
 * JSON log line per exchange (request id, route, status, latency, and what
 * the signed answer said: outcome, reason, terminal, trace), never a body, a
 * payment code or a key; Prometheus metrics counting the same exchanges
 * (decisions by outcome and reason, a latency histogram, the notification
 * backlog); liveness that says nothing but "alive" and readiness that asks the
 * database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hex } from '../../../src/paycode/hex';
import { jsonLog } from '../../../tools/authorizer/ops/log';
import { latencyBuckets } from '../../../tools/authorizer/ops/metrics';
import { startWorld, type World } from '../../support/e2e-world';
import { enrollBenchTerminal, TestWallet, type AuthorizerEndpoint, type BenchTerminal } from '../../support/judgement-world';

interface LogLine {
  time: string;
  level: string;
  event: string;
  pid: number;
  requestId: string;
  method: string;
  route: string;
  status: number;
  ms: number;
  outcome?: string;
  reason?: string;
  terminal?: string;
  trace?: number;
  error?: string;
}

const allowedFields = ['time', 'level', 'event', 'pid', 'requestId', 'method', 'route', 'status', 'ms', 'outcome', 'reason', 'terminal', 'trace', 'error'];

/** The value of one sample in Prometheus' text format, or undefined when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => found[k] === v) && Object.keys(found).length === Object.keys(labels).length) return Number(match[3]);
  }
  return undefined;
}

describe('the authorizer\'s log, metrics, liveness and readiness', () => {
  let world: World;
  const lines: string[] = [];
  const log = jsonLog((line) => void lines.push(line));
  let endpoint: AuthorizerEndpoint;
  let terminal: BenchTerminal;
  let wallet: TestWallet;
  const parsed = () => lines.map((line) => JSON.parse(line) as LogLine);

  beforeAll(async () => {
    world = await startWorld({ onExchange: (entry) => log.exchange(entry) });
    endpoint = { url: world.authorizer.url, decisionKey: world.authorizer.decisionKey, now: Date.now, maxSkew: 30_000 };
    terminal = await enrollBenchTerminal(endpoint);
    wallet = new TestWallet(world.wallet.issuer, Date.now);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('writes one JSON line per exchange with what the signed decision said, and no code, body or key', async () => {
    lines.length = 0;
    const code = wallet.code();
    const first = await terminal.pay(wallet, { code });
    const copy = await terminal.pay(wallet, { code });
    expect([first.body.outcome, copy.body.outcome, copy.body.reason]).toEqual(['approved', 'declined', 'replayed']);
    const entries = parsed();
    expect(lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n'))).toBe(true);
    expect(entries.map((e) => [e.event, e.method, e.route, e.status, e.outcome, e.reason, e.terminal, e.trace])).toEqual([
      ['exchange', 'POST', '/v1/authorize', 200, 'approved', 'approved', terminal.id, first.trace],
      ['exchange', 'POST', '/v1/authorize', 200, 'declined', 'replayed', terminal.id, copy.trace],
    ]);
    for (const e of entries) {
      expect(Object.keys(e).every((k) => allowedFields.includes(k)), JSON.stringify(e)).toBe(true);
      expect(e.requestId).toMatch(/^[0-9a-f]{16}$/);
      expect(e.ms).toBeGreaterThan(0);
      expect(e.level).toBe('info');
      expect(new Date(e.time).toISOString()).toBe(e.time);
    }
    expect(entries[0].requestId).not.toBe(entries[1].requestId);
    // Nothing of the code (its text, or any 12 characters of its signed part), of the request or of the decision.
    const all = lines.join('');
    const secretParts = [code, ...Array.from({ length: Math.floor((code.length - 4) / 12) }, (_, i) => code.slice(4 + 12 * i, 16 + 12 * i)), hex(first.bytes).slice(0, 32), hex(first.answer).slice(0, 32)];
    for (const part of secretParts) expect(all).not.toContain(part);
    if (first.body.approvalCode) expect(all).not.toContain(first.body.approvalCode);
  });

  it('keeps a caller\'s request id (a load balancer\'s) and echoes it; refuses to carry one that is not a plain token', async () => {
    lines.length = 0;
    const given = await fetch(`${endpoint.url}/v1/health`, { headers: { 'x-request-id': 'lb-7f3a.42' } });
    expect(given.headers.get('x-request-id')).toBe('lb-7f3a.42');
    const odd = await fetch(`${endpoint.url}/v1/health`, { headers: { 'x-request-id': 'a b {"injected":1}' } });
    expect(odd.headers.get('x-request-id')).toMatch(/^[0-9a-f]{16}$/);
    expect(parsed().map((e) => e.requestId)).toEqual(['lb-7f3a.42', odd.headers.get('x-request-id')]);
  });

  it('names unknown paths "other", so neither a log line nor a metric label carries what a stranger typed', async () => {
    lines.length = 0;
    const response = await fetch(`${endpoint.url}/v1/%22%7D%0Aevil`, { method: 'POST' });
    expect(response.status).toBe(404);
    const refused = await fetch(`${endpoint.url}/v1/authorize`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: new Uint8Array([1, 2, 3]) });
    expect(refused.status).toBe(400);
    expect(parsed().map((e) => [e.route, e.status, e.outcome])).toEqual([['other', 404, undefined], ['/v1/authorize', 400, 'refused:malformed']]);
    expect(lines.join('')).not.toContain('evil');
  });

  it('counts decisions by outcome and reason, latency per route and the notification backlog (Prometheus text)', async () => {
    const metrics = world.authorizer.metrics;
    const before = await metrics.registry.metrics();
    const approvedBefore = sample(before, 'qrpay_decisions_total', { route: '/v1/authorize', outcome: 'approved', reason: 'approved' }) ?? 0;
    const countBefore = sample(before, 'qrpay_http_request_duration_seconds_count', { route: '/v1/authorize' }) ?? 0;
    await terminal.pay(wallet);
    await terminal.pay(wallet);
    // The notifications of the payments are delivered by the dispatcher (to its spool): wait until none is queued.
    const deadline = Date.now() + 10_000;
    let text = await metrics.registry.metrics();
    while (sample(text, 'qrpay_notifications', { state: 'queued' }) !== 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      text = await metrics.registry.metrics();
    }
    expect(sample(text, 'qrpay_decisions_total', { route: '/v1/authorize', outcome: 'approved', reason: 'approved' })).toBe(approvedBefore + 2);
    expect(sample(text, 'qrpay_decisions_total', { route: '/v1/authorize', outcome: 'declined', reason: 'replayed' })).toBe(1);
    expect(sample(text, 'qrpay_http_request_duration_seconds_count', { route: '/v1/authorize' })).toBe(countBefore + 2);
    // Cumulative buckets: each at least the one before, the last (+Inf) the count.
    const buckets = [...latencyBuckets.map(String), '+Inf'].map((le) => sample(text, 'qrpay_http_request_duration_seconds_bucket', { le, route: '/v1/authorize' })!);
    expect(buckets.every((n, i) => i === 0 || n >= buckets[i - 1])).toBe(true);
    expect(buckets.at(-1)).toBe(countBefore + 2);
    expect(sample(text, 'qrpay_http_requests_total', { route: '/v1/authorize', status: '400' })).toBe(1);
    expect(sample(text, 'qrpay_notifications', { state: 'queued' })).toBe(0);
    expect(sample(text, 'qrpay_notifications', { state: 'dead' })).toBe(0);
    expect(sample(text, 'qrpay_http_requests_in_flight')).toBe(0);
    expect(sample(text, 'qrpay_internal_errors_total', { route: '/v1/authorize' })).toBeUndefined();
  });

  it('liveness says "alive" and nothing else; readiness asks the database', async () => {
    const health = await fetch(`${endpoint.url}/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.text()).toBe('{"ok":true}\n');
    const ready = await fetch(`${endpoint.url}/v1/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ready: true });
    // The metrics are not on the terminals' port: counts say how busy the system is.
    expect((await fetch(`${endpoint.url}/metrics`)).status).toBe(404);
  });
});
