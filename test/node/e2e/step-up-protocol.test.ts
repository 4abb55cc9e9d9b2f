/**
 * The step-up protocol at the authorizer, request by request on loopback: the
 * poll's 404/202/200, a retried request, an answer after expiry, and the
 * wallet endpoint's refusals.
 */
import { p256 } from '@noble/curves/nist.js';
import { afterEach, describe, expect, it } from 'vitest';
import { readDecision, requestHash, verifyDecision } from '../../../src/authorization/decision';
import { openRequest, signRequest } from '../../../src/authorization/request';
import { send, stepUpAnswer } from '../../../tools/wallet/authorizer-client';
import { JudgementWorld, type BenchTerminal, type TestWallet } from '../../support/judgement-world';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
let world: JudgementWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function steppedUp() {
  world = await JudgementWorld.start({ risk: { factors: { 'new-credential': { points: 40 } } } });
  const t = await world.terminal();
  const alice = world.wallet();
  const paid = await t.pay(alice);
  expect(paid.body.outcome).toBe('step-up');
  const { id } = world.authorizer.db.prepare('SELECT id FROM step_ups').get() as { id: string };
  return { w: world, t, alice, paid, challenge: id };
}

async function poll(w: JudgementWorld, hash: Uint8Array) {
  const response = await fetch(`${w.authorizer.url}/v1/step-up/${hex(hash)}`);
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
}

function final(w: JudgementWorld, t: BenchTerminal, paid: { requestHash: Uint8Array; trace: number }, body: Uint8Array) {
  return verifyDecision(body, { authorizer: w.authorizer.decisionKey, requestHash: paid.requestHash, terminalId: t.id, trace: paid.trace, now: w.time.now(), maxSkew: 1000 });
}

