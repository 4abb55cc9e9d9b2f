/**
 * `qrpay authorizer` stopped the way systemd or a container runtime stops it
 * (SIGTERM) while an authorization is under way: it takes no new connection,
 * answers the request it has, writes its decision to the database, closes the
 * database and exits 0. The decision the terminal got is the one on disk. Its
 * metrics listener (--metrics) shows the request in flight first.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeEntropy } from '../../../hal/sim/entropy';
import { requestHash, verifyDecision } from '../../../src/authorization/decision';
import type { PublicKey } from '../../../src/authorization/signer';
import { hex } from '../../../src/paycode/hex';
import { databaseFileName } from '../../../tools/authorizer/store/sqlite/database';
import { createIssuer } from '../../../tools/wallet/wallet';
import { accepts, AuthorizerProcess, holdRequest } from '../../support/authorizer-process';
import { enrollBenchTerminal, TestWallet } from '../../support/judgement-world';

/** One sample of a metric in Prometheus' text format (no labels). */
const gauge = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);

describe('qrpay authorizer on SIGTERM: drains, answers what it has, closes the database', () => {
  let dataDir: string;
  let authorizer: AuthorizerProcess;
  const issuer = createIssuer({ alg: 'ES256' }, nodeEntropy);

  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'qrpay-shutdown-'));
    authorizer = new AuthorizerProcess([
      '--data-dir', dataDir, '--port', '0', '--metrics', '127.0.0.1:0', '--enrollment', 'open',
      '--trust-issuer', `${issuer.alg}:${hex(issuer.kid)}:${hex(issuer.publicKey)}`,
    ]);
  });
  afterAll(async () => {
    await authorizer?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('finishes an authorization in flight when SIGTERM arrives, and the decision is in the database', async () => {
    const url = (await authorizer.waitFor((l) => l.event === 'listening')).url!;
    const metricsUrl = (await authorizer.waitFor((l) => l.event === 'metrics')).url!;
    const endpoint = { url, decisionKey: undefined as unknown as PublicKey, now: Date.now, maxSkew: 30_000 };
    const terminal = await enrollBenchTerminal(endpoint);
    endpoint.decisionKey = terminal.authorizerKey;
    const request = terminal.sign(new TestWallet(issuer, Date.now));

    const held = await holdRequest(`${url}/v1/authorize`, request.bytes);
    // The server has the request (it is counted in flight) before the signal is sent.
    const deadline = Date.now() + 10_000;
    let scraped = await (await fetch(metricsUrl)).text();
    while (gauge(scraped, 'qrpay_http_requests_in_flight') !== 1 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      scraped = await (await fetch(metricsUrl)).text();
    }
    expect(gauge(scraped, 'qrpay_http_requests_in_flight')).toBe(1);
    expect(scraped).toMatch(/^process_cpu_user_seconds_total \S+$/m);

    authorizer.child.kill('SIGTERM');
    await authorizer.waitFor((l) => l.event === 'draining');
    // A second signal (systemd signals the whole control group) does not cut the drain short.
    authorizer.child.kill('SIGTERM');
    expect(await accepts(url)).toBe(false);

    const answer = await held.finish();
    expect(answer.status).toBe(200);
    const verified = verifyDecision(answer.body, {
      authorizer: terminal.authorizerKey, requestHash: requestHash(request.bytes), terminalId: terminal.id, trace: request.trace, now: Date.now(), maxSkew: 30_000,
    });
    expect(verified.ok && verified.decision.outcome).toBe('approved');

    expect(await authorizer.exited).toEqual({ code: 0, signal: null });
    expect(authorizer.lines.map((l) => l.event).filter((e) => e !== 'exchange').slice(-2)).toEqual(['draining', 'stopped']);
    const exchange = authorizer.lines.find((l) => l.event === 'exchange' && l.route === '/v1/authorize')!;
    expect([exchange.status, exchange.outcome, exchange.terminal]).toEqual([200, 'approved', terminal.id]);

    // Durable: the decision on disk is byte for byte the one the terminal got, and the payment is captured.
    const db = new Database(join(dataDir, databaseFileName), { readonly: true });
    try {
      const row = db.prepare(
        'SELECT d.outcome, d.decision, p.state FROM requests r JOIN decisions d ON d.request_id = r.id JOIN payments p ON p.request_id = r.id WHERE r.request_hash = ?',
      ).get(Buffer.from(requestHash(request.bytes))) as { outcome: string; decision: Buffer; state: string } | undefined;
      expect(row && [row.outcome, row.state]).toEqual(['approved', 'captured']);
      expect(new Uint8Array(row!.decision)).toEqual(answer.body);
    } finally {
      db.close();
    }
  }, 90_000);
});
