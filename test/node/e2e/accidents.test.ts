/**
 * "Accidents will happen", on loopback with the real authorizer and database:
 * notifications on two channels that survive a failing channel, reports that
 * reverse or refund and suspend the credential, freezes by the owner or a
 * trusted contact that reach the deny list terminals install.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeEntropy } from '../../../hal/sim/entropy';
import { DenyList } from '../../../src/paycode/deny-list';
import { Dispatcher } from '../../../tools/authorizer/notify/dispatcher';
import { requeueDead } from '../../../tools/authorizer/domain/outbox';
import { webhookTransport } from '../../../tools/authorizer/notify/transports';
import { accountOf, freezeAccount, nameContact, reportPayment, send } from '../../../tools/wallet/authorizer-client';
import { createKeyPair } from '../../../tools/wallet/wallet';
import { fixAt, JudgementWorld, noReceiver, Receiver, type TestWallet } from '../../support/judgement-world';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
let world: JudgementWorld | undefined;
const receivers: Receiver[] = [];

afterEach(async () => {
  await world?.close();
  world = undefined;
  for (const r of receivers.splice(0)) await r.close();
});

async function start(options: { risk?: unknown; maxAttempts?: number } = {}) {
  const push = await new Receiver().start();
  const gateway = await new Receiver().start();
  receivers.push(push, gateway);
  world = await JudgementWorld.start({
    risk: options.risk,
    notify: { walletWebhook: push.url, gatewayUrl: gateway.url, dispatcher: { intervalMs: 3_600_000, backoffMs: 1000, maxAttempts: options.maxAttempts ?? 10 } },
  });
  // The test drives delivery; stop the dispatcher's own kicks so attempts are counted exactly.
  await world.authorizer.dispatcher.stop();
  return { w: world, push, gateway };
}

function outbox(w: JudgementWorld) {
  return w.authorizer.db.prepare('SELECT channel, kind, state, attempts, last_error FROM notifications ORDER BY id').all() as
    { channel: string; kind: string; state: string; attempts: number; last_error: string | null }[];
}

/** A dispatcher on the world's clock whose passes the test runs one at a time (the authorizer's own is stopped). */
function deliver(w: JudgementWorld) {
  return (push: Receiver, gateway: Receiver, maxAttempts = 10) =>
    new Dispatcher({
      store: w.authorizer.store, now: w.time.now, backoffMs: 1000, maxAttempts,
      transports: { 'wallet-push': webhookTransport(push.url), message: webhookTransport(gateway.url) },
    }).runOnce();
}

describe('notifications', () => {
  it('reach the customer on two channels, and a failing gateway is retried with backoff until delivered', async () => {
    const { w, push, gateway } = await start();
    const pass = deliver(w);
    gateway.failNext = 2;
    const t = await w.terminal();
    const paid = await t.pay(w.wallet());
    expect(outbox(w).map((n) => [n.channel, n.kind, n.state])).toEqual([['wallet-push', 'payment', 'queued'], ['message', 'payment', 'queued']]);
    expect(await pass(push, gateway)).toEqual({ delivered: 1, failed: 1 });
    expect(await pass(push, gateway)).toEqual({ delivered: 0, failed: 0 }); // not due yet: 1 s backoff
    w.time.advance(1000);
    expect(await pass(push, gateway)).toEqual({ delivered: 0, failed: 1 });
    w.time.advance(1999);
    expect(await pass(push, gateway)).toEqual({ delivered: 0, failed: 0 }); // 2 s backoff now
    w.time.advance(1);
    expect(await pass(push, gateway)).toEqual({ delivered: 1, failed: 0 });
    expect(outbox(w).map((n) => [n.state, n.attempts])).toEqual([['delivered', 1], ['delivered', 3]]);
    expect(push.received).toHaveLength(1);
    expect(gateway.received).toHaveLength(1);
    expect(gateway.received[0]).toMatchObject({ kind: 'payment', data: { payment: hex(paid.requestHash), outcome: 'approved' } });
  });

  it('a channel down for good leaves its messages dead, never deleted, and an operator can requeue them', async () => {
    const { w, push, gateway } = await start();
    const pass = deliver(w);
    gateway.failNext = 100;
    await (await w.terminal()).pay(w.wallet());
    for (let i = 0; i < 3; i++) {
      await pass(push, gateway, 3);
      w.time.advance(10_000);
    }
    expect(outbox(w).map((n) => n.state)).toEqual(['delivered', 'dead']);
    expect(outbox(w)[1].last_error).toMatch(/503/);
    gateway.failNext = 0;
    expect(await requeueDead(w.authorizer.store, w.time.now())).toBe(1);
    await pass(push, gateway, 3);
    expect(outbox(w).map((n) => n.state)).toEqual(['delivered', 'delivered']);
    expect(gateway.received).toHaveLength(1);
  });
});