describe('step-up protocol', () => {
  it('polls: 404 for a request without a step-up, 202 until answered, then the signed final decision, the same every time', async () => {
    const { w, t, alice, paid, challenge } = await steppedUp();
    expect((await poll(w, new Uint8Array(32))).status).toBe(404);
    expect((await poll(w, paid.requestHash)).status).toBe(202);
    w.time.advance(20_000);
    expect((await send(w.authorizer.url, stepUpAnswer(alice.device, alice.credential, challenge, true, w.time.now()))).status).toBe(200);
    const first = await poll(w, paid.requestHash);
    const second = await poll(w, paid.requestHash);
    expect(first.status).toBe(200);
    expect(second.body).toEqual(first.body);
    const verified = final(w, t, paid, first.body);
    expect(verified).toMatchObject({ ok: true, decision: { outcome: 'approved', reason: 'approved', trace: paid.trace } });
  });

  it('a retried request gets the very step-up decision again, and no second challenge', async () => {
    const { w } = await steppedUp();
    const original = w.authorizer.db.prepare('SELECT request FROM requests WHERE id = (SELECT request_id FROM step_ups)').get() as { request: Uint8Array };
    const stored = w.authorizer.db.prepare('SELECT decision FROM decisions WHERE request_id = (SELECT request_id FROM step_ups)').get() as { decision: Uint8Array };
    const retry = await fetch(`${w.authorizer.url}/v1/authorize`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: new Uint8Array(original.request) });
    expect(new Uint8Array(await retry.arrayBuffer())).toEqual(new Uint8Array(stored.decision));
    expect(w.authorizer.db.prepare('SELECT COUNT(*) AS n FROM step_ups').get()).toEqual({ n: 1 });
  });

  it('a re-signed copy decided first: the terminal polling with its own hash gets the final decision, bound to it; a stranger learns and changes nothing', async () => {
    world = await JudgementWorld.start({ risk: { factors: { 'new-credential': { points: 40 } } } });
    const w = world;
    const t = await w.terminal();
    const alice = w.wallet();
    const original = t.sign(alice);
    // The same payload signed again with fresh randomness (a retry the terminal re-signed): other bytes, another hash.
    const resigned = signRequest(openRequest(original.bytes).request, {
      alg: 'ES256', sign: (m) => p256.sign(m, t.key.secretKey, { prehash: true, lowS: true, format: 'compact', extraEntropy: true }),
    });
    expect(resigned).not.toEqual(original.bytes);
    const copy = await t.send({ bytes: resigned, trace: original.trace });
    const paid = await t.send(original);
    expect(copy.body.outcome).toBe('step-up');
    expect(paid.body.outcome).toBe('step-up');
    expect(w.authorizer.db.prepare('SELECT request_hash FROM step_ups').all()).toEqual([{ request_hash: Buffer.from(requestHash(resigned)) }]);

    // Before the answer: pending for both hashes; a stranger's guess is unknown; nothing moved.
    expect((await poll(w, paid.requestHash)).status).toBe(202);
    expect((await poll(w, copy.requestHash)).status).toBe(202);
    const stranger = await poll(w, new Uint8Array(32).fill(7));
    expect(stranger.status).toBe(404);
    expect(stranger.body.length).toBeLessThan(200); // a refusal, no decision inside
    expect(w.authorizer.db.prepare('SELECT state FROM step_ups').get()).toEqual({ state: 'pending' });
    expect(w.authorizer.db.prepare('SELECT state FROM payments').get()).toEqual({ state: 'awaiting-confirmation' });

    const { id } = w.authorizer.db.prepare('SELECT id FROM step_ups').get() as { id: string };
    expect((await send(w.authorizer.url, stepUpAnswer(alice.device, alice.credential, id, true, w.time.now()))).status).toBe(200);
    const mine = await poll(w, paid.requestHash);
    const theirs = await poll(w, copy.requestHash);
    expect(mine.status).toBe(200);
    const verified = final(w, t, paid, mine.body);
    expect(verified).toMatchObject({ ok: true, decision: { outcome: 'approved', reason: 'approved', trace: paid.trace } });
    const other = final(w, t, copy, theirs.body);
    expect(other).toMatchObject({ ok: true, decision: { outcome: 'approved' } });
    expect(verified.ok && other.ok && verified.decision.approvalCode).toBe(other.ok && other.decision.approvalCode);
    // Bound to its own request only: the copy's decision does not pass for the original's.
    expect(final(w, t, paid, theirs.body)).toMatchObject({ ok: false });
    expect(readDecision((await poll(w, paid.requestHash)).body)).toEqual(readDecision(mine.body)); // the same decision every time
    expect(w.authorizer.db.prepare('SELECT COUNT(*) AS n FROM step_ups').get()).toEqual({ n: 1 });
    expect(w.authorizer.db.prepare('SELECT COUNT(*) AS n FROM payments').get()).toEqual({ n: 1 });
    expect((await poll(w, new Uint8Array(32).fill(7))).status).toBe(404);
  });

  it('an answer after the challenge expired is refused (410) and the payment ends declined', async () => {
    const { w, t, alice, paid, challenge } = await steppedUp();
    w.time.advance(121_000);
    const late = await send(w.authorizer.url, stepUpAnswer(alice.device, alice.credential, challenge, true, w.time.now()));
    expect(late.status).toBe(410);
    const ended = await poll(w, paid.requestHash);
    expect(final(w, t, paid, ended.body)).toMatchObject({ ok: true, decision: { outcome: 'declined', reason: 'step-up-expired' } });
    expect(w.authorizer.db.prepare('SELECT state FROM payments').get()).toEqual({ state: 'declined' });
  });

  it('the wallet endpoint refuses other content types, garbage, unknown challenges and another account\'s challenge', async () => {
    const { w, alice, challenge } = await steppedUp();
    const plain = await fetch(`${w.authorizer.url}/v1/wallet`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(plain.status).toBe(415);
    const garbage = await fetch(`${w.authorizer.url}/v1/wallet`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: new Uint8Array([1, 2, 3]) });
    expect(garbage.status).toBe(400);
    expect((await send(w.authorizer.url, stepUpAnswer(alice.device, alice.credential, 'ab'.repeat(16), true, w.time.now()))).status).toBe(404);
    const bob: TestWallet = w.wallet();
    expect((await send(w.authorizer.url, stepUpAnswer(bob.device, bob.credential, challenge, true, w.time.now()))).status).toBe(404);
  });
});
