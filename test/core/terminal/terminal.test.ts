import { describe, expect, it } from 'vitest';
import { HalError } from '../../../hal/errors';
import type { KeyValueStore, Storage } from '../../../hal/storage';
import { MemoryStorage } from '../../../hal/portable/memory-storage';
import type { ManualClock } from '../../../hal/portable/manual-clock';
import { createTerminal, type Terminal } from '../../../src/terminal/terminal';
import type { Decision } from '../../../src/terminal/decision';
import { openRequest } from '../../../src/authorization/request';
import { bench, edSigner, prefixChecker, testConfig, type Bench } from '../../support/terminal-fixture';

const coffee = { amount: 450, currency: 'EUR', purpose: 'counter-sale' as const, reference: 'order-1' };

async function started(b: Bench): Promise<Terminal> {
  const terminal = createTerminal({ hal: b.hal, config: testConfig, codes: prefixChecker });
  await terminal.start();
  return terminal;
}

/** Runs time forward until `promise` settles (backoff sleeps need the clock to move). */
async function settle<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const watched = promise.then(
    (value) => { done = true; return value; },
    (error) => { done = true; throw error; },
  );
  for (let i = 0; i < 200 && !done; i++) await clock.advanceAsync(50);
  return watched;
}

async function pay(b: Bench, terminal: Terminal, code = 'GOOD-1', charge = coffee): Promise<Decision> {
  const pending = terminal.charge(charge);
  expect(terminal.present(code)).toBe(true);
  return settle(b.clock, pending);
}

describe('terminal: identity', () => {
  it('enrolls on first boot and reloads the enrollment after a reboot with no network', async () => {
    const b = bench();
    const first = await started(b);
    expect(first.identity?.terminalId).toBe('T-TEST-1');
    const rebooted = bench(b.storage);
    rebooted.hal.http = { request: () => Promise.reject(new HalError('unreachable', 'no network')) };
    const terminal = createTerminal({ hal: rebooted.hal, config: testConfig, codes: prefixChecker });
    const identity = await terminal.start();
    expect(identity.terminalId).toBe('T-TEST-1');
    expect(identity.merchant.name).toBe('Cafe Lumiere');
    expect(identity.key.publicKey).toEqual(first.identity!.key.publicKey);
  });

  it('carries on above the authorizer\'s next trace number after its storage was wiped', async () => {
    const b = bench();
    await started(b);
    b.storage.open({ path: 'qrpay' }).delete('enrollment');
    b.storage.open({ path: 'qrpay' }).delete('trace.next');
    b.authorizer.nextTrace = 17;
    const terminal = await started(b);
    expect((await pay(b, terminal)).trace).toBe(17);
  });

  it('refuses to charge before enrollment and refuses a bad charge', async () => {
    const b = bench();
    const terminal = createTerminal({ hal: b.hal, config: testConfig, codes: prefixChecker });
    await expect(terminal.charge(coffee)).rejects.toMatchObject({ kind: 'not-enrolled' });
    await terminal.start();
    await expect(terminal.charge({ ...coffee, amount: 1.5 })).rejects.toMatchObject({ kind: 'bad-charge' });
    await expect(terminal.charge({ ...coffee, currency: 'USD' })).rejects.toMatchObject({ kind: 'bad-charge' });
    await expect(terminal.charge({ ...coffee, purpose: 'arcade-credit' })).rejects.toMatchObject({ kind: 'bad-charge' });
  });
});

describe('terminal: configuration and state', () => {
  it('refuses a configuration that cannot work', () => {
    const b = bench();
    const make = (config: object) => () => createTerminal({ hal: b.hal, config: { ...testConfig, ...config }, codes: prefixChecker });
    expect(make({ authorizerUrl: 'ftp://x' })).toThrow('authorizerUrl');
    expect(make({ retry: { attempts: 0 } })).toThrow('attempts');
    expect(make({ codeTimeout: -1 })).toThrow('codeTimeout');
  });

  it('stops rather than guess over a damaged trace counter', async () => {
    const b = bench();
    const terminal = await started(b);
    b.storage.open({ path: 'qrpay' }).write('trace.next', Uint8Array.of(1, 2, 3));
    const pending = terminal.charge(coffee);
    terminal.present('GOOD-1');
    await expect(pending).rejects.toMatchObject({ kind: 'storage' });
    expect(b.authorizer.received).toHaveLength(0);
  });
});

