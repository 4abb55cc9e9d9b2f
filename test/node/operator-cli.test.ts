/**
 * `qrpay operator` against a running authorizer's database: lists, one
 * decision's factors, freeze and report taking effect on the live authorizer.
 */
import { join } from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../tools/operator/cli';
import { accountOf } from '../../tools/wallet/authorizer-client';
import { fixAt, JudgementWorld } from '../support/judgement-world';
import { captureConsole } from '../support/capture-console';

let world: JudgementWorld | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await world?.close();
  world = undefined;
});

async function operator(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return captureConsole(() => run([...args, '--data-dir', join(world!.root, 'authorizer')]));
}

describe('qrpay operator', () => {
  it('lists terminals and transactions and shows the factors behind a decision', async () => {
    world = await JudgementWorld.start();
    const t = await world.terminal();
    const alice = world.wallet();
    await t.pay(alice);
    const held = await t.pay(alice, { location: fixAt(0, 3000) });
    expect(held.body.outcome).toBe('held');

    const terminals = await operator('terminals');
    expect(terminals.code).toBe(0);
    expect(terminals.out).toContain(t.id);
    const listed = JSON.parse((await operator('transactions', '--json')).out) as { id: number; outcome: string; state: string; trace: number }[];
    expect(listed.map((r) => [r.trace, r.outcome, r.state])).toEqual([[2, 'held', 'pending'], [1, 'approved', 'captured']]);
    const shown = await operator('decision', String(listed[0].id));
    expect(shown.out).toMatch(/decision: held \(held-for-review\)/);
    expect(shown.out).toMatch(/terminal-off-site\s+acceptance\s+40/);
    expect((await operator('decision', '999')).code).toBe(1);
    // The review of the hold: release it to the merchant; a second review finds nothing held.
    expect((await operator('release', String(listed[0].id))).code).toBe(0);
    expect((JSON.parse((await operator('transactions', '--json')).out) as { state: string }[])[0].state).toBe('captured');
    expect((await operator('reverse', String(listed[0].id))).err).toMatch(/captured, not held/);
    expect((await operator('decision')).code).toBe(2);
    const complaint = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    expect(await run(['terminals', '--data-dir', join(world.root, 'nowhere')])).toBe(1);
    expect(complaint).toHaveBeenCalledWith(expect.stringMatching(/no authorizer database/));
    expect(existsSync(join(world.root, 'nowhere'))).toBe(false);
  });

  it('freezes an account the live authorizer then refuses, and reports a payment on the customer\'s behalf', async () => {
    world = await JudgementWorld.start();
    const t = await world.terminal();
    const alice = world.wallet();
    const paid = await t.pay(alice, { amount: 30_000 });
    const id = (JSON.parse((await operator('transactions', '--json')).out) as { id: number }[])[0].id;

    const report = await operator('report', String(id), '--note', 'customer called', '--json');
    expect(JSON.parse(report.out)).toMatchObject({ action: 'disputed', compensation: { state: 'pending-review', amount: 30_000 } });
    expect((await operator('report', String(id))).code).toBe(1);
    const pending = JSON.parse((await operator('compensations', '--json')).out) as { id: number; report_to_credit: string }[];
    expect(pending[0].report_to_credit).toBe('waiting');
    expect((await operator('credit', String(pending[0].id))).code).toBe(0);
    expect(JSON.parse((await operator('compensations', '--json')).out)[0].report_to_credit).toMatch(/ms|s|min/);
    expect((await operator('compensations')).out).toMatch(/1 of 1 credited; report to credit: median \S+ m?s, longest/);

    const bob = world.wallet();
    await t.pay(bob);
    expect((await operator('freeze', accountOf(bob.credential), '--reason', 'phone stolen')).out).toMatch(/froze/);
    expect((await t.pay(bob)).body).toMatchObject({ outcome: 'declined', reason: 'frozen', display: 'Account frozen' });
    expect((await operator('unfreeze', accountOf(bob.credential))).out).toMatch(/unfroze/);
    expect((await t.pay(bob)).body.outcome).toBe('approved');
    expect(paid.body.outcome).toBe('approved');

    const outbox = JSON.parse((await operator('notifications', '--json')).out) as { kind: string }[];
    expect(outbox.map((n) => n.kind)).toEqual(expect.arrayContaining(['payment', 'report', 'freeze']));
  });

  it('voids and refunds (idempotent by reference) and shows closed batches with totals per merchant', async () => {
    world = await JudgementWorld.start();
    const t = await world.terminal();
    const alice = world.wallet();
    const first = await t.pay(alice);
    const second = await t.pay(alice, { amount: 300 });
    const ids = (JSON.parse((await operator('transactions', '--json')).out) as { id: number; trace: number }[]);
    const idOf = (trace: number) => String(ids.find((r) => r.trace === trace)!.id);
    expect((await operator('refund', idOf(first.trace), '100')).code).toBe(2);
    const refunded = await operator('refund', idOf(first.trace), '100', '--reference', 'T-77');
    expect(refunded).toMatchObject({ code: 0 });
    expect(refunded.out).toMatch(/refunded 100 EUR of request/);
    expect((await operator('refund', idOf(first.trace), '100', '--reference', 'T-77')).code).toBe(0);
    expect((await operator('refund', idOf(first.trace), '400', '--reference', 'T-78')).err).toMatch(/refused: over-refund/);
    expect((await operator('void', idOf(second.trace), '--reference', 'V-1')).out).toMatch(/voided 300 EUR/);
    const refunds = world.authorizer.db.prepare("SELECT COUNT(*) AS n FROM instructions WHERE action = 'refund' AND outcome = 'done'").get() as { n: number };
    expect(refunds.n).toBe(1);
    // The terminal closes its batch; the operator sees it, balanced, with its totals.
    const close = await t.instruct({
      action: 'close-batch',
      batch: { number: 1, items: [{ trace: first.trace, kind: 'sale', amount: 450, currency: 'EUR' }, { trace: second.trace, kind: 'sale', amount: 300, currency: 'EUR' }] },
    });
    expect(close.result).toMatchObject({ reason: 'balanced' });
    const batches = await operator('batches');
    expect(batches.out).toMatch(new RegExp(`M-DEMO\\s+${t.id}\\s+1\\s+yes\\s+0\\s+2\\s+sale 750`));
    expect(batches.out).toMatch(/settlement totals per merchant/);
    expect(JSON.parse((await operator('batches', '--json')).out).totals).toEqual({ 'M-DEMO': { 'sale EUR': 750 } });
  });

  it('refuses a bad risk configuration with the path at fault', async () => {
    world = await JudgementWorld.start();
    const file = join(world.root, 'risk.json');
    writeFileSync(file, JSON.stringify({ factors: { velocity: { count: -1 } } }));
    const result = await operator('terminals', '--risk-config', file);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(/config\.factors\.velocity\.count: must be a number >= 0/);
  });

  it('reads risk.json from the data directory when no file is named', async () => {
    world = await JudgementWorld.start();
    writeFileSync(join(world.root, 'authorizer', 'risk.json'), JSON.stringify({ compensation: { autoCreditMax: 100 } }));
    const t = await world.terminal();
    await t.pay(world.wallet(), { amount: 450 });
    const id = (JSON.parse((await operator('transactions', '--json')).out) as { id: number }[])[0].id;
    const reported = await operator('report', String(id));
    expect(reported.out).toMatch(/^action +\w+$/m); // without --json: name and value lines, no JSON
    expect(reported.out).toMatch(/^compensation +\{.*"amount":450.*"state":"pending-review"/m);
  });

  it('counts: what /v1/health no longer tells anyone, with the strangers\' requests counted and sampled', async () => {
    world = await JudgementWorld.start();
    await (await world.terminal()).pay(world.wallet());
    await fetch(`${world.authorizer.url}/v1/authorize`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: new Uint8Array(300).fill(0xab) });
    const shown = await operator('counts', '--json');
    expect(shown.code).toBe(0);
    const counts = JSON.parse(shown.out) as { terminals: number; requests: number; codes: number; strangers: Record<string, number>; samples: { kind: string; size: number; start: string }[] };
    expect(counts).toMatchObject({ terminals: 1, requests: 1, codes: 1, strangers: { unreadable: 1 } });
    expect(counts.samples).toEqual([expect.objectContaining({ kind: 'unreadable', size: 300, start: 'ab'.repeat(16) })]);
    expect((await operator('counts')).out).toMatch(/"strangers":\{"unreadable":1\}/);
  });

  it('provision: a one-time token for a merchant, shown once, its hash stored; refused for a merchant it does not know', async () => {
    world = await JudgementWorld.start();
    const shown = await operator('provision', '--merchant', 'M-DEMO', '--hours', '2', '--json');
    expect(shown.code).toBe(0);
    const { token, merchant, expires } = JSON.parse(shown.out) as { token: string; merchant: string; expires: string };
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(merchant).toBe('M-DEMO');
    expect(Date.parse(expires) - Date.now()).toBeGreaterThan(2 * 3_600_000 - 60_000);
    const rows = world.authorizer.db.prepare('SELECT token_hash, merchant_id FROM provisioning_tokens').all() as { token_hash: Buffer; merchant_id: string }[];
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash.equals(Buffer.from(token, 'hex'))).toBe(false);
    expect((await operator('provision', '--merchant', 'M-NOWHERE')).err).toMatch(/no merchant M-NOWHERE/);
    expect((await operator('provision')).code).toBe(2);
    expect((await operator('provision', '--merchant', 'M-DEMO', '--hours', '0')).code).toBe(2);
  });
});