describe('notifications without webhooks', () => {
  it('are spooled as one JSON file per message and channel under the data directory, right after the decision', async () => {
    world = await JudgementWorld.start();
    const w = world;
    const paid = await (await w.terminal()).pay(w.wallet());
    const dir = (channel: string) => join(w.root, 'authorizer', 'outbox', channel);
    const spooled = (channel: string) => (existsSync(dir(channel)) ? readdirSync(dir(channel)).filter((f) => f.endsWith('.json')) : []);
    for (let i = 0; i < 100 && (spooled('wallet-push').length === 0 || spooled('message').length === 0); i++) await new Promise((r) => setTimeout(r, 20));
    for (const channel of ['wallet-push', 'message']) {
      const files = spooled(channel);
      expect(files).toHaveLength(1);
      expect(JSON.parse(readFileSync(join(dir(channel), files[0]), 'utf8'))).toMatchObject({ channel, kind: 'payment', data: { payment: hex(paid.requestHash) } });
    }
    expect(outbox(w).map((n) => n.state)).toEqual(['delivered', 'delivered']);
  });
});

describe('copied code', () => {
  it('tells the customer on both channels that their code was presented again, and where it was first used', async () => {
    const { w } = await start();
    const alice = w.wallet();
    const code = alice.code();
    const once = { code: () => code } as TestWallet;
    const counter = await w.terminal();
    const elsewhere = await w.terminal();
    const paid = await counter.pay(once);
    const copy = await elsewhere.pay(once, { amount: 9000 });
    expect(copy.body).toMatchObject({ outcome: 'declined', reason: 'replayed' });
    const alerts = w.authorizer.db.prepare("SELECT channel, account, payload FROM notifications WHERE kind = 'copied-code'").all() as
      { channel: string; account: string; payload: string }[];
    expect(alerts.map((a) => a.channel)).toEqual(['wallet-push', 'message']);
    expect(alerts[0].account).toBe(accountOf(alice.credential));
    expect(JSON.parse(alerts[0].payload).data).toMatchObject({
      presentedAt: elsewhere.id, firstUsedAt: counter.id, amount: 9000, payment: hex(paid.requestHash),
    });
  });
});

describe('report', () => {
  async function paidWith(w: JudgementWorld, wallet: TestWallet, amount = 450, location = fixAt(0, 0)) {
    const t = await w.terminal();
    return t.pay(wallet, { amount, location });
  }

  it('refunds a captured payment at once, suspends the credential everywhere, and tells the customer', async () => {
    const { w } = await start();
    const alice = w.wallet();
    const paid = await paidWith(w, alice);
    const denyBefore = await (await fetch(`${w.authorizer.url}/v1/deny-list`)).arrayBuffer();
    const answer = await send(w.authorizer.url, reportPayment(alice.device, alice.credential, hex(paid.requestHash), 'not me', w.time.now()));
    expect(answer).toMatchObject({
      status: 200,
      body: { action: 'disputed', compensation: { kind: 'refund', amount: 450, currency: 'EUR', state: 'credited' } },
    });
    const timing = w.authorizer.db.prepare('SELECT r.reported_at, c.credited_at FROM reports r JOIN compensations c ON c.report_id = r.id').get() as
      { reported_at: number; credited_at: number };
    expect(timing.credited_at - timing.reported_at).toBe(0);
    // The credential is suspended: the authorizer refuses its next code...
    const again = await paidWith(w, alice);
    expect(again.body).toMatchObject({ outcome: 'declined', reason: 'revoked' });
    // ...and the deny list terminals fetch next carries it.
    const denyAfter = new Uint8Array(await (await fetch(`${w.authorizer.url}/v1/deny-list`)).arrayBuffer());
    const list = new DenyList({ root: w.authorizer.lists.rootKey });
    expect(list.install(new Uint8Array(denyBefore), Math.floor(w.time.now() / 1000)).ok).toBe(true);
    expect(list.install(denyAfter, Math.floor(w.time.now() / 1000)).ok).toBe(true);
    expect(list.check(alice.credential.issuerKid, alice.credential.credentialId, alice.credential.account, Math.floor(w.time.now() / 1000)))
      .toMatchObject({ ok: false, reason: 'revoked' });
    expect(outbox(w).filter((n) => n.kind === 'report').map((n) => n.channel)).toEqual(['wallet-push', 'message']);
  });

  it('a large refund waits for an operator; the time from report to compensation is measured', async () => {
    const { w } = await start();
    const alice = w.wallet();
    const paid = await paidWith(w, alice, 20_000);
    const answer = await send(w.authorizer.url, reportPayment(alice.device, alice.credential, hex(paid.requestHash), 'stolen phone', w.time.now()));
    expect(answer.body).toMatchObject({ compensation: { state: 'pending-review' } });
    w.time.advance(2 * 3_600_000);
    const { id } = answer.body.compensation as { id: number };
    expect(await w.authorizer.disputes.credit(id)).toBe(true);
    expect(await w.authorizer.disputes.credit(id)).toBe(false);
    const timing = w.authorizer.db.prepare('SELECT r.reported_at, c.credited_at, c.state FROM reports r JOIN compensations c ON c.report_id = r.id').get() as
      { reported_at: number; credited_at: number; state: string };
    expect(timing).toMatchObject({ state: 'credited' });
    expect(timing.credited_at - timing.reported_at).toBe(2 * 3_600_000);
  });

  it('reverses a held payment (the funds never leave) and releases it at once', async () => {
    const { w } = await start();
    const alice = w.wallet();
    const held = await paidWith(w, alice, 450, fixAt(0, 5000)); // off-site: held
    expect(held.body.outcome).toBe('held');
    const answer = await send(w.authorizer.url, reportPayment(alice.device, alice.credential, hex(held.requestHash), 'not me', w.time.now()));
    expect(answer.body).toMatchObject({ action: 'reversed', compensation: { kind: 'release', state: 'credited' } });
    expect(w.authorizer.db.prepare('SELECT state FROM payments').get()).toEqual({ state: 'reversed' });
  });

  it('refuses a report not signed by the account\'s device key, a report by the revoked credential, and a second report of the same payment', async () => {
    const { w } = await start();
    const alice = w.wallet();
    const mallory = w.wallet();
    const paid = await paidWith(w, alice);
    const forged = await send(w.authorizer.url, reportPayment(mallory.device, alice.credential, hex(paid.requestHash), 'x', w.time.now()));
    expect(forged.status).toBe(403);
    const stale = await send(w.authorizer.url, reportPayment(alice.device, alice.credential, hex(paid.requestHash), 'x', w.time.now() - 3_600_000));
    expect(stale.status).toBe(400);
    expect((await send(w.authorizer.url, reportPayment(alice.device, alice.credential, hex(paid.requestHash), 'x', w.time.now()))).status).toBe(200);
    // The report revoked the credential that paid, so its key can report nothing more; the operator's second report is a conflict.
    expect((await send(w.authorizer.url, reportPayment(alice.device, alice.credential, hex(paid.requestHash), 'x', w.time.now()))).status).toBe(403);
    const payment = (await w.authorizer.store.transaction((tx) => tx.payments.byHash(paid.requestHash)))!;
    await expect(w.authorizer.disputes.report({ requestId: payment.requestId, by: 'operator', note: 'again' })).rejects.toMatchObject({ refusal: 'conflict' });
  });
});

