/**
 * One scenario per outcome, with the simulated terminal firmware (src/terminal
 * on the simulator board), the real authorizer and database on loopback, and
 * the wallet answering step-ups from its push notifications.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Booted } from '../../support/e2e-world';
import { bootTerminal, pay, startWorld, type World } from '../../support/e2e-world';
import { fixAt, JudgementWorld, Receiver } from '../../support/judgement-world';
import { parseRiskConfig } from '../../../tools/authorizer/domain/risk/config';
import { verify } from '../../../src/crypto/verify';
import { accountOf, freezeAccount, reportPayment, send, stepUpAnswer } from '../../../tools/wallet/authorizer-client';

let world: World | undefined;
let booted: Booted | undefined;
const receivers: Receiver[] = [];

afterEach(async () => {
  booted?.hal.shutdown();
  await world?.close();
  for (const r of receivers.splice(0)) await r.close();
  world = undefined;
  booted = undefined;
});

/** A world whose risk config makes the scenario's factor decisive, with a wallet push receiver. */
async function setUp(risk: unknown, answer?: 'confirm' | 'refuse') {
  const push = await new Receiver().start();
  const gateway = await new Receiver().start();
  receivers.push(push, gateway);
  world = await startWorld({
    risk: parseRiskConfig(risk),
    notify: { walletWebhook: push.url, gatewayUrl: gateway.url, dispatcher: { intervalMs: 50, backoffMs: 50 } },
  });
  const w = world;
  if (answer) {
    // The wallet app: on a step-up push, the customer answers with the device key.
    push.onMessage = (message) => {
      if (message.kind !== 'step-up') return;
      const challenge = (message.data as { challenge: string }).challenge;
      void send(w.authorizer.url, stepUpAnswer(w.wallet.device, w.wallet.credential, challenge, answer === 'confirm', Date.now()));
    };
  }
  booted = await bootTerminal({ url: w.authorizer.url, dataDir: w.dir('terminal'), config: { stepUp: { pollMs: 40, timeoutMs: 4000 } } });
  const shown: string[] = [];
  const indicators = booted.hal.indicators!;
  indicators.display = (m) => void shown.push(m.title);
  const stepUps: number[] = [];
  booted.terminal.on('step-up', (e) => stepUps.push(e.trace));
  return { w, terminal: booted.terminal, hal: booted.hal, shown, stepUps, push, gateway };
}

// The simulated terminal has no GNSS receiver: "location-absent" fires on every payment.
const absentDecides = { factors: { 'location-absent': { points: 40 } } };
const newCredentialStepsUp = { factors: { 'new-credential': { points: 40 } } };

describe('outcome: approved', () => {
  it('a genuine payment is approved, the goods move once, and the customer is told on both channels', async () => {
    const { w, terminal, hal, push, gateway } = await setUp({});
    const decision = await pay(terminal, w.wallet.code());
    expect(decision).toMatchObject({ outcome: 'approved', actuated: true });
    expect(hal.actuatorLine.pulses()).toHaveLength(1);
    await until(() => push.received.length > 0 && gateway.received.length > 0);
    expect(push.received[0]).toMatchObject({ kind: 'payment', channel: 'wallet-push', data: { outcome: 'approved', amount: 450, approvalCode: decision.approvalCode } });
    expect(gateway.received[0]).toMatchObject({ kind: 'payment', channel: 'message', eventId: push.received[0].eventId });
    // Each webhook body is signed by the authorizer's decision key; a changed byte no longer verifies.
    for (const { body, headers } of [push.raw[0], gateway.raw[0]]) {
      const [alg, signature] = String(headers['x-qrpay-signature']).split(' ');
      expect(alg).toBe('ES256');
      const key = w.authorizer.decisionKey.publicKey;
      expect(verify('ES256', key, body, Buffer.from(signature, 'base64url'))).toBe(true);
      const tampered = body.slice();
      tampered[tampered.length - 2] ^= 1;
      expect(verify('ES256', key, tampered, Buffer.from(signature, 'base64url'))).toBe(false);
    }
  });
});