describe('qrpay operator suspend / resume', () => {
  it('suspends a terminal the live authorizer then declines, and resumes it above its last trace', async () => {
    world = await JudgementWorld.start();
    const t = await world.terminal();
    const alice = world.wallet();
    expect((await t.pay(alice)).body.outcome).toBe('approved');
    const suspended = await operator('suspend', t.id, '--reason', 'reported stolen');
    expect([suspended.code, suspended.out]).toEqual([0, `suspended ${t.id} (reported stolen)`]);
    const declined = await t.pay(alice);
    expect([declined.body.outcome, declined.body.reason]).toEqual(['declined', 'terminal-suspended']);
    const listed = JSON.parse((await operator('terminals', '--json')).out) as { id: string; status: string }[];
    expect(listed.find((x) => x.id === t.id)?.status).toBe('suspended');
    // Twice is a mistake the operator hears about; so is an unknown terminal, and resuming one that is not suspended.
    expect((await operator('suspend', t.id)).err).toMatch(/is suspended: only an approved terminal can be suspended/);
    expect((await operator('suspend', 'T0000000000')).err).toMatch(/no terminal T0000000000/);
    expect((await operator('suspend')).code).toBe(2);

    expect(await operator('resume', t.id)).toMatchObject({ code: 0, out: `resumed ${t.id}` });
    expect((await t.pay(alice)).body.outcome).toBe('approved');
    expect((await operator('resume', t.id)).err).toMatch(/is approved: only a suspended terminal can be resumed/);
  });
});