describe('freeze', () => {
  it('by the owner: every credential of the account is declined, and the deny list carries the account', async () => {
    const { w } = await start();
    const phone = w.wallet();
    const tablet = w.wallet(phone.credential.account);
    const t = await w.terminal();
    await t.pay(phone, { location: noReceiver });
    const answer = await send(w.authorizer.url, freezeAccount(phone.device, accountOf(phone.credential), 'lost my bag', w.time.now()));
    expect(answer).toMatchObject({ status: 200, body: { frozen: true, by: 'owner' } });
    expect((await t.pay(tablet)).body).toMatchObject({ outcome: 'declined', reason: 'frozen' });
    const list = new DenyList({ root: w.authorizer.lists.rootKey });
    const bytes = new Uint8Array(await (await fetch(`${w.authorizer.url}/v1/deny-list`)).arrayBuffer());
    const now = Math.floor(w.time.now() / 1000);
    expect(list.install(bytes, now).ok).toBe(true);
    expect(list.check(tablet.credential.issuerKid, tablet.credential.credentialId, tablet.credential.account, now))
      .toMatchObject({ ok: false, reason: 'frozen', detail: expect.stringMatching(/frozen/) });
    expect(outbox(w).filter((n) => n.kind === 'freeze')).toHaveLength(2);
  });

  it('by a trusted contact the owner named beforehand (the phone is in the thief\'s hands); not by anyone else', async () => {
    const { w } = await start();
    const alice = w.wallet();
    await (await w.terminal()).pay(alice);
    const bob = createKeyPair('ES256', nodeEntropy);
    const eve = createKeyPair('EdDSA', nodeEntropy);
    const account = accountOf(alice.credential);
    expect((await send(w.authorizer.url, nameContact(alice.device, alice.credential, { name: 'Bob', publicKey: bob.publicKey }, w.time.now()))).status).toBe(200);
    expect((await send(w.authorizer.url, freezeAccount(eve, account, 'prank', w.time.now()))).status).toBe(403);
    // Eve cannot name herself either: only the owner's device key names contacts.
    expect((await send(w.authorizer.url, nameContact(eve, alice.credential, { name: 'Eve', publicKey: eve.publicKey }, w.time.now()))).status).toBe(403);
    const frozen = await send(w.authorizer.url, freezeAccount(bob, account, 'Alice\'s phone was stolen', w.time.now()));
    expect(frozen).toMatchObject({ status: 200, body: { by: 'contact:Bob' } });
    expect(w.authorizer.db.prepare('SELECT frozen_by, reason FROM frozen_accounts').get()).toEqual({ frozen_by: 'contact:Bob', reason: 'Alice\'s phone was stolen' });
    // Bob is Alice's contact, not everyone's.
    const carol = w.wallet();
    await (await w.terminal()).pay(carol);
    expect((await send(w.authorizer.url, freezeAccount(bob, accountOf(carol.credential), 'x', w.time.now()))).status).toBe(403);
  });
});
