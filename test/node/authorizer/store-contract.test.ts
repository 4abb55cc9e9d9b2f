/**
 * The store contract: the same checks against store/sqlite, store/postgres
 * (a real PostgreSQL server this file starts, a fresh database per test) and
 * store/memory, through the port (tools/authorizer/store/ports.ts) and
 * through the domain and HTTP face composed over it. Any future store passes
 * this file.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hex } from '../../../src/paycode/hex';
import { IllegalTransition, openPayment, transition, type PaymentState } from '../../../tools/authorizer/domain/payment-state';
import { DomainRefusal } from '../../../tools/authorizer/domain/results';
import { strangerPrefixBytes, strangerProblemChars, strangerSampleSlots, type Tx } from '../../../tools/authorizer/store/ports';
import { openRequest } from '../../../src/authorization/request';
import { createHash } from 'node:crypto';
import { send, stepUpAnswer } from '../../../tools/wallet/authorizer-client';
import {
  addMerchant, addSite, applyMerchants, editMerchant, editSite, keptNotice, MerchantsConfigError, parseMerchantsConfig,
} from '../../../tools/authorizer/domain/merchants';
import { issueProvisioningToken } from '../../../tools/authorizer/domain/provisioning';
import { enrollBenchTerminal, fixAt, JudgementWorld, site, type Paid } from '../../support/judgement-world';
import { postgresAvailability, PostgresServer } from '../../support/postgres-server';
import { Random } from '../../support/corpus/random';

const kinds = ['sqlite', 'PostgreSQL', 'memory'] as const;
type Kind = (typeof kinds)[number];
const postgres = postgresAvailability();
if (!postgres.ok) console.warn(`store contract: the PostgreSQL suite is SKIPPED: ${postgres.reason}`);
let server: PostgresServer | undefined;
let world: JudgementWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});
afterAll(async () => {
  await server?.stop();
});

async function start(kind: Kind, risk: unknown = {}) {
  const store = kind === 'PostgreSQL' ? { database: await server!.createDatabase() } : { store: kind };
  world = await JudgementWorld.start({ ...store, risk, notify: { dispatcher: { intervalMs: 3_600_000 } } });
  await world.authorizer.dispatcher.stop();
  return world;
}

if (!postgres.ok) it.skip(`store contract: PostgreSQL — skipped: ${postgres.reason}`, () => undefined);

const payloadHashOf = (bytes: Uint8Array) => new Uint8Array(createHash('sha256').update(openRequest(bytes).envelope.sign1.payload).digest());

const read = <T>(w: JudgementWorld, work: (tx: Tx) => Promise<T>) => w.authorizer.store.transaction(work);

describe.each(kinds.filter((kind) => kind !== 'PostgreSQL' || postgres.ok))('store contract: %s', (kind) => {
  if (kind === 'PostgreSQL') {
    beforeAll(async () => {
      server ??= await PostgresServer.start();
    });
  }

  it('commits a transaction whole, rolls a failed one back whole, and runs after-commit effects only on commit', async () => {
    const w = await start(kind);
    const effects: string[] = [];
    await read(w, async (tx) => {
      await tx.settings.put('probe', Uint8Array.of(1));
      tx.afterCommit(() => effects.push('committed'));
    });
    await expect(read(w, async (tx) => {
      await tx.settings.put('probe', Uint8Array.of(2));
      await tx.lists.bump('deny');
      tx.afterCommit(() => effects.push('never'));
      throw new Error('boom');
    })).rejects.toThrow('boom');
    expect(await read(w, (tx) => tx.settings.get('probe'))).toEqual(Uint8Array.of(1));
    expect(await read(w, (tx) => tx.lists.version('deny'))).toBe(1);
    expect(effects).toEqual(['committed']);
  });

  it('journals every payment state change with its cause, and refuses an illegal one with a typed error that changes nothing', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    const paid = await t.pay(w.wallet());
    expect(paid.body.outcome).toBe('approved');
    const payment = (await read(w, (tx) => tx.payments.byHash(paid.requestHash)))!;
    expect(payment).toMatchObject({ state: 'captured', amount: 450, currency: 'EUR', terminalId: t.id });
    expect(await read(w, (tx) => tx.payments.events(payment.requestId))).toEqual([
      { requestId: payment.requestId, from: null, to: 'captured', cause: 'decision', detail: expect.stringMatching(/^approved/), at: w.time.now() },
    ]);
    const illegal = read(w, (tx) => transition(tx, payment, 'reversed', 'review', 'no: captured is not held', w.time.now()));
    await expect(illegal).rejects.toBeInstanceOf(IllegalTransition);
    await expect(illegal).rejects.toMatchObject({ name: 'IllegalTransition', from: 'captured', to: 'reversed', cause: 'review' });
    // Opening a payment twice for one request is refused by the store itself.
    await expect(read(w, (tx) => openPayment(tx, payment, 'captured', 'again'))).rejects.toThrow();
    expect((await read(w, (tx) => tx.payments.byRequest(payment.requestId)))!.state).toBe('captured');
    expect(await read(w, (tx) => tx.payments.events(payment.requestId))).toHaveLength(1);
  });

  it('answers a retry from the journal, suspends a terminal whose trace goes back, and shows it all to the operator', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    const alice = w.wallet();
    await t.pay(alice);
    await t.pay(alice);
    const views = await read(w, (tx) => tx.views.transactions({ limit: 10 }));
    expect(views.map((v) => [v.trace, v.outcome, v.state])).toEqual([[2, 'approved', 'captured'], [1, 'approved', 'captured']]);
    const detail = (await read(w, (tx) => tx.views.decision(views[0].id)))!;
    expect(detail.journal.map((e) => [e.from, e.to, e.cause])).toEqual([[null, 'captured', 'decision']]);
    expect(detail.assessment?.factors).toEqual([]);
    const terminals = await read(w, (tx) => tx.views.terminals());
    expect(terminals).toMatchObject([{ id: t.id, status: 'approved', last_trace: 2, requests: 2 }]);
    expect(await read(w, (tx) => tx.terminals.count())).toBe(1);
    expect(await read(w, (tx) => tx.requests.count())).toBe(2);
  });

  it('at the same moment: accepts a code shown at two terminals once, decides a retry racing its original once, lets one of two requests with one trace through', async () => {
    const w = await start(kind);
    const [t1, t2, t3] = [await w.terminal(), await w.terminal(), await w.terminal()];
    const alice = w.wallet();
    const code = alice.code();
    const copies = await Promise.all([t1.pay(alice, { code }), t2.pay(alice, { code })]);
    expect(copies.map((p) => `${p.body.outcome}:${p.body.reason}`).sort()).toEqual(['approved:approved', 'declined:replayed']);

    const request = t1.sign(alice);
    const [original, retry] = await Promise.all([t1.send(request), t1.send(request)]);
    expect(original.body.outcome).toBe('approved');
    expect(retry.answer).toEqual(original.answer);

    const clones = await Promise.all([t3.pay(alice, { trace: 7 }), t3.pay(w.wallet(), { trace: 7, reference: 'the clone' })]);
    expect(clones.map((p) => `${p.body.outcome}:${p.body.reason}`).sort()).toEqual(['approved:approved', 'declined:trace-reused']);
    const terminals = await read(w, (tx) => tx.views.terminals());
    expect(terminals.map((t) => [t.id, t.status, t.last_trace])).toEqual([[t1.id, 'approved', 2], [t2.id, 'approved', 1], [t3.id, 'suspended', 7]]);
    // Three payments, each once: the copy, the retry and the clone moved no money.
    const transactions = await read(w, (tx) => tx.views.transactions({ limit: 20 }));
    expect(transactions.filter((t) => t.state === 'captured')).toHaveLength(3);
    expect(transactions.filter((t) => t.retry_of !== null)).toHaveLength(1);
  });

  it('reverses through the port: a capture voided and journaled, one record per (terminal, trace), the same answer to every copy', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    const paid = await t.pay(w.wallet());
    const first = await t.reverse(paid);
    expect(first.ack).toMatchObject({ effect: 'voided' });
    const payment = (await read(w, (tx) => tx.payments.byHash(paid.requestHash)))!;
    expect(payment.state).toBe('voided');
    expect((await read(w, (tx) => tx.payments.events(payment.requestId))).map((e) => [e.from, e.to, e.cause])).toEqual([[null, 'captured', 'decision'], ['captured', 'voided', 'reversal']]);
    const record = (await read(w, (tx) => tx.lifecycle.reversal(t.id, paid.trace)))!;
    expect(record).toMatchObject({ terminalId: t.id, trace: paid.trace, requestHash: paid.requestHash, reason: 'no-answer', effect: 'voided', answer: first.body });
    expect((await t.reverse(paid, 'interrupted')).body).toEqual(first.body);
    await expect(read(w, (tx) => tx.lifecycle.recordReversal(record))).rejects.toThrow();
    // A request never seen, reversed ahead: declined when it comes, the terminal not suspended.
    const ahead = { trace: paid.trace + 1, requestHash: new Uint8Array(32).fill(3) };
    expect((await t.reverse(ahead)).ack).toMatchObject({ effect: 'not-received' });
    expect((await t.pay(w.wallet())).body).toMatchObject({ outcome: 'declined', reason: 'reversed' });
    expect((await read(w, (tx) => tx.terminals.byId(t.id)))!.status).toBe('approved');
  });

  it('holds, completes, refunds, voids and closes batches through the port, each recorded once', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    const held = await t.pay(w.wallet(), { kind: 'pre-auth', amount: 500, purpose: 'bike-unlock' });
    const heldPayment = (await read(w, (tx) => tx.payments.byHash(held.requestHash)))!;
    expect(heldPayment.state).toBe('authorized');
    expect(await read(w, (tx) => tx.lifecycle.hold(heldPayment.requestId))).toMatchObject({ requestId: heldPayment.requestId });
    expect((await t.instruct({ action: 'complete', target: held, amount: 200 })).result).toMatchObject({ outcome: 'done', amount: 200 });
    const sale = await t.pay(w.wallet());
    const refund = await t.instruct({ action: 'refund', target: held, amount: 50 });
    expect(refund.result).toMatchObject({ outcome: 'done', amount: 50 });
    expect((await t.instruct({ action: 'void', target: sale })).result).toMatchObject({ outcome: 'done', amount: 450 });
    expect((await read(w, (tx) => tx.payments.byHash(held.requestHash)))!.state).toBe('partially-refunded');
    const done = await read(w, (tx) => tx.lifecycle.doneOn(heldPayment.requestId));
    expect(done.map((i) => [i.action, i.amount])).toEqual([['complete', 200], ['refund', 50]]);
    await expect(read(w, (tx) => tx.lifecycle.recordInstruction({ ...done[0] }))).rejects.toThrow();
    const open = await read(w, (tx) => tx.lifecycle.openBatch(t.id));
    expect(open.sales.map((x) => x.trace)).toEqual([sale.trace]);
    expect(open.instructions.map((x) => x.action)).toEqual(['complete', 'refund', 'void']);
    const close = await t.instruct({ action: 'close-batch', batch: { number: 1, items: [] } });
    expect(close.result).toMatchObject({ reason: 'out-of-balance' });
    expect(await read(w, (tx) => tx.lifecycle.openBatch(t.id))).toEqual({ sales: [], reversals: [], instructions: [] });
    expect(await read(w, (tx) => tx.lifecycle.closedIn(t.id, sale.trace, 'sale'))).toBe(1);
    expect((await read(w, (tx) => tx.lifecycle.batches({ limit: 5 })))).toMatchObject([{ terminalId: t.id, number: 1, balanced: false, merchantId: 'M-DEMO' }]);
    w.time.advance(25 * 3_600_000);
    const second = await t.pay(w.wallet(), { kind: 'pre-auth', amount: 500, purpose: 'bike-unlock' });
    w.time.advance(25 * 3_600_000);
    expect(await w.authorizer.instructions.expireHolds()).toBe(1);
    expect((await read(w, (tx) => tx.payments.byHash(second.requestHash)))!.state).toBe('expired');
  });

  it('keeps the history the factors read: an account\'s facts in one call, merchant volumes, the last fix', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    const alice = w.wallet();
    for (const amount of [100, 200, 300]) {
      await t.pay(alice, { amount, location: fixAt(10, 10) });
      w.time.advance(60_000);
    }
    const last = (await read(w, (tx) => tx.views.transactions({ limit: 1 })))[0];
    const payment = (await read(w, (tx) => tx.payments.byRequest(last.id)))!;
    const { account, credential } = payment;
    const now = w.time.now();
    const history = await read(w, async (tx) => ({
      facts: await tx.history.accountFacts({ account, credential, merchantId: 'M-DEMO', since: now - 150_000, recentLimit: 2 }),
      elsewhere: await tx.history.accountFacts({ account, credential: 'nobody/none', merchantId: 'M-OTHER', since: now, recentLimit: 5 }),
      stranger: await tx.history.accountFacts({ account: 'nobody/none', credential: 'nobody/none', merchantId: 'M-DEMO', since: 0, recentLimit: 5 }),
      volumes: await tx.history.merchantVolumes('M-DEMO', [
        { from: 0, to: now }, { from: now - 90_000, to: now }, { from: now - 130_000, to: now - 90_000 }, { from: now, to: now + 1 },
      ]),
      fix: await tx.history.lastTerminalFix(t.id),
    }));
    expect(history.facts).toEqual({
      recentAmounts: [300, 200], paymentsSince: 2, accountPayments: 3, paidMerchantBefore: true, credentialKnown: true,
      lastPlacedPayment: { terminalId: t.id, latitude: payment.latitude, longitude: payment.longitude, at: now - 60_000 },
    });
    expect(history.elsewhere).toMatchObject({ recentAmounts: [300, 200, 100], paymentsSince: 0, accountPayments: 3, paidMerchantBefore: false, credentialKnown: false });
    expect(history.stranger).toEqual({ recentAmounts: [], paymentsSince: 0, accountPayments: 0, paidMerchantBefore: false, credentialKnown: false, lastPlacedPayment: undefined });
    expect(history.volumes).toEqual([{ count: 3, total: 600 }, { count: 1, total: 300 }, { count: 1, total: 200 }, { count: 0, total: 0 }]);
    expect(history.fix).toMatchObject({ accuracy: 4, at: now - 60_000 });
  });

  it('counts a merchant\'s volume the way its payments add up, whole minutes or not, through any change of their states', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    const random = new Random(17);
    const ids: number[] = [];
    for (let i = 0; i < 16; i++) {
      const paid = await t.pay(w.wallet(), { amount: 100 + 37 * i });
      ids.push((await read(w, (tx) => tx.payments.byHash(paid.requestHash)))!.requestId);
      // Several in one minute, some minutes apart.
      w.time.advance(random.int(0, 150_000));
    }
    // In and out of the accepted states straight through the port, as a repair would: the count follows every write.
    const states: PaymentState[] = ['captured', 'pending', 'declined', 'reversed', 'authorized', 'refunded', 'partially-refunded', 'voided'];
    for (let i = 0; i < 40; i++) await read(w, (tx) => tx.payments.setState(ids[random.int(0, ids.length - 1)], states[random.int(0, states.length - 1)]));
    const payments = await read(w, (tx) => Promise.all(ids.map(async (id) => (await tx.payments.byRequest(id))!)));
    const first = payments[0].at;
    const end = w.time.now() + 1;
    const minute = 60_000;
    const start0 = first - (first % minute);
    const windows = [
      { from: 0, to: end }, { from: start0, to: start0 + 5 * minute }, { from: start0 + minute, to: start0 + 3 * minute },
      { from: first + 1, to: end - 1 }, { from: first + 30_000, to: first + 100_000 }, { from: first + 7, to: first + 9 }, { from: end, to: end },
      ...Array.from({ length: 12 }, () => {
        const from = first + random.int(-minute, end - first);
        return { from, to: from + random.int(0, 6 * minute) };
      }),
    ];
    const accepted = new Set<PaymentState>(['captured', 'pending', 'authorized', 'partially-refunded']);
    const expected = windows.map(({ from, to }) => {
      const counted = payments.filter((p) => accepted.has(p.state) && p.at >= from && p.at < to);
      return { count: counted.length, total: counted.reduce((sum, p) => sum + p.amount, 0) };
    });
    expect(expected[0].count).toBeGreaterThan(0);
    expect(await read(w, (tx) => tx.history.merchantVolumes('M-DEMO', windows))).toEqual(expected);
    expect(await read(w, (tx) => tx.history.merchantVolumes('M-OTHER', windows.slice(0, 2)))).toEqual([{ count: 0, total: 0 }, { count: 0, total: 0 }]);
  });

  it('holds, then releases on review; a second review is a typed refusal', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    const alice = w.wallet();
    await t.pay(alice);
    const held = await t.pay(alice, { location: fixAt(0, 3000) });
    expect(held.body.outcome).toBe('held');
    const payment = (await read(w, (tx) => tx.payments.byHash(held.requestHash)))!;
    expect(payment.state).toBe('pending');
    await w.authorizer.disputes.review(payment.requestId, 'release');
    await expect(w.authorizer.disputes.review(payment.requestId, 'reverse')).rejects.toBeInstanceOf(DomainRefusal);
    expect((await read(w, (tx) => tx.payments.events(payment.requestId))).map((e) => [e.from, e.to, e.cause])).toEqual([
      [null, 'pending', 'decision'], ['pending', 'captured', 'review'],
    ]);
  });

  it('at the same moment: two reviews of one held payment move it once (the other a typed refusal), two reports of one payment file one', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    const alice = w.wallet();
    await t.pay(alice);
    const held = await t.pay(alice, { location: fixAt(0, 3000) });
    const payment = (await read(w, (tx) => tx.payments.byHash(held.requestHash)))!;
    const reviews = await Promise.allSettled([
      w.authorizer.disputes.review(payment.requestId, 'release'), w.authorizer.disputes.review(payment.requestId, 'reverse'),
    ]);
    expect(reviews.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((reviews.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ refusal: 'conflict' });
    const events = await read(w, (tx) => tx.payments.events(payment.requestId));
    expect(events).toHaveLength(2);
    expect((await read(w, (tx) => tx.payments.byRequest(payment.requestId)))!.state).toBe(events[1].to);

    const paid = await (await w.terminal()).pay(w.wallet());
    expect(paid.body.outcome).toBe('approved');
    const target = (await read(w, (tx) => tx.payments.byHash(paid.requestHash)))!;
    const reports = await Promise.allSettled([1, 2].map((n) => w.authorizer.disputes.report({ requestId: target.requestId, by: 'operator', note: `call ${n}` })));
    expect(reports.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((reports.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ refusal: 'conflict' });
    expect(await read(w, (tx) => tx.views.compensations())).toHaveLength(1);
  });

  it('settles a step-up through the wallet answer, signed for the same request', async () => {
    const w = await start(kind, { factors: { 'new-credential': { points: 40 } } });
    const t = await w.terminal();
    const alice = w.wallet();
    const paid = await t.pay(alice);
    expect(paid.body.outcome).toBe('step-up');
    const challenge = (await read(w, (tx) => tx.stepUps.byHash(paid.requestHash)))!;
    expect(challenge.state).toBe('pending');
    const pending = await fetch(`${w.authorizer.url}/v1/step-up/${hex(paid.requestHash)}`);
    expect(pending.status).toBe(202);
    const answer = await send(w.authorizer.url, stepUpAnswer(alice.device, alice.credential, challenge.id, true, w.time.now()));
    expect(answer).toMatchObject({ status: 200, body: { state: 'confirmed', outcome: 'approved' } });
    const final = await fetch(`${w.authorizer.url}/v1/step-up/${hex(paid.requestHash)}`);
    expect(final.status).toBe(200);
    const payment = (await read(w, (tx) => tx.payments.byHash(paid.requestHash)))!;
    expect((await read(w, (tx) => tx.payments.events(payment.requestId))).map((e) => [e.to, e.cause])).toEqual([
      ['awaiting-confirmation', 'decision'], ['captured', 'step-up'],
    ]);
  });

  it('reports a captured payment: disputed, refunded, the credential revoked on the deny list, the customer told on both channels', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    const paid = await t.pay(w.wallet());
    const payment = (await read(w, (tx) => tx.payments.byHash(paid.requestHash)))!;
    const before = await read(w, (tx) => tx.lists.version('deny'));
    const report = await w.authorizer.disputes.report({ requestId: payment.requestId, by: 'operator', note: 'called in' });
    expect(report).toMatchObject({ action: 'disputed', compensation: { kind: 'refund', amount: 450, state: 'credited' } });
    await expect(w.authorizer.disputes.report({ requestId: payment.requestId, by: 'operator', note: 'again' })).rejects.toMatchObject({ refusal: 'conflict' });
    expect(await read(w, (tx) => tx.lists.version('deny'))).toBe(before + 1);
    expect(await read(w, (tx) => tx.lists.revoked())).toEqual([{ issuerKid: payment.credential.split('/')[0], credentialId: payment.credential.split('/')[1] }]);
    const outbox = await read(w, (tx) => tx.views.notifications(undefined, 10));
    expect(outbox.map((n) => [n.kind, n.channel])).toEqual([['report', 'message'], ['report', 'wallet-push'], ['payment', 'message'], ['payment', 'wallet-push']]);
    expect(await read(w, (tx) => tx.views.compensations())).toMatchObject([{ request_id: payment.requestId, kind: 'refund', state: 'credited' }]);
  });

  it('delivers the outbox at least once: due, delivered, failed with backoff, dead, requeued', async () => {
    const w = await start(kind);
    await (await w.terminal()).pay(w.wallet());
    const due = await read(w, (tx) => tx.outbox.due(w.time.now(), 10));
    expect(due.map((e) => e.channel)).toEqual(['wallet-push', 'message']);
    expect(await read(w, (tx) => tx.outbox.backlog())).toEqual({ queued: 2, dead: 0 });
    await read(w, (tx) => tx.outbox.delivered([{ id: due[0].id, deliveredAt: w.time.now() }]));
    await read(w, (tx) => tx.outbox.failed(due[1].id, { attempts: 1, dead: false, nextAttemptAt: w.time.now() + 1000, error: '503' }));
    expect(await read(w, (tx) => tx.outbox.due(w.time.now(), 10))).toEqual([]);
    expect((await read(w, (tx) => tx.outbox.due(w.time.now() + 1000, 10))).map((e) => [e.id, e.attempts, e.lastError])).toEqual([[due[1].id, 1, '503']]);
    await read(w, (tx) => tx.outbox.failed(due[1].id, { attempts: 2, dead: true, nextAttemptAt: w.time.now(), error: '503' }));
    expect(await read(w, (tx) => tx.outbox.backlog())).toEqual({ queued: 0, dead: 1 });
    expect(await read(w, (tx) => tx.outbox.requeueDead(w.time.now()))).toBe(1);
    expect(await read(w, (tx) => tx.outbox.backlog())).toEqual({ queued: 1, dead: 0 });
    expect((await read(w, (tx) => tx.outbox.due(w.time.now(), 10))).map((e) => e.attempts)).toEqual([0]);
  });

  it('marks a pass of deliveries in one call, each with its own time, and leaves the rest queued', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    await t.pay(w.wallet());
    await t.pay(w.wallet());
    const due = await read(w, (tx) => tx.outbox.due(w.time.now(), 10));
    expect(due).toHaveLength(4);
    const at = w.time.now();
    await read(w, (tx) => tx.outbox.delivered(due.slice(0, 3).map((e, i) => ({ id: e.id, deliveredAt: at + i }))));
    expect(await read(w, (tx) => tx.outbox.backlog())).toEqual({ queued: 1, dead: 0 });
    expect((await read(w, (tx) => tx.outbox.due(at + 10, 10))).map((e) => e.id)).toEqual([due[3].id]);
    const lines = await read(w, (tx) => tx.views.notifications('delivered', 10));
    expect(lines.map((l) => [l.id, l.attempts, l.delivered_at]).sort((a, b) => a[0]! - b[0]!)).toEqual(due.slice(0, 3).map((e, i) => [e.id, 1, at + i]));
  });

  it('settings: put, get and remove', async () => {
    const w = await start(kind);
    await read(w, (tx) => tx.settings.put('probe', Uint8Array.of(7)));
    await read(w, (tx) => tx.settings.remove('probe'));
    expect(await read(w, (tx) => tx.settings.get('probe'))).toBeUndefined();
    // The authorizer's own keys are not in the store (keys.ts keeps them in files).
    expect(await read(w, (tx) => tx.settings.get('decision.key'))).toBeUndefined();
  });

  it('the replay ledger: records a verified code with its forget time, counts a credential\'s live codes, prunes the dead ones', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    const paid = await t.pay(w.wallet());
    const payment = (await read(w, (tx) => tx.payments.byHash(paid.requestHash)))!;
    const now = w.time.now();
    expect(await read(w, (tx) => tx.codes.count())).toBe(1);
    await read(w, async (tx) => {
      await tx.codes.record({ credential: 'aa/01', codeId: 'c1', requestId: payment.requestId, now, forgetAfter: now + 1000 });
      await tx.codes.record({ credential: 'aa/01', codeId: 'c2', requestId: payment.requestId, now, forgetAfter: now + 2000 });
    });
    await expect(read(w, (tx) => tx.codes.record({ credential: 'aa/01', codeId: 'c1', requestId: payment.requestId, now, forgetAfter: now }))).rejects.toThrow();
    expect(await read(w, (tx) => tx.codes.firstUse('aa/01', 'c1'))).toBe(payment.requestId);
    expect(await read(w, (tx) => tx.codes.liveFor('aa/01', now))).toBe(2);
    expect(await read(w, (tx) => tx.codes.liveFor('aa/01', now + 1000))).toBe(1);
    expect(await read(w, (tx) => tx.codes.liveFor('aa/02', now))).toBe(0);
    expect(await read(w, (tx) => tx.codes.prune(now + 1000))).toBe(1);
    expect(await read(w, (tx) => tx.codes.firstUse('aa/01', 'c1'))).toBeUndefined();
    expect(await read(w, (tx) => tx.codes.firstUse('aa/01', 'c2'))).toBe(payment.requestId);
    // The code the terminal paid with lives for its lifetime plus the skew, then it goes too.
    expect(await read(w, (tx) => tx.codes.prune(now + 2000 + 210_000))).toBe(2);
    expect(await read(w, (tx) => tx.codes.count())).toBe(0);
  });

  it('strangers: counted by kind, sampled in a ring of strangerSampleSlots, newest first, each sample cut to its bounds', async () => {
    const w = await start(kind);
    const big = new Uint8Array(4000).fill(0xee);
    const total = strangerSampleSlots + 5;
    await read(w, async (tx) => {
      for (let i = 0; i < total; i++) {
        await tx.requests.noteStranger({
          kind: i % 2 ? 'unreadable' : 'unknown-terminal', receivedAt: 1000 + i, size: big.length, prefix: big, hash: Uint8Array.of(i), problem: 'x'.repeat(1000),
        });
      }
    });
    const tally = await read(w, (tx) => tx.requests.strangers());
    expect(tally.counts).toEqual({ 'unknown-terminal': Math.ceil(total / 2), unreadable: Math.floor(total / 2) });
    expect(tally.samples).toHaveLength(strangerSampleSlots);
    expect(tally.samples[0]).toMatchObject({ receivedAt: 1000 + total - 1, size: 4000, hash: Uint8Array.of(total - 1) });
    expect(tally.samples.at(-1)!.receivedAt).toBe(1000 + 5);
    expect(tally.samples.every((x) => x.prefix.length === strangerPrefixBytes && x.problem.length === strangerProblemChars)).toBe(true);
    expect(await read(w, (tx) => tx.requests.count())).toBe(0);
  });

  it('requests: the retry identity is the payload hash, and a terminal\'s requests are counted by time', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    const paid = await t.pay(w.wallet());
    const row = await read(w, (tx) => tx.requests.originalByTrace(t.id, paid.trace));
    const bytes = (await read(w, (tx) => tx.requests.bytes(row!.requestId)))!;
    const payloadHash = payloadHashOf(bytes);
    expect(await read(w, (tx) => tx.requests.decidedOriginal(t.id, paid.trace, payloadHash))).toMatchObject({ requestId: row!.requestId, outcome: 'approved' });
    expect(await read(w, (tx) => tx.requests.decidedOriginal(t.id, paid.trace, paid.requestHash))).toBeUndefined();
    expect(await read(w, (tx) => tx.requests.countSince(t.id, w.time.now()))).toBe(1);
    expect(await read(w, (tx) => tx.requests.countSince(t.id, w.time.now() + 1))).toBe(0);
    expect(await read(w, (tx) => tx.requests.countSince('T-OTHER', 0))).toBe(0);
  });

  it('owner keys: device keys with their credential, and whether a credential is revoked', async () => {
    const w = await start(kind);
    const t = await w.terminal();
    const alice = w.wallet();
    const paid = await t.pay(alice);
    const payment = (await read(w, (tx) => tx.payments.byHash(paid.requestHash)))!;
    const [kid, id] = payment.credential.split('/');
    expect(await read(w, (tx) => tx.payments.deviceKeys(payment.account))).toEqual([{ alg: 'ES256', publicKey: alice.device.publicKey, credential: payment.credential }]);
    expect(await read(w, (tx) => tx.lists.isRevoked(kid, id))).toBe(false);
    await read(w, (tx) => tx.lists.revoke(kid, id, w.time.now()));
    expect(await read(w, (tx) => tx.lists.isRevoked(kid, id))).toBe(true);
  });

  it('enrollment attempts: counted per scope and subject in a window from the first attempt; ended windows are forgotten', async () => {
    const w = await start(kind);
    const now = w.time.now();
    const hit = (scope: 'source' | 'credential', subject: string, at: number) => read(w, (tx) => tx.provisioning.countEnrollmentAttempt(scope, subject, at, 1000));
    expect(await hit('source', '10.0.0.1', now)).toBe(1);
    expect(await hit('source', '10.0.0.1', now + 500)).toBe(2);
    expect(await hit('credential', '10.0.0.1', now + 500)).toBe(1); // another scope, its own count
    expect(await hit('source', '10.0.0.2', now + 999)).toBe(1);
    expect(await hit('source', '10.0.0.1', now + 999)).toBe(3);
    await expect(read(w, async (tx) => {
      await tx.provisioning.countEnrollmentAttempt('source', '10.0.0.1', now + 999, 1000);
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    expect(await hit('source', '10.0.0.1', now + 1000)).toBe(1); // the window from the first attempt ended: a new one
    expect(await hit('source', '10.0.0.2', now + 1000)).toBe(2);
    if (kind === 'sqlite') {
      expect(w.authorizer.db.prepare('SELECT scope, subject FROM enrollment_attempts ORDER BY scope, subject').all())
        .toEqual([{ scope: 'credential', subject: '10.0.0.1' }, { scope: 'source', subject: '10.0.0.1' }, { scope: 'source', subject: '10.0.0.2' }]);
      expect(await hit('credential', '10.0.0.1', now + 1500)).toBe(1); // its window (from now + 500) ended: forgotten, counted anew
    }
  });

  it('provisioning tokens: consumed once, for their merchant, only before they expire; unknown ones change nothing', async () => {
    const w = await start(kind);
    const now = w.time.now();
    const [a, b, c] = [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)];
    await read(w, async (tx) => {
      await tx.provisioning.insert({ tokenHash: a, merchantId: 'M-DEMO', createdAt: now, expiresAt: now + 1000 });
      await tx.provisioning.insert({ tokenHash: b, merchantId: 'M-DEMO', createdAt: now, expiresAt: now + 1000 });
    });
    await expect(read(w, (tx) => tx.provisioning.insert({ tokenHash: a, merchantId: 'M-DEMO', createdAt: now, expiresAt: now + 1000 }))).rejects.toThrow();
    await expect(read(w, (tx) => tx.provisioning.insert({ tokenHash: c, merchantId: 'M-NOWHERE', createdAt: now, expiresAt: now + 1000 }))).rejects.toThrow();
    expect(await read(w, (tx) => tx.provisioning.consume(a, 'T1', now))).toEqual({ merchantId: 'M-DEMO', siteId: null });
    expect(await read(w, (tx) => tx.provisioning.consume(a, 'T2', now))).toBeUndefined();
    expect(await read(w, (tx) => tx.provisioning.consume(b, 'T3', now + 1000))).toBeUndefined();
    expect(await read(w, (tx) => tx.provisioning.consume(c, 'T4', now))).toBeUndefined();
    expect(await read(w, (tx) => tx.provisioning.consume(b, 'T5', now + 999))).toEqual({ merchantId: 'M-DEMO', siteId: null });
  });

  it('a recorded token (a voucher at its first use) is inserted once: recording it again changes nothing, not even a used one', async () => {
    const w = await start(kind);
    const now = w.time.now();
    const v = Uint8Array.of(9);
    await read(w, (tx) => tx.provisioning.record({ tokenHash: v, merchantId: 'M-DEMO', createdAt: now, expiresAt: now + 1000 }));
    await read(w, (tx) => tx.provisioning.record({ tokenHash: v, merchantId: 'M-DEMO', createdAt: now, expiresAt: now + 5000 }));
    expect(await read(w, (tx) => tx.provisioning.consume(v, 'T1', now))).toEqual({ merchantId: 'M-DEMO', siteId: null });
    await read(w, (tx) => tx.provisioning.record({ tokenHash: v, merchantId: 'M-DEMO', createdAt: now, expiresAt: now + 1000 }));
    expect(await read(w, (tx) => tx.provisioning.consume(v, 'T2', now))).toBeUndefined();
    await expect(read(w, (tx) => tx.provisioning.record({ tokenHash: Uint8Array.of(10), merchantId: 'M-NOWHERE', createdAt: now, expiresAt: now + 1000 }))).rejects.toThrow();
  });

  // M-DEMO (the simulator's merchant, which the world enrolls openly) at two sites: its counter, and a kiosk 5 km north.
  const far = fixAt(5000, 0);
  const merchantsFile = () => parseMerchantsConfig({
    merchants: [
      {
        id: 'M-DEMO', name: 'Cafe Lumiere', categoryCode: '5814', currency: 'EUR', purposes: ['counter-sale', 'bike-unlock'], maxAmount: 50_000,
        sites: [
          { id: 'S-COUNTER', name: 'the counter', latitude: site.latitude, longitude: site.longitude, radius: 250 },
          { id: 'S-KIOSK', name: 'the kiosk', latitude: far.latitude!, longitude: far.longitude!, radius: 100 },
        ],
      },
      { id: 'M-VELO', name: 'Velo', currency: 'EUR', purposes: ['bike-unlock'], maxAmount: 3000, sites: [{ id: 'S-DOCK', name: 'dock 1', latitude: 45.75, longitude: 4.83, radius: 30 }] },
    ],
  });

  it('merchants and sites: created and updated from the merchants file, a site never moves to another merchant', async () => {
    const w = await start(kind);
    const now = w.time.now();
    await read(w, (tx) => applyMerchants(tx, merchantsFile(), now));
    const merchants = await read(w, (tx) => tx.merchants.list());
    expect(merchants.map((m) => [m.merchantId, m.name, m.categoryCode, m.maxAmount, m.purposes])).toEqual([
      ['M-DEMO', 'Cafe Lumiere', '5814', 50_000, ['counter-sale', 'bike-unlock']], ['M-VELO', 'Velo', null, 3000, ['bike-unlock']],
    ]);
    // A merchant's own site is its first site.
    expect(merchants[1].site).toEqual({ latitude: 45.75, longitude: 4.83, radius: 30 });
    expect((await read(w, (tx) => tx.sites.forMerchant('M-DEMO'))).map((x) => x.id)).toEqual(['S-COUNTER', 'S-KIOSK']);
    expect(await read(w, (tx) => tx.sites.get('S-DOCK'))).toEqual({ id: 'S-DOCK', merchantId: 'M-VELO', name: 'dock 1', latitude: 45.75, longitude: 4.83, radius: 30 });
    expect(await read(w, (tx) => tx.sites.get('S-NOWHERE'))).toBeUndefined();
    // Applied again with a change: updated in place.
    const changed = merchantsFile();
    changed.merchants[1].profile.name = 'Velo Lyon';
    changed.merchants[1].sites[0].radius = 40;
    await read(w, (tx) => applyMerchants(tx, changed, now + 1));
    expect((await read(w, (tx) => tx.merchants.get('M-VELO')))?.name).toBe('Velo Lyon');
    expect((await read(w, (tx) => tx.sites.get('S-DOCK')))?.radius).toBe(40);
    await expect(read(w, (tx) => tx.sites.upsert({ id: 'S-DOCK', merchantId: 'M-DEMO', name: 'stolen', latitude: 0, longitude: 0, radius: 1 }, now))).rejects.toThrow(/another merchant/);
    expect((await read(w, (tx) => tx.sites.get('S-DOCK')))?.merchantId).toBe('M-VELO');
  });

  it('the merchants file never overwrites what the operator wrote: kept and reported, until --replace hands it back', async () => {
    const w = await start(kind);
    const now = w.time.now();
    // The port: insert writes only a new id, in any process; origin says who wrote it.
    expect(await read(w, (tx) => tx.merchants.insert({ ...merchantsFile().merchants[1].profile, categoryCode: null }, 3000, now, 'operator'))).toBe(true);
    expect(await read(w, (tx) => tx.merchants.insert({ ...merchantsFile().merchants[1].profile, name: 'other' }, 1, now, 'config'))).toBe(false);
    expect([await read(w, (tx) => tx.merchants.origin('M-VELO')), await read(w, (tx) => tx.merchants.origin('M-NONE'))]).toEqual(['operator', undefined]);
    expect((await read(w, (tx) => tx.merchants.get('M-VELO')))?.name).toBe('Velo');
    const dock = { id: 'S-DOCK', merchantId: 'M-VELO', name: 'dock 1', latitude: 45.75, longitude: 4.83, radius: 30 };
    expect(await read(w, (tx) => tx.sites.insert(dock, now, 'config'))).toBe(true);
    expect(await read(w, (tx) => tx.sites.insert({ ...dock, radius: 99 }, now, 'operator'))).toBe(false);
    expect([(await read(w, (tx) => tx.sites.get('S-DOCK')))?.radius, await read(w, (tx) => tx.sites.origin('S-DOCK'))]).toEqual([30, 'config']);
    await expect(read(w, (tx) => tx.sites.insert({ ...dock, id: 'S-ORPHAN', merchantId: 'M-NONE' }, now, 'operator'))).rejects.toThrow();
    expect(await read(w, (tx) => tx.sites.get('S-ORPHAN'))).toBeUndefined();

    // The file: M-VELO (the operator's, the same as the file) unchanged; S-DOCK (the config's) unchanged; the rest created.
    const first = await read(w, (tx) => applyMerchants(tx, merchantsFile(), now));
    expect(first.map((l) => `${l.kind} ${l.id} ${l.action}`)).toEqual([
      'merchant M-DEMO updated', 'site S-COUNTER created', 'site S-KIOSK created', 'merchant M-VELO unchanged', 'site S-DOCK unchanged',
    ]);
    // The operator edits the merchant and a site; the file, applied again with other values, keeps both and says where.
    await read(w, (tx) => editMerchant(tx, 'M-VELO', { maxAmount: 5000, name: 'Velo Lyon' }, now));
    expect(await read(w, (tx) => editSite(tx, 'S-KIOSK', { radius: 60 }, now))).toMatchObject({ changed: ['radius'] });
    const changed = merchantsFile();
    changed.merchants[1].maxAmount = 4000;
    changed.merchants[1].sites[0].radius = 35;
    const second = await read(w, (tx) => applyMerchants(tx, changed, now + 1));
    expect(second.filter((l) => l.action !== 'unchanged')).toEqual([
      { kind: 'site', id: 'S-KIOSK', action: 'kept', differs: ['radius'] },
      { kind: 'merchant', id: 'M-VELO', action: 'kept', differs: ['name', 'maxAmount'] },
      { kind: 'site', id: 'S-DOCK', action: 'updated' },
    ]);
    expect(keptNotice(second.find((l) => l.id === 'S-KIOSK')!)).toMatch(/site S-KIOSK differs from the operator's edit \(radius\); the operator's is kept \(qrpay operator merchant import --replace/);
    expect(await read(w, (tx) => tx.merchants.get('M-VELO'))).toMatchObject({ name: 'Velo Lyon', maxAmount: 5000 });
    expect([(await read(w, (tx) => tx.sites.get('S-KIOSK')))?.radius, (await read(w, (tx) => tx.sites.get('S-DOCK')))?.radius]).toEqual([60, 35]);
    // --replace: the file's version, and the file owns them again.
    const replaced = await read(w, (tx) => applyMerchants(tx, changed, now + 2, { replace: true }));
    expect(replaced.filter((l) => l.action === 'replaced').map((l) => l.id)).toEqual(['S-KIOSK', 'M-VELO']);
    expect(await read(w, (tx) => tx.merchants.get('M-VELO'))).toMatchObject({ name: 'Velo', maxAmount: 4000 });
    expect([await read(w, (tx) => tx.merchants.origin('M-VELO')), await read(w, (tx) => tx.sites.origin('S-KIOSK'))]).toEqual(['config', 'config']);
  });

  it('the operator creates and edits merchants and sites: each field checked, ids unique, and the authorizer applies the edit at the next request', async () => {
    const w = await start(kind);
    const now = w.time.now();
    const velo = { name: 'Velo Lyon', categoryCode: '7999', currency: 'EUR', purposes: ['counter-sale'], maxAmount: 3000, latitude: site.latitude, longitude: site.longitude, radius: 250 };
    expect(await read(w, (tx) => addMerchant(tx, 'M-VELO', velo, now))).toMatchObject({ merchantId: 'M-VELO', categoryCode: '7999', site: { radius: 250 } });
    await expect(read(w, (tx) => addMerchant(tx, 'M-VELO', velo, now))).rejects.toMatchObject({ refusal: 'conflict', message: expect.stringMatching(/merchant M-VELO exists/) });
    for (const [input, message] of [
      [{ ...velo, currency: 'EUX' }, 'currency: EUX is not an ISO 4217 currency in use'],
      [{ ...velo, currency: 'eur' }, 'currency: must be an ISO 4217 code (three capitals)'],
      [{ ...velo, categoryCode: '79999' }, 'categoryCode: must be an ISO 18245 code (four digits)'],
      [{ ...velo, maxAmount: 0 }, 'maxAmount: must be a whole number from 1 to 1000000000000'],
      [{ ...velo, purposes: ['parking'] }, 'purposes: must be a non-empty array of counter-sale, bike-unlock, arcade-credit'],
      [{ ...velo, radius: Number.NaN }, 'radius: must be a number from 1 to 100000'],
      [{ ...velo, name: undefined }, 'name: is missing'],
    ] as const) {
      await expect(read(w, (tx) => addMerchant(tx, 'M-BAD', input, now))).rejects.toThrow(new MerchantsConfigError(message.split(':')[0], message.slice(message.indexOf(':') + 2)));
    }
    await expect(read(w, (tx) => addMerchant(tx, 'M BAD', velo, now))).rejects.toThrow('id: must be 1-32 letters, digits or dashes');
    expect(await read(w, (tx) => tx.merchants.get('M-BAD'))).toBeUndefined();
    await expect(read(w, (tx) => editMerchant(tx, 'M-NONE', { name: 'x' }, now))).rejects.toMatchObject({ refusal: 'not-found' });
    await expect(read(w, (tx) => editMerchant(tx, 'M-VELO', { latitude: 91 }, now))).rejects.toThrow('latitude: must be a number from -90 to 90');
    expect(await read(w, (tx) => addSite(tx, 'S-DOCK', 'M-VELO', { name: 'dock', latitude: site.latitude, longitude: site.longitude, radius: 100 }, now))).toMatchObject({ merchantId: 'M-VELO' });
    await expect(read(w, (tx) => addSite(tx, 'S-DOCK', 'M-VELO', { name: 'dock', latitude: 0, longitude: 0, radius: 1 }, now))).rejects.toMatchObject({ refusal: 'conflict' });
    await expect(read(w, (tx) => addSite(tx, 'S-ELSEWHERE', 'M-NONE', { name: 'x', latitude: 0, longitude: 0, radius: 1 }, now))).rejects.toMatchObject({ refusal: 'not-found' });
    await expect(read(w, (tx) => editSite(tx, 'S-DOCK', { radius: 0 }, now))).rejects.toThrow('radius: must be a number from 1 to 100000');
    expect(await read(w, (tx) => tx.sites.origin('S-DOCK'))).toBe('operator');

    // A terminal enrolled at the operator's site pays; the edits reach its next request.
    const issued = await read(w, (tx) => issueProvisioningToken(tx, { merchantId: 'M-VELO', siteId: 'S-DOCK', now }));
    const dockTerminal = await enrollBenchTerminal(w.endpoint, '1.0.0', issued.token);
    expect(dockTerminal.site.radius).toBe(100);
    expect((await dockTerminal.pay(w.wallet(), { amount: 2500, location: fixAt(0, 20) })).body.outcome).toBe('approved');
    await read(w, (tx) => editMerchant(tx, 'M-VELO', { maxAmount: 2000 }, now));
    expect((await dockTerminal.pay(w.wallet(), { amount: 2500, location: fixAt(0, 20) })).body).toMatchObject({ outcome: 'declined', reason: 'over-terminal-limit' });
    // The site moved 5 km away: the terminal where it stood is now off its site (held).
    const [latitude] = [fixAt(5000, 20).latitude!];
    expect(await read(w, (tx) => editSite(tx, 'S-DOCK', { latitude }, now))).toMatchObject({ changed: ['latitude'] });
    const away = await dockTerminal.pay(w.wallet(), { amount: 500, location: fixAt(0, 20) });
    const payment = (await read(w, (tx) => tx.payments.byHash(away.requestHash)))!;
    const fired = (JSON.parse((await read(w, (tx) => tx.payments.assessment(payment.requestId)))!.factors) as { name: string }[]).map((f) => f.name);
    expect([away.body.outcome, fired]).toEqual(['held', expect.arrayContaining(['terminal-off-site'])]);
    // Its terminals learned EUR: the currency stays while it has any.
    await expect(read(w, (tx) => editMerchant(tx, 'M-VELO', { currency: 'CHF' }, now))).rejects.toMatchObject({ refusal: 'conflict', message: expect.stringMatching(/learned EUR at enrollment/) });
    expect(await read(w, (tx) => editMerchant(tx, 'M-VELO', { currency: 'EUR', name: 'Velo' }, now))).toMatchObject({ changed: ['name'] });
  });

  it('a provisioning token for a site enrolls its terminal there: it learns that geofence and is judged by it, not the merchant\'s', async () => {
    const w = await start(kind);
    await read(w, (tx) => applyMerchants(tx, merchantsFile(), w.time.now()));
    const issued = await read(w, (tx) => issueProvisioningToken(tx, { merchantId: 'M-DEMO', siteId: 'S-KIOSK', now: w.time.now() }));
    expect(issued.siteId).toBe('S-KIOSK');
    await expect(read(w, (tx) => issueProvisioningToken(tx, { merchantId: 'M-DEMO', siteId: 'S-DOCK', now: w.time.now() }))).rejects.toThrow(/no site S-DOCK of merchant M-DEMO/);
    const kiosk = await enrollBenchTerminal(w.endpoint, '1.0.0', issued.token);
    expect(kiosk.site).toEqual({ latitude: expect.closeTo(far.latitude!, 6), longitude: expect.closeTo(far.longitude!, 6), radius: 100 });
    expect((await read(w, (tx) => tx.terminals.byId(kiosk.id)))?.siteId).toBe('S-KIOSK');
    // Enrolled without a token (the world's open enrollment): the merchant's own site, the counter.
    const counter = await w.terminal();
    expect(counter.site).toEqual({ latitude: expect.closeTo(site.latitude, 6), longitude: expect.closeTo(site.longitude, 6), radius: 250 });

    const firedAt = async (paid: Paid) => {
      const payment = (await read(w, (tx) => tx.payments.byHash(paid.requestHash)))!;
      return (JSON.parse((await read(w, (tx) => tx.payments.assessment(payment.requestId)))!.factors) as { name: string }[]).map((f) => f.name);
    };
    const atKiosk = await kiosk.pay(w.wallet(), { location: fixAt(5000, 20) });
    expect(atKiosk.body.outcome).toBe('approved');
    expect(await firedAt(atKiosk)).not.toContain('terminal-off-site');
    // The counter terminal carried to the kiosk is off its site; the kiosk terminal at the counter is off its own.
    const counterAway = await counter.pay(w.wallet(), { location: fixAt(5000, 20) });
    expect([counterAway.body.outcome, await firedAt(counterAway)]).toEqual(['held', expect.arrayContaining(['terminal-off-site'])]);
    const kioskAway = await kiosk.pay(w.wallet(), { location: fixAt(0, 0) });
    expect([kioskAway.body.outcome, await firedAt(kioskAway)]).toEqual(['held', expect.arrayContaining(['terminal-off-site'])]);
  });
});
