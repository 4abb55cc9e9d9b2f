/**
 * After the decision, end to end on loopback with the real authorizer
 * (SQLite): a pre-authorized bike ride completed for what it cost, a sale
 * voided before the batch closes and refunded after, a batch close that
 * balances and one that does not, a power cut while an instruction waits, and
 * what a stranger or a replay can do with the instruction endpoint.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Terminal } from '../../../src/terminal/terminal';
import type { Decision } from '../../../src/terminal/decision';
import type { InstructionOutcome } from '../../../src/terminal/ledger';
import { nodeEntropy } from '../../../hal/sim/entropy';
import { createKeyPair, signerFor } from '../../../tools/wallet/wallet';
import { signInstruction } from '../../../src/authorization/instruction';
import { bootTerminal, pay, startWorld, type World } from '../../support/e2e-world';
import { JudgementWorld } from '../../support/judgement-world';
import { FaultyProxy } from '../../support/faulty-proxy';

const ride = { maxAmount: 500, currency: 'EUR', purpose: 'bike-unlock' as const, reference: 'ride-7' };
const coffee = { amount: 450, currency: 'EUR', purpose: 'counter-sale' as const, reference: 'order-9' };

function result(outcome: InstructionOutcome) {
  if (outcome.state !== 'answered') throw new Error(`no answer for ${outcome.action} ${outcome.trace}`);
  return outcome.result;
}

function preAuthorize(terminal: Terminal, code: string): Promise<Decision> {
  const pending = terminal.authorize(ride);
  if (!terminal.present(code)) throw new Error('the terminal was not waiting for a code');
  return pending;
}

const ref = (d: Decision) => ({ trace: d.trace!, requestHash: d.requestHash! });

describe('lifecycle on the terminal', () => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld();
  });

  afterAll(async () => {
    await world?.close();
  });

  const stateOf = (d: Decision) => (world.authorizer.db.prepare('SELECT state FROM payments WHERE request_hash = ?').get(d.requestHash) as { state: string }).state;

  it('a bike ride: the hold releases the lock, the completion captures what the ride cost, once', async () => {
    const lock = await bootTerminal({ url: world.authorizer.url, dataDir: world.dir('ride') });
    lock.hal.shutdown();
    const held = await preAuthorize(lock.terminal, world.wallet.code());
    expect(held).toMatchObject({ outcome: 'approved', actuated: true });
    expect(stateOf(held)).toBe('authorized');
    expect(lock.terminal.openHolds()).toEqual([ref(held)]);
    expect(result(await lock.terminal.complete(ref(held), 600))).toMatchObject({ outcome: 'refused', reason: 'over-hold' });
    expect(stateOf(held)).toBe('authorized');
    expect(result(await lock.terminal.complete(ref(held), 180))).toMatchObject({ outcome: 'done', amount: 180 });
    expect(stateOf(held)).toBe('captured');
    expect(lock.terminal.openHolds()).toEqual([]);
    expect(result(await lock.terminal.complete(ref(held), 180))).toMatchObject({ outcome: 'refused', reason: 'already-completed' });
    // Refunds count against what was captured (180), not the hold.
    expect(result(await lock.terminal.refund(ref(held), 200))).toMatchObject({ outcome: 'refused', reason: 'over-refund' });
    expect(lock.hal.actuatorLine.pulses()).toHaveLength(1);
  });

  it('a sale voided before the batch closes; after the close it can only be refunded, in parts never above the capture', async () => {
    const till = await bootTerminal({ url: world.authorizer.url, dataDir: world.dir('till') });
    till.hal.shutdown();
    const voided = await pay(till.terminal, world.wallet.code(), coffee);
    expect(result(await till.terminal.void(ref(voided)))).toMatchObject({ outcome: 'done', amount: 450 });
    expect(stateOf(voided)).toBe('voided');
    expect(result(await till.terminal.void(ref(voided)))).toMatchObject({ outcome: 'refused', reason: 'payment-voided' });

    const sold = await pay(till.terminal, world.wallet.code(), coffee);
    const closed = result(await till.terminal.closeBatch());
    expect(closed).toMatchObject({ outcome: 'done', reason: 'balanced', settlement: { balanced: true, differences: [] } });
    expect(result(await till.terminal.void(ref(sold)))).toMatchObject({ outcome: 'refused', reason: 'batch-closed' });
    expect(result(await till.terminal.refund(ref(sold), 100))).toMatchObject({ outcome: 'done', amount: 100 });
    expect(stateOf(sold)).toBe('partially-refunded');
    expect(result(await till.terminal.refund(ref(sold), 351))).toMatchObject({ outcome: 'refused', reason: 'over-refund' });
    expect(result(await till.terminal.refund(ref(sold), 350))).toMatchObject({ outcome: 'done', amount: 350 });
    expect(stateOf(sold)).toBe('refunded');
    const notices = world.authorizer.db.prepare("SELECT kind, channel FROM notifications WHERE kind IN ('void', 'refund') ORDER BY id").all();
    expect(notices).toHaveLength(6);
  });

  it('closes a batch of sales, a completion, a void, refunds and a reversal: the totals reconcile with the journal', async () => {
    const proxy = await FaultyProxy.start(world.authorizer.url);
    const station = await bootTerminal({ url: proxy.url, dataDir: world.dir('station') });
    station.hal.shutdown();
    // Captured at the authorizer, every answer lost: reversed at once (the capture voided).
    proxy.faults.push({ kind: 'drop' }, { kind: 'drop' }, { kind: 'drop' });
    expect((await pay(station.terminal, world.wallet.code(), { ...coffee, amount: 120 })).reversal).toMatchObject({ state: 'acknowledged', effect: 'voided' });
    const a = await pay(station.terminal, world.wallet.code(), coffee);
    const b = await pay(station.terminal, world.wallet.code(), { ...coffee, amount: 300 });
    await station.terminal.void(ref(b));
    await station.terminal.refund(ref(a), 50);
    const hold = await preAuthorize(station.terminal, world.wallet.code());
    await station.terminal.complete(ref(hold), 275);
    const closed = result(await station.terminal.closeBatch());
    expect(closed.settlement).toEqual({ balanced: true, differences: [] });
    const batch = world.authorizer.db.prepare('SELECT number, balanced, items FROM batches WHERE terminal_id = ?').get(station.terminal.identity!.terminalId) as { number: number; balanced: number; items: string };
    expect(batch).toMatchObject({ number: 1, balanced: 1 });
    expect((JSON.parse(batch.items) as { kind: string; amount: number }[]).map((i) => `${i.kind} ${i.amount}`).sort())
      .toEqual(['completion 275', 'refund 50', 'reversal 120', 'sale 300', 'sale 450', 'void 300'].sort());
    // The next batch starts empty.
    expect(result(await station.terminal.closeBatch()).settlement).toEqual({ balanced: true, differences: [] });
    await proxy.close();
  });

  it('an instruction whose answer is lost waits through a power cut and is settled once at the next boot', async () => {
    const dataDir = world.dir('cut-refund');
    const first = await bootTerminal({ url: world.authorizer.url, dataDir });
    const sold = await pay(first.terminal, world.wallet.code(), coffee);
    first.hal.shutdown();
    // The authorizer unreachable when the refund is asked for: it waits in the ledger.
    const offline = await bootTerminal({ url: 'http://127.0.0.1:9', dataDir });
    offline.hal.shutdown();
    expect(await offline.terminal.refund(ref(sold), 120)).toMatchObject({ action: 'refund', state: 'queued' });
    expect(offline.terminal.pendingWork()).toMatchObject([{ kind: 'instruction' }]);
    const answers: { action: string; result: { outcome: string; amount: number } }[] = [];
    const back = await bootTerminal({ url: world.authorizer.url, dataDir });
    back.hal.shutdown();
    expect(back.terminal.pendingWork()).toEqual([]);
    expect(stateOf(sold)).toBe('partially-refunded');
    back.terminal.on('instruction-answered', (e) => answers.push(e));
    expect(result(await back.terminal.closeBatch()).settlement).toEqual({ balanced: true, differences: [] });
    expect(answers).toMatchObject([{ action: 'close-batch' }]);
  });
});

describe('instructions at the authorizer', () => {
  let w: JudgementWorld | undefined;

  afterEach(async () => {
    await w?.close();
    w = undefined;
  });

  const stateOf = (world: JudgementWorld, hash: Uint8Array) => (world.authorizer.db.prepare('SELECT state FROM payments WHERE request_hash = ?').get(hash) as { state: string }).state;

  it('an unfinished hold expires and is released; a completion after that is refused', async () => {
    w = await JudgementWorld.start({ holdTtl: 60_000 });
    const t = await w.terminal();
    const held = await t.pay(w.wallet(), { kind: 'pre-auth', amount: 500, purpose: 'bike-unlock' });
    expect(held.body.outcome).toBe('approved');
    expect(stateOf(w, held.requestHash)).toBe('authorized');
    w.time.advance(30_000);
    expect(await w.authorizer.instructions.expireHolds()).toBe(0);
    w.time.advance(31_000);
    expect(await w.authorizer.instructions.expireHolds()).toBe(1);
    expect(stateOf(w, held.requestHash)).toBe('expired');
    const late = await t.instruct({ action: 'complete', target: held, amount: 100 });
    expect(late.result).toMatchObject({ outcome: 'refused', reason: 'hold-expired' });
    // Lazily too: a hold past its time is expired by the completion itself.
    const second = await t.pay(w.wallet(), { kind: 'pre-auth', amount: 500, purpose: 'bike-unlock' });
    w.time.advance(61_000);
    expect((await t.instruct({ action: 'complete', target: second, amount: 100 })).result).toMatchObject({ outcome: 'refused', reason: 'hold-expired' });
    expect(stateOf(w, second.requestHash)).toBe('expired');
  });

  it('answers the same instruction with the same bytes, and a different one under a used trace number with a signed refusal', async () => {
    w = await JudgementWorld.start();
    const t = await w.terminal();
    const paid = await t.pay(w.wallet());
    const refund = await t.instruct({ action: 'refund', target: paid, amount: 100 });
    expect(refund.result).toMatchObject({ outcome: 'done', amount: 100 });
    const again = await fetch(`${w.authorizer.url}/v1/instruct`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: refund.bytes });
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(refund.body);
    const reused = await t.instruct({ action: 'refund', target: paid, amount: 200, trace: refund.result!.trace });
    expect(reused.result).toMatchObject({ outcome: 'refused', reason: 'trace-reused' });
    // A trace number of a request is used too.
    expect((await t.instruct({ action: 'refund', target: paid, amount: 1, trace: paid.trace })).result).toMatchObject({ outcome: 'refused', reason: 'trace-reused' });
    const refunded = (w.authorizer.db.prepare("SELECT SUM(amount) AS total FROM instructions WHERE action = 'refund' AND outcome = 'done'").get() as { total: number }).total;
    expect(refunded).toBe(100);
    expect(stateOf(w, paid.requestHash)).toBe('partially-refunded');
  });

  it('lists the differences when the terminal\'s batch does not match the journal', async () => {
    w = await JudgementWorld.start();
    const t = await w.terminal();
    const a = await t.pay(w.wallet());
    const b = await t.pay(w.wallet(), { amount: 300 });
    const close = await t.instruct({
      action: 'close-batch',
      batch: { number: 1, items: [{ trace: a.trace, kind: 'sale', amount: 450, currency: 'EUR' }, { trace: 99, kind: 'refund', amount: 20, currency: 'EUR' }] },
    });
    expect(close.result).toMatchObject({ outcome: 'done', reason: 'out-of-balance' });
    expect(close.result!.settlement).toEqual({
      balanced: false,
      differences: [
        { trace: b.trace, terminal: null, authorizer: { kind: 'sale', amount: 300 } },
        { trace: 99, terminal: { kind: 'refund', amount: 20 }, authorizer: null },
      ],
    });
    expect((await t.instruct({ action: 'close-batch', batch: { number: 1, items: [] } })).result).toMatchObject({ outcome: 'refused', reason: 'batch-closed' });
    // Both sales are closed in batch 1 now: voiding one is refused, refunding it is not.
    expect((await t.instruct({ action: 'void', target: b })).result).toMatchObject({ outcome: 'refused', reason: 'batch-closed' });
    expect((await t.instruct({ action: 'refund', target: b, amount: 300 })).result).toMatchObject({ outcome: 'done' });
  });

  it('refuses strangers and garbage without storing anything, and unknown or foreign payments with a signed refusal', async () => {
    w = await JudgementWorld.start();
    const victim = await w.terminal();
    const paid = await victim.pay(w.wallet());
    const stranger = createKeyPair('ES256', nodeEntropy);
    const forged = signInstruction({ terminalId: victim.id, trace: 50, action: 'refund', target: paid, amount: 450, localTime: w.time.now() }, { alg: 'ES256', sign: signerFor(stranger) });
    const post = async (body: Uint8Array) => (await fetch(`${w!.authorizer.url}/v1/instruct`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body })).status;
    expect(await post(forged)).toBe(403);
    expect(await post(forged.slice(0, forged.length - 9))).toBe(400);
    const other = await w.terminal();
    expect((await other.instruct({ action: 'refund', target: paid, amount: 450 })).result).toMatchObject({ outcome: 'refused', reason: 'unknown-payment' });
    expect((await victim.instruct({ action: 'void', target: { trace: paid.trace, requestHash: new Uint8Array(32) } })).result).toMatchObject({ outcome: 'refused', reason: 'unknown-payment' });
    expect((await victim.instruct({ action: 'complete', target: paid, amount: 10 })).result).toMatchObject({ outcome: 'refused', reason: 'not-a-pre-authorization' });
    expect(stateOf(w, paid.requestHash)).toBe('captured');
    const stored = (w.authorizer.db.prepare('SELECT COUNT(*) AS n FROM instructions').get() as { n: number }).n;
    expect(stored).toBe(3);
  });

  it('the operator voids and refunds from the composition root, idempotent by its reference', async () => {
    w = await JudgementWorld.start();
    const t = await w.terminal();
    const paid = await t.pay(w.wallet());
    const requestId = (w.authorizer.db.prepare('SELECT request_id FROM payments WHERE request_hash = ?').get(paid.requestHash) as { request_id: number }).request_id;
    const first = await w.authorizer.instructions.operator({ action: 'refund', requestId, amount: 200, reference: 'ticket-41' });
    expect(first).toMatchObject({ outcome: 'done', amount: 200 });
    expect(await w.authorizer.instructions.operator({ action: 'refund', requestId, amount: 200, reference: 'ticket-41' })).toEqual(first);
    expect(await w.authorizer.instructions.operator({ action: 'refund', requestId, amount: 300, reference: 'ticket-42' })).toMatchObject({ outcome: 'refused', reason: 'over-refund' });
    await expect(w.authorizer.instructions.operator({ action: 'void', requestId, reference: 'ticket-41' })).rejects.toMatchObject({ refusal: 'conflict' });
    expect(stateOf(w, paid.requestHash)).toBe('partially-refunded');
  });
});