describe('outcome: held', () => {
  it('is accepted (goods released) with the funds pending for review', async () => {
    const { w, terminal, hal, shown } = await setUp(absentDecides);
    const decision = await pay(terminal, w.wallet.code());
    expect(decision).toMatchObject({ outcome: 'held', reason: 'held-for-review', source: 'authorizer', actuated: true });
    expect(decision.approvalCode).toBeUndefined();
    expect(hal.actuatorLine.pulses()).toHaveLength(1);
    expect(shown[shown.length - 1]).toBe('ON HOLD');
    const payment = w.authorizer.db.prepare('SELECT state FROM payments').get() as { state: string };
    expect(payment.state).toBe('pending');
  });
});

describe('outcome: step-up', () => {
  it('the terminal shows "confirm in app", the wallet confirms with its device key, and the final approval moves the goods', async () => {
    const { w, terminal, hal, shown, stepUps } = await setUp(newCredentialStepsUp, 'confirm');
    const decision = await pay(terminal, w.wallet.code());
    expect(stepUps).toEqual([decision.trace]);
    expect(shown).toContain('CONFIRM IN APP');
    expect(decision).toMatchObject({ outcome: 'approved', reason: 'approved', source: 'authorizer', actuated: true });
    expect(decision.approvalCode).toMatch(/^[A-Z0-9]{6}$/);
    expect(shown[shown.length - 1]).toBe('APPROVED');
    expect(hal.actuatorLine.pulses()).toHaveLength(1);
    const stored = w.authorizer.db.prepare('SELECT s.state, s.final_decision, p.state AS payment FROM step_ups s JOIN payments p ON p.request_id = s.request_id').get() as
      { state: string; final_decision: Uint8Array; payment: string };
    expect(stored).toMatchObject({ state: 'confirmed', payment: 'captured' });
    expect(new Uint8Array(stored.final_decision)).toEqual(decision.signed);
  });

  it('a refusal in the app ends in a decline and nothing moves', async () => {
    const { w, terminal, hal } = await setUp(newCredentialStepsUp, 'refuse');
    const decision = await pay(terminal, w.wallet.code());
    expect(decision).toMatchObject({ outcome: 'declined', reason: 'step-up-refused', actuated: false });
    expect(hal.actuatorLine.pulses()).toHaveLength(0);
  });

  it('no answer: the challenge expires and the terminal gets a signed decline', async () => {
    const { w, terminal, hal } = await setUp({ ...newCredentialStepsUp, stepUp: { ttlSeconds: 0.3 } });
    const decision = await pay(terminal, w.wallet.code());
    expect(decision).toMatchObject({ outcome: 'declined', reason: 'step-up-expired', source: 'authorizer', actuated: false });
    expect(hal.actuatorLine.pulses()).toHaveLength(0);
  });

  it('only the paying credential\'s device key can answer; a copied-code thief cannot', async () => {
    const { w, terminal } = await setUp(newCredentialStepsUp);
    const pending = pay(terminal, w.wallet.code());
    await until(() => w.authorizer.db.prepare('SELECT 1 FROM step_ups').get() !== undefined);
    const { id } = w.authorizer.db.prepare('SELECT id FROM step_ups').get() as { id: string };
    const thief = new (w.wallet.constructor as new () => typeof w.wallet)();
    const forged = await send(w.authorizer.url, stepUpAnswer(thief.device, w.wallet.credential, id, true, Date.now()));
    expect(forged.status).toBe(403);
    const real = await send(w.authorizer.url, stepUpAnswer(w.wallet.device, w.wallet.credential, id, true, Date.now()));
    expect(real).toMatchObject({ status: 200, body: { ok: true, state: 'confirmed', outcome: 'approved' } });
    const again = await send(w.authorizer.url, stepUpAnswer(w.wallet.device, w.wallet.credential, id, false, Date.now()));
    expect(again.status).toBe(409);
    expect((await pending).outcome).toBe('approved');
  });
});

describe('outcome: step-up, reported while waiting', () => {
  it('a report of the pending payment ends the step-up: the terminal gets a signed decline, the release is credited', async () => {
    const { w, terminal, hal } = await setUp(newCredentialStepsUp);
    const pending = pay(terminal, w.wallet.code());
    await until(() => w.authorizer.db.prepare('SELECT 1 FROM step_ups').get() !== undefined);
    const payment = w.authorizer.db.prepare('SELECT request_hash FROM payments').get() as { request_hash: Uint8Array };
    const report = await send(w.authorizer.url, reportPayment(w.wallet.device, w.wallet.credential, Buffer.from(payment.request_hash).toString('hex'), 'not me', Date.now()));
    expect(report.body).toMatchObject({ action: 'reversed', compensation: { kind: 'release', state: 'credited' } });
    expect(await pending).toMatchObject({ outcome: 'declined', reason: 'step-up-refused', source: 'authorizer', actuated: false });
    expect(hal.actuatorLine.pulses()).toHaveLength(0);
    expect(w.authorizer.db.prepare('SELECT state FROM payments').get()).toEqual({ state: 'reversed' });
  });
});