describe('terminal: charge', () => {
  it('acts on a verified approval exactly once', async () => {
    const b = bench();
    const terminal = await started(b);
    const stages: string[] = [];
    for (const name of ['waiting', 'scanned', 'code-checked', 'request-signed', 'attempt', 'actuated', 'decision'] as const) {
      terminal.on(name, () => stages.push(name));
    }
    const decision = await pay(b, terminal);
    expect(decision).toMatchObject({ outcome: 'approved', source: 'authorizer', approvalCode: 'A1B2C3', trace: 1, actuated: true });
    expect(b.actuator.holds).toEqual([500]);
    expect(stages).toEqual(['waiting', 'scanned', 'code-checked', 'request-signed', 'attempt', 'actuated', 'decision']);
    expect(b.indicators.lastDisplay?.title).toBe('APPROVED');
    const sent = openRequest(b.authorizer.received[0]).request;
    expect(sent).toMatchObject({ terminalId: 'T-TEST-1', trace: 1, amount: 450, paymentCode: 'GOOD-1', firmware: '0.1.0-test' });
    expect(sent.location).toMatchObject({ status: 'absent', reason: 'no-receiver' });
  });

  it('never fires the actuator on a decline', async () => {
    const b = bench();
    const terminal = await started(b);
    b.authorizer.script.push({ kind: 'decide', outcome: 'declined', reason: 'replayed' });
    const decision = await pay(b, terminal);
    expect(decision).toMatchObject({ outcome: 'declined', reason: 'replayed', source: 'authorizer', actuated: false });
    expect(b.actuator.holds).toEqual([]);
  });

  it('a hold is an acceptance: the goods move once while the funds wait for review (step-ups: step-up.test.ts)', async () => {
    const b = bench();
    const terminal = await started(b);
    b.authorizer.script.push({ kind: 'decide', outcome: 'held', reason: 'review' });
    expect(await pay(b, terminal)).toMatchObject({ outcome: 'held', actuated: true });
    expect(b.indicators.lastDisplay?.title).toBe('ON HOLD');
    expect(b.actuator.holds).toEqual([500]);
  });

  it('gives up waiting for a code, then takes the next charge', async () => {
    const b = bench();
    const terminal = await started(b);
    const pending = terminal.charge(coffee);
    await b.clock.advanceAsync(60_000);
    await expect(pending).rejects.toMatchObject({ kind: 'no-code' });
    expect(terminal.present('GOOD-1')).toBe(false);
    expect((await pay(b, terminal)).outcome).toBe('approved');
  });

  it('takes its code from a code source, which looks only while a charge waits', async () => {
    const b = bench();
    let looking = 0;
    const source = (found: (text: string) => void) => {
      looking++;
      const timer = b.clock.setTimer(() => found('GOOD-CAMERA'), 300);
      return () => {
        looking--;
        b.clock.clearTimer(timer);
      };
    };
    const terminal = createTerminal({ hal: b.hal, config: testConfig, codes: prefixChecker, codeSource: source });
    await terminal.start();
    expect(looking).toBe(0);
    const decision = await settle(b.clock, terminal.charge(coffee));
    expect(decision.outcome).toBe('approved');
    expect(openRequest(b.authorizer.received[0]).request.paymentCode).toBe('GOOD-CAMERA');
    expect(looking).toBe(0);
  });

  it('runs one charge at a time', async () => {
    const b = bench();
    const terminal = await started(b);
    const first = terminal.charge(coffee);
    await expect(terminal.charge(coffee)).rejects.toMatchObject({ kind: 'busy' });
    terminal.present('GOOD-1');
    expect((await settle(b.clock, first)).outcome).toBe('approved');
  });

  it('declines a code it rejects without spending a trace number or the network', async () => {
    const b = bench();
    const terminal = await started(b);
    const decision = await pay(b, terminal, 'FORGED');
    expect(decision).toMatchObject({ outcome: 'declined', reason: 'bad-code-signature', source: 'terminal' });
    expect(b.authorizer.received).toHaveLength(0);
    expect((await pay(b, terminal)).trace).toBe(1);
  });

  it('uses increasing trace numbers, across reboots', async () => {
    const b = bench();
    const terminal = await started(b);
    expect((await pay(b, terminal)).trace).toBe(1);
    expect((await pay(b, terminal, 'GOOD-2')).trace).toBe(2);
    const again = bench(b.storage, b.clock, b.authorizer);
    const rebooted = await started(again);
    expect((await pay(again, rebooted, 'GOOD-3')).trace).toBe(3);
  });
});

