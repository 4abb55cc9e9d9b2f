/**
 * The terminal's side of a step-up (portable, XS lane): it shows "confirm in
 * app", polls the authorizer, verifies the final decision like any other, and
 * acts only on a verified final approval.
 */
import { describe, expect, it } from 'vitest';
import type { ManualClock } from '../../../hal/portable/manual-clock';
import { createTerminal, type Terminal } from '../../../src/terminal/terminal';
import type { Decision } from '../../../src/terminal/decision';
import { bench, edSigner, prefixChecker, testConfig, type Bench } from '../../support/terminal-fixture';

const coffee = { amount: 450, currency: 'EUR', purpose: 'counter-sale' as const, reference: 'order-1' };

async function started(b: Bench): Promise<Terminal> {
  const terminal = createTerminal({ hal: b.hal, config: { ...testConfig, stepUp: { pollMs: 500, timeoutMs: 5000 } }, codes: prefixChecker });
  await terminal.start();
  return terminal;
}

/** Moves the clock until `promise` settles, calling `at(ms)` as time passes. */
async function settle<T>(clock: ManualClock, promise: Promise<T>, at: (elapsed: number) => void = () => undefined): Promise<T> {
  let done = false;
  const watched = promise.then(
    (value) => { done = true; return value; },
    (error) => { done = true; throw error; },
  );
  for (let elapsed = 0; elapsed < 20_000 && !done; elapsed += 100) {
    at(elapsed);
    await clock.advanceAsync(100);
  }
  return watched;
}

function charge(b: Bench, terminal: Terminal, at?: (elapsed: number) => void): Promise<Decision> {
  const pending = terminal.charge(coffee);
  terminal.present('GOOD-1');
  return settle(b.clock, pending, at);
}

describe('terminal: step-up', () => {
  it('shows "confirm in app", waits, and acts once on the verified final approval', async () => {
    const b = bench();
    const terminal = await started(b);
    const events: string[] = [];
    terminal.on('step-up', () => events.push('step-up'));
    terminal.on('verified', (e) => events.push(`verified:${e.outcome}`));
    b.authorizer.script.push({ kind: 'decide', outcome: 'step-up', reason: 'confirm-in-app' });
    const decision = await charge(b, terminal, (elapsed) => {
      if (elapsed === 1500) {
        expect(b.indicators.lastDisplay?.title).toBe('CONFIRM IN APP');
        expect(b.actuator.holds).toEqual([]);
        b.authorizer.stepUpFinal = { outcome: 'approved', reason: 'approved' };
      }
    });
    expect(decision).toMatchObject({ outcome: 'approved', source: 'authorizer', actuated: true, approvalCode: 'A1B2C3' });
    expect(b.authorizer.polls).toBeGreaterThan(1);
    expect(events).toEqual(['step-up', 'verified:approved']);
    expect(b.indicators.lastDisplay?.title).toBe('APPROVED');
    expect(b.actuator.holds).toEqual([500]);
  });

  it('a refusal in the app ends in a decline and nothing moves', async () => {
    const b = bench();
    const terminal = await started(b);
    b.authorizer.script.push({ kind: 'decide', outcome: 'step-up', reason: 'confirm-in-app' });
    b.authorizer.stepUpFinal = { outcome: 'declined', reason: 'step-up-refused' };
    expect(await charge(b, terminal)).toMatchObject({ outcome: 'declined', reason: 'step-up-refused', actuated: false });
    expect(b.actuator.holds).toEqual([]);
  });

  it('ignores a forged final decision and gives up after its timeout with no answer', async () => {
    const b = bench();
    const terminal = await started(b);
    b.authorizer.script.push({ kind: 'decide', outcome: 'step-up', reason: 'confirm-in-app' });
    const forger = edSigner('forger');
    const authorizer = b.authorizer;
    // Every poll answers an "approval" signed by the wrong key.
    authorizer.request = async (request) => {
      if (request.url.indexOf('/v1/step-up/') < 0) return Object.getPrototypeOf(authorizer).request.call(authorizer, request);
      authorizer.polls++;
      return { status: 200, headers: {}, body: authorizer.decide(authorizer.received[0], 'approved', 'approved', forger) };
    };
    const decision = await charge(b, terminal);
    expect(decision).toMatchObject({ outcome: 'no-answer', reason: 'step-up-timeout', source: 'terminal', actuated: false });
    expect(authorizer.polls).toBeGreaterThan(3);
    expect(b.actuator.holds).toEqual([]);
  });
});