describe('outcome: declined', () => {
  it('a score over the decline threshold is declined with every factor stored', async () => {
    const jw = await JudgementWorld.start();
    try {
      const counter = await jw.terminal();
      const alice = jw.wallet();
      await counter.pay(alice);
      jw.time.advance(10 * 60_000);
      // Ten minutes later the same counter terminal claims to be in Lyon, with a suspiciously perfect fix.
      const lyon = { latitude: 45.764, longitude: 4.8357 };
      const paid = await counter.pay(alice, { location: fixAt(0, 0, { accuracy: 0.05 }, lyon) });
      expect(paid.body).toMatchObject({ outcome: 'declined', reason: 'risk-too-high', display: 'Declined: unusual payment' });
      const assessment = jw.assessment(counter, paid.trace);
      expect(assessment.factors.map((f) => f.name).sort()).toEqual(['impossible-travel', 'location-jump', 'location-too-accurate', 'terminal-off-site']);
      expect(assessment.score).toBe(170);
    } finally {
      await jw.close();
    }
  });

  it('protocol declines store the rule that decided as the factor', async () => {
    const jw = await JudgementWorld.start();
    try {
      const t = await jw.terminal();
      const alice = jw.wallet();
      const code = alice.code();
      const wallet = { code: () => code } as typeof alice;
      await t.pay(wallet);
      const copy = await t.pay(wallet);
      expect(copy.body).toMatchObject({ outcome: 'declined', reason: 'replayed' });
      expect(jw.assessment(t, copy.trace)).toMatchObject({ outcome: 'declined', reason: 'replayed', factors: [{ name: 'replayed', side: 'rule', points: 0 }] });
    } finally {
      await jw.close();
    }
  });
});

async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('frozen and reported, at the terminal', () => {
  it('a freeze reaches the terminal with its next list update: the code is declined offline, without a request', async () => {
    const { w, terminal } = await setUp({});
    expect((await pay(terminal, w.wallet.code())).outcome).toBe('approved');
    const freeze = await send(w.authorizer.url, freezeAccount(w.wallet.device, accountOf(w.wallet.credential), 'lost phone', Date.now()));
    expect(freeze.status).toBe(200);
    // Before the update the terminal still forwards, and the authorizer refuses at once; its decision names the
    // newer deny list, which the terminal fetches before the charge returns (nothing newer is left to fetch).
    expect(await pay(terminal, w.wallet.code())).toMatchObject({ outcome: 'declined', reason: 'frozen', display: 'Account frozen', source: 'authorizer' });
    expect((await terminal.refreshLists()).deny).toMatchObject({ ok: false, reason: 'not-newer' });
    const requests = journalLength(w);
    expect(await pay(terminal, w.wallet.code())).toMatchObject({ outcome: 'declined', reason: 'frozen', display: 'Account frozen', source: 'terminal', actuated: false });
    expect(journalLength(w)).toBe(requests);
  });

  it('a reported payment suspends the credential on the terminal after its next update', async () => {
    const { w, terminal } = await setUp({});
    expect((await pay(terminal, w.wallet.code())).outcome).toBe('approved');
    const payment = w.authorizer.db.prepare('SELECT request_hash FROM payments').get() as { request_hash: Uint8Array };
    const report = await send(w.authorizer.url, reportPayment(w.wallet.device, w.wallet.credential, Buffer.from(payment.request_hash).toString('hex'), 'not me', Date.now()));
    expect(report.body).toMatchObject({ action: 'disputed', compensation: { amount: 450, state: 'credited' } });
    expect((await terminal.refreshLists()).deny).toMatchObject({ ok: true });
    expect(await pay(terminal, w.wallet.code())).toMatchObject({ outcome: 'declined', reason: 'revoked', source: 'terminal' });
  });
});

function journalLength(w: World): number {
  return (w.authorizer.db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n;
}