describe('terminal: answers it must not act on', () => {
  it('retries the same bytes after a timeout and acts once on the answer', async () => {
    const b = bench();
    const terminal = await started(b);
    b.authorizer.script.push({ kind: 'fail', error: new HalError('timeout', 'slow') });
    const decision = await pay(b, terminal);
    expect(decision).toMatchObject({ outcome: 'approved', actuated: true });
    expect(decision.failures.map((f) => f.reason)).toEqual(['timeout']);
    expect(b.authorizer.received).toHaveLength(2);
    expect(b.authorizer.received[1]).toEqual(b.authorizer.received[0]);
    expect(b.actuator.holds).toHaveLength(1);
  });

  it('treats forged and mismatched decisions as no answer', async () => {
    const b = bench();
    const terminal = await started(b);
    const earlier = await pay(b, terminal);
    const earlierRequest = b.authorizer.received[0];
    b.authorizer.script.push(
      { kind: 'answer', body: (req) => b.authorizer.decide(req, 'approved', 'approved', edSigner('forger')) },
      { kind: 'answer', body: () => b.authorizer.decide(earlierRequest, 'approved', 'approved') },
      { kind: 'answer', body: () => b.authorizer.decide(earlierRequest, 'approved', 'approved') },
    );
    const decision = await pay(b, terminal, 'GOOD-2');
    expect(earlier.actuated).toBe(true);
    expect(decision).toMatchObject({ outcome: 'no-answer', source: 'terminal', actuated: false, trace: 2 });
    expect(decision.failures.map((f) => f.reason)).toEqual(['bad-signature', 'wrong-request', 'wrong-request']);
    expect(b.actuator.holds).toHaveLength(1);
    expect(b.indicators.lastDisplay?.title).toBe('NOT APPROVED');
  });

  it('treats garbage as no answer and stops at a client error', async () => {
    const b = bench();
    const terminal = await started(b);
    b.authorizer.script.push(
      { kind: 'answer', body: () => Uint8Array.of(0xd2, 0x84, 0x40) },
      { kind: 'fail', error: new HalError('bad-status', 'bad request', 400) },
    );
    const decision = await pay(b, terminal);
    expect(decision.outcome).toBe('no-answer');
    expect(decision.failures.map((f) => f.reason)).toEqual(['garbled', 'bad-status']);
    expect(b.authorizer.received).toHaveLength(2);
  });
});

