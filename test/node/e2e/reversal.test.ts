/**
 * Reversals end to end on loopback: the terminal gives a request up and the
 * real authorizer (SQLite) undoes whatever it did with it. First the accident
 * the lifecycle issue opened with (a bike lock charged while the authorizer
 * was unreachable), then each state a reversed payment can be in, then what
 * a stranger can try with the reversal endpoint.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { verifyDecision } from '../../../src/authorization/decision';
import { requestHash } from '../../../src/authorization/decision';
import { send, stepUpAnswer } from '../../../tools/wallet/authorizer-client';
import { createKeyPair } from '../../../tools/wallet/wallet';
import { nodeEntropy } from '../../../hal/sim/entropy';
import { FaultyProxy } from '../../support/faulty-proxy';
import { bootTerminal, pay, startWorld, type World } from '../../support/e2e-world';
import { JudgementWorld, sendReversal } from '../../support/judgement-world';

const bikeRide = { amount: 150, currency: 'EUR', purpose: 'bike-unlock' as const, reference: 'ride-1' };

describe('reversal: the bike lock charged while the authorizer was unreachable', () => {
  let world: World;
  let proxy: FaultyProxy;

  beforeAll(async () => {
    world = await startWorld();
    proxy = await FaultyProxy.start(world.authorizer.url);
  });

  afterAll(async () => {
    await proxy?.close();
    await world?.close();
  });

  const paymentsOf = (terminalId: string) =>
    world.authorizer.db.prepare('SELECT p.state FROM payments p JOIN requests r ON r.id = p.request_id WHERE r.terminal_id = ?').all(terminalId) as { state: string }[];

  it('stays shut, reverses at the next start, and the rider pays nothing, even when the lost request turns up later', async () => {
    const dataDir = world.dir('bike');
    const lock = await bootTerminal({ url: proxy.url, dataDir });
    lock.hal.shutdown();
    // The network is down: every attempt and the first reversal are lost on the way.
    proxy.faults.push({ kind: 'swallow' }, { kind: 'swallow' }, { kind: 'swallow' });
    proxy.reversalFaults.push({ kind: 'swallow' });
    const offline = await pay(lock.terminal, world.wallet.code(), bikeRide);
    expect(offline).toMatchObject({ outcome: 'no-answer', actuated: false, reversal: { reason: 'no-answer', state: 'queued' } });
    expect(lock.terminal.pendingWork()).toEqual([{ trace: offline.trace, kind: 'reversal' }]);

    // The next start: the stored reversal goes out (the request itself is never resent), and the host hears of it.
    const restarted = await bootTerminal({ url: proxy.url, dataDir, config: {} });
    restarted.hal.shutdown();
    expect(restarted.terminal.pendingWork()).toEqual([]);
    const id = restarted.terminal.identity!.terminalId;
    expect(paymentsOf(id)).toEqual([]);

    // A copy of the lost request arrives after all (a delayed packet): it is declined, never captured.
    const late = await fetch(`${world.authorizer.url}/v1/authorize`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: proxy.requests[0] });
    const decision = verifyDecision(new Uint8Array(await late.arrayBuffer()), {
      authorizer: world.authorizer.decisionKey, requestHash: requestHash(proxy.requests[0]), terminalId: id, trace: offline.trace!, now: Date.now(), maxSkew: 60_000,
    });
    expect(decision).toMatchObject({ ok: true, decision: { outcome: 'declined', reason: 'reversed' } });
    expect(paymentsOf(id)).toEqual([]);
    expect(lock.hal.actuatorLine.pulses().length + restarted.hal.actuatorLine.pulses().length).toBe(0);
    // Not taken for a cloned key: the terminal carries on.
    expect(await pay(restarted.terminal, world.wallet.code(), bikeRide)).toMatchObject({ outcome: 'approved', actuated: true });
  });

  it('tells the host through an event what the authorizer undid', async () => {
    const dataDir = world.dir('bike-2');
    const lock = await bootTerminal({ url: proxy.url, dataDir });
    lock.hal.shutdown();
    // Decided and captured at the authorizer, every answer lost; the reversal's answers too, twice.
    proxy.faults.push({ kind: 'drop' }, { kind: 'drop' }, { kind: 'drop' });
    proxy.reversalFaults.push({ kind: 'drop' }, { kind: 'drop' });
    const lost = await pay(lock.terminal, world.wallet.code(), bikeRide);
    expect(lost).toMatchObject({ outcome: 'no-answer', reversal: { state: 'queued' } });
    const id = lock.terminal.identity!.terminalId;
    // The reversal did arrive: the capture is voided and the customer told on both channels.
    expect(paymentsOf(id)).toEqual([{ state: 'voided' }]);
    const outbox = world.authorizer.db.prepare("SELECT channel FROM notifications WHERE kind = 'reversal' ORDER BY channel").all() as { channel: string }[];
    expect(outbox.map((r) => r.channel)).toEqual(['message', 'wallet-push']);

    const later = await bootTerminal({ url: proxy.url, dataDir });
    later.hal.shutdown();
    expect(later.terminal.pendingWork()).toEqual([{ trace: lost.trace, kind: 'reversal' }]);
    const events: { trace: number; effect: string; reason: string }[] = [];
    later.terminal.on('reversed', (e) => events.push(e));
    expect(await later.terminal.settle()).toBe(0);
    expect(events).toMatchObject([{ trace: lost.trace, effect: 'voided', reason: 'no-answer' }]);
    expect(paymentsOf(id)).toEqual([{ state: 'voided' }]);
    // Delivered twice, undone once: no second notification.
    expect(world.authorizer.db.prepare("SELECT COUNT(*) AS n FROM notifications WHERE kind = 'reversal'").get()).toEqual({ n: 2 });
  });
});

describe('reversal at the authorizer', () => {
  let w: JudgementWorld | undefined;

  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  const stateOf = (world: JudgementWorld, requestHashOf: Uint8Array) =>
    (world.authorizer.db.prepare('SELECT state FROM payments WHERE request_hash = ?').get(requestHashOf) as { state: string } | undefined)?.state;

  it('voids a capture, journals it through the one transition, and answers every genuine copy the same', async () => {
    w = await JudgementWorld.start();
    const t = await w.terminal();
    const paid = await t.pay(w.wallet());
    expect(paid.body.outcome).toBe('approved');
    const first = await t.reverse(paid);
    expect(first.ack).toMatchObject({ effect: 'voided', trace: paid.trace });
    expect(stateOf(w, paid.requestHash)).toBe('voided');
    const journal = w.authorizer.db.prepare('SELECT e.from_state AS "from", e.to_state AS "to", e.cause FROM payment_events e JOIN payments p ON p.request_id = e.request_id WHERE p.request_hash = ? ORDER BY e.id').all(paid.requestHash);
    expect(journal).toEqual([{ from: null, to: 'captured', cause: 'decision' }, { from: 'captured', to: 'voided', cause: 'reversal' }]);
    // The same bytes again, and a reversal re-signed later (another reason, another time): the same answer.
    w.time.advance(60_000);
    const again = await t.reverse(paid, 'interrupted');
    expect(again.body).toEqual(first.body);
    // The decision the terminal never heard, asked for again, changes nothing.
    await fetch(`${w.authorizer.url}/v1/authorize`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: paid.bytes });
    expect(stateOf(w, paid.requestHash)).toBe('voided');
  });

  it('releases a hold, and ends an open step-up so a later confirmation captures nothing', async () => {
    w = await JudgementWorld.start({ risk: { factors: { 'new-credential': { points: 40 } } } });
    const t = await w.terminal();
    const alice = w.wallet();
    const paid = await t.pay(alice);
    expect(paid.body.outcome).toBe('step-up');
    const { id: challenge } = w.authorizer.db.prepare('SELECT id FROM step_ups').get() as { id: string };
    // The terminal lost power while it waited; after the reboot it reverses the request.
    expect((await t.reverse(paid, 'interrupted')).ack).toMatchObject({ effect: 'released' });
    expect(stateOf(w, paid.requestHash)).toBe('reversed');
    const confirmed = await send(w.authorizer.url, stepUpAnswer(alice.device, alice.credential, challenge, true, w.time.now()));
    expect(confirmed.status).toBe(409);
    expect(stateOf(w, paid.requestHash)).toBe('reversed');
  });

  it('says what it did for a declined request, a request it never saw, and a payment returned already', async () => {
    w = await JudgementWorld.start();
    const t = await w.terminal();
    const declined = await t.pay(w.wallet(), { amount: 9_999_999 });
    expect(declined.body.outcome).toBe('declined');
    expect((await t.reverse(declined)).ack).toMatchObject({ effect: 'not-captured' });

    const neverSent = { trace: t.skipTrace(), requestHash: new Uint8Array(32).fill(9) };
    expect((await t.reverse(neverSent)).ack).toMatchObject({ effect: 'not-received' });

    const paid = await t.pay(w.wallet());
    const requestId = (w.authorizer.db.prepare('SELECT request_id FROM payments WHERE request_hash = ?').get(paid.requestHash) as { request_id: number }).request_id;
    await w.authorizer.disputes.report({ requestId, by: 'owner', note: 'not me' });
    expect((await t.reverse(paid)).ack).toMatchObject({ effect: 'already-returned' });
    expect(stateOf(w, paid.requestHash)).toBe('disputed');
  });

  it('a request arriving after its reversal is declined, and does not suspend the terminal', async () => {
    w = await JudgementWorld.start();
    const t = await w.terminal();
    const ahead = { trace: 1, requestHash: new Uint8Array(32).fill(1) };
    expect((await t.reverse(ahead)).ack).toMatchObject({ effect: 'not-received' });
    const late = await t.pay(w.wallet());
    expect(late.trace).toBe(1);
    expect(late.body).toMatchObject({ outcome: 'declined', reason: 'reversed' });
    const next = await t.pay(w.wallet());
    expect(next.body.outcome).toBe('approved');
  });
});

describe('reversal: what a stranger can do with the endpoint', () => {
  let w: JudgementWorld;

  beforeAll(async () => {
    w = await JudgementWorld.start();
  });

  afterAll(async () => {
    await w?.close();
  });

  const reversalsStored = () => (w.authorizer.db.prepare('SELECT COUNT(*) AS n FROM reversals').get() as { n: number }).n;
  const post = async (body: Uint8Array) => (await fetch(`${w.authorizer.url}/v1/reverse`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body })).status;

  it('cannot reverse a terminal\'s payment with its own key, nor as an unknown terminal', async () => {
    const victim = await w.terminal();
    const paid = await victim.pay(w.wallet());
    const stranger = createKeyPair('ES256', nodeEntropy);
    const before = reversalsStored();
    expect((await sendReversal(w.endpoint, victim.id, stranger, paid)).status).toBe(403);
    expect((await sendReversal(w.endpoint, 'T-NOBODY', stranger, paid)).status).toBe(403);
    const otherTerminal = await w.terminal();
    expect((await sendReversal(w.endpoint, victim.id, otherTerminal.key, paid)).status).toBe(403);
    expect(reversalsStored()).toBe(before);
    expect((w.authorizer.db.prepare('SELECT state FROM payments WHERE request_hash = ?').get(paid.requestHash) as { state: string }).state).toBe('captured');
  });

  it('gets a typed refusal for garbage, a truncated message and a reversal of another request under a reversed trace; nothing stored', async () => {
    const t = await w.terminal();
    const paid = await t.pay(w.wallet());
    const genuine = await t.reverse(paid);
    expect(genuine.ack?.effect).toBe('voided');
    const before = reversalsStored();
    expect(await post(new Uint8Array([0xd2, 0x84, 0x40]))).toBe(400);
    expect(await post(new TextEncoder().encode('not cbor at all'))).toBe(400);
    expect((await t.reverse({ trace: paid.trace, requestHash: new Uint8Array(32).fill(5) })).status).toBe(409);
    expect(reversalsStored()).toBe(before);
  });
});