describe('terminal: a request left without an answer', () => {
  it('is reversed: the reversal is tried at once and, the network still down, delivered at the next boot; nothing released', async () => {
    const b = bench();
    const terminal = await started(b);
    const down = new HalError('timeout', 'no answer');
    b.authorizer.script.push({ kind: 'fail', error: down }, { kind: 'fail', error: down }, { kind: 'fail', error: down });
    b.authorizer.reversalScript.push({ kind: 'fail', error: down });
    const queued: { trace: number; reason: string }[] = [];
    terminal.on('reversal-queued', (e) => queued.push(e));
    const lost = await pay(b, terminal);
    expect(lost).toMatchObject({ outcome: 'no-answer', actuated: false, reversal: { reason: 'no-answer', state: 'queued' } });
    expect(queued).toEqual([{ trace: lost.trace, reason: 'no-answer' }]);
    expect(terminal.pendingWork()).toEqual([{ trace: lost.trace, kind: 'reversal' }]);

    const rebooted = bench(b.storage, b.clock, b.authorizer);
    const again = createTerminal({ hal: rebooted.hal, config: testConfig, codes: prefixChecker });
    const reversed: { trace: number; effect: string; reason: string }[] = [];
    again.on('reversed', (e) => reversed.push(e));
    await again.start();
    expect(reversed).toMatchObject([{ trace: lost.trace, effect: 'not-received', reason: 'no-answer' }]);
    expect(b.authorizer.reversals.map((r) => r.trace)).toEqual([lost.trace]);
    // The request itself is never sent again: resent, it could be captured for goods that stay locked.
    expect(b.authorizer.received).toHaveLength(3);
    expect(rebooted.actuator.holds).toEqual([]);
    expect(again.pendingWork()).toEqual([]);
    await again.start();
    expect(reversed).toHaveLength(1);
  });

  it('is reversed at once when the network answers the reversal, and the authorizer says what it undid', async () => {
    const b = bench();
    const terminal = await started(b);
    // Decided at the authorizer, but every answer lost on the way back.
    b.authorizer.script.push(
      { kind: 'answer', body: (request) => { b.authorizer.decided.push(openRequest(request).request); return Uint8Array.of(0xa0); } },
      { kind: 'fail', error: new HalError('timeout', 'no answer') },
      { kind: 'fail', error: new HalError('timeout', 'no answer') },
    );
    const lost = await pay(b, terminal);
    expect(lost).toMatchObject({ outcome: 'no-answer', actuated: false, reversal: { state: 'acknowledged', effect: 'voided' } });
    expect(terminal.pendingWork()).toEqual([]);
    expect(b.actuator.holds).toEqual([]);
  });

  it('a refusal (4xx) is unauthenticated: the request is reversed all the same, and a refused reversal waits', async () => {
    const b = bench();
    const terminal = await started(b);
    b.authorizer.script.push({ kind: 'fail', error: new HalError('bad-status', 'unreadable', 400) });
    b.authorizer.reversalScript.push({ kind: 'fail', error: new HalError('bad-status', 'forged refusal', 403) });
    const refused = await pay(b, terminal);
    expect(refused).toMatchObject({ outcome: 'no-answer', reversal: { state: 'queued' } });
    expect(terminal.pendingWork()).toEqual([{ trace: refused.trace, kind: 'reversal' }]);
    // The next charge delivers it first, then goes on.
    expect((await pay(b, terminal, 'GOOD-2')).outcome).toBe('approved');
    expect(b.authorizer.reversals.map((r) => r.trace)).toEqual([refused.trace]);
    expect(terminal.pendingWork()).toEqual([]);
  });

  it('an actuator that fails releases nothing, so the approved payment is reversed', async () => {
    const b = bench();
    b.hal.actuator = { hold: async () => { throw new HalError('io', 'relay stuck'); }, pulse: async () => undefined };
    const terminal = await started(b);
    const decision = await pay(b, terminal);
    expect(decision).toMatchObject({ outcome: 'approved', actuated: false, reversal: { reason: 'not-released', state: 'acknowledged', effect: 'voided' } });
    expect(terminal.pendingWork()).toEqual([]);
  });

  it('takes no new charge while too much work waits (each is a customer not settled yet)', async () => {
    const b = bench();
    const terminal = createTerminal({ hal: b.hal, config: { ...testConfig, maxPendingWork: 2 }, codes: prefixChecker });
    await terminal.start();
    const down = new HalError('timeout', 'no answer');
    for (let i = 0; i < 2; i++) {
      b.authorizer.script.push({ kind: 'fail', error: down }, { kind: 'fail', error: down }, { kind: 'fail', error: down });
      b.authorizer.reversalScript.push({ kind: 'fail', error: down });
      expect((await pay(b, terminal, `GOOD-${i}`)).outcome).toBe('no-answer');
      // the next charge's own attempt to deliver the waiting reversal fails too
      b.authorizer.reversalScript.push({ kind: 'fail', error: down });
    }
    b.authorizer.reversalScript.push({ kind: 'fail', error: down }, { kind: 'fail', error: down });
    const refused = await terminal.charge({ amount: 150, currency: 'EUR', purpose: 'counter-sale', reference: 'r' });
    expect(refused).toMatchObject({ outcome: 'declined', reason: 'pending-work', source: 'terminal' });
    b.authorizer.reversalScript.length = 0;
    expect(await terminal.settle()).toBe(0);
    expect((await pay(b, terminal, 'GOOD-9')).outcome).toBe('approved');
  });
});

/** Storage whose flash dies at the first write of `key`; `done` means the write landed before the cut. */
function cutAt(storage: Storage, key: string, effect: 'lost' | 'done'): Storage {
  return {
    open(options) {
      const inner = storage.open(options);
      const wrapped: KeyValueStore = {
        read: (k) => inner.read(k),
        keys: () => inner.keys(),
        delete: (k) => inner.delete(k),
        close: () => inner.close(),
        write(k, value) {
          if (k === key) {
            if (effect === 'done') inner.write(k, value);
            throw new HalError('power-lost', 'power cut');
          }
          inner.write(k, value);
        },
      };
      return wrapped;
    },
  };
}

describe('terminal: power cut while reserving a trace number', () => {
  for (const effect of ['lost', 'done'] as const) {
    it(`never reuses a trace number (${effect})`, async () => {
      const flash = new MemoryStorage();
      const b = bench(flash);
      const terminal = await started(b);
      expect((await pay(b, terminal)).trace).toBe(1);
      const dying = bench(cutAt(flash, 'trace.next', effect), b.clock, b.authorizer);
      const victim = await started(dying);
      const pending = victim.charge({ ...coffee, reference: 'order-2' });
      victim.present('GOOD-2');
      await expect(pending).rejects.toMatchObject({ kind: 'storage' });
      expect(b.authorizer.received).toHaveLength(1);
      expect(dying.actuator.holds).toHaveLength(0);
      const rebooted = bench(flash, b.clock, b.authorizer);
      const decision = await pay(rebooted, await started(rebooted), 'GOOD-3');
      expect(decision.trace).toBe(effect === 'done' ? 3 : 2);
      expect(rebooted.actuator.holds).toHaveLength(1);
    });
  }
});
