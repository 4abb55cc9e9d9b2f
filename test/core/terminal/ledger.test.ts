/**
 * The terminal's ledger on the portable HAL (Node and XS): a pre-authorization
 * held across a reboot and completed once, voids and refunds delivered until
 * answered, the open batch's items and its close, and a power cut at every
 * write of an authorize/complete pair that leaves each trace counted once.
 */
import { describe, expect, it } from 'vitest';
import { HalError } from '../../../hal/errors';
import type { ManualClock } from '../../../hal/portable/manual-clock';
import type { KeyValueStore, Storage } from '../../../hal/storage';
import { createTerminal, type Terminal } from '../../../src/terminal/terminal';
import type { Decision } from '../../../src/terminal/decision';
import { bench, prefixChecker, testConfig, type Bench } from '../../support/terminal-fixture';

const ride = { maxAmount: 500, currency: 'EUR', purpose: 'bike-unlock' as const, reference: 'ride-1' };
const coffee = { amount: 450, currency: 'EUR', purpose: 'counter-sale' as const, reference: 'order-1' };

async function started(b: Bench): Promise<Terminal> {
  const terminal = createTerminal({ hal: b.hal, config: testConfig, codes: prefixChecker });
  await terminal.start();
  return terminal;
}

async function settle<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const watched = promise.then((v) => { done = true; return v; }, (e) => { done = true; throw e; });
  for (let i = 0; i < 200 && !done; i++) await clock.advanceAsync(50);
  return watched;
}

function presented(b: Bench, terminal: Terminal, pending: Promise<Decision>, code = 'GOOD-1'): Promise<Decision> {
  expect(terminal.present(code)).toBe(true);
  return settle(b.clock, pending);
}

const ref = (d: Decision) => ({ trace: d.trace!, requestHash: d.requestHash! });

describe('ledger: pre-authorization', () => {
  it('holds across a reboot, completes once, and the hold is gone', async () => {
    const b = bench();
    const terminal = await started(b);
    const held = await presented(b, terminal, terminal.authorize(ride));
    expect(held).toMatchObject({ outcome: 'approved', actuated: true });
    expect(b.authorizer.decided[0]).toMatchObject({ kind: 'pre-auth', amount: 500 });
    const again = createTerminal({ hal: bench(b.storage, b.clock, b.authorizer).hal, config: testConfig, codes: prefixChecker });
    await again.start();
    expect(again.openHolds()).toEqual([ref(held)]);
    const completed = await settle(b.clock, again.complete(ref(held), 180));
    expect(completed).toMatchObject({ state: 'answered', action: 'complete', result: { outcome: 'done', amount: 180 } });
    expect(again.openHolds()).toEqual([]);
    expect(b.authorizer.instructions).toMatchObject([{ action: 'complete', amount: 180, target: { trace: held.trace } }]);
  });

  it('refuses a bad pre-authorization before anything is sent', () => {
    const b = bench();
    const terminal = createTerminal({ hal: b.hal, config: testConfig, codes: prefixChecker });
    expect(() => terminal.authorize(undefined as never)).toThrow(/maxAmount/);
  });
});

describe('ledger: instructions and the batch', () => {
  it('a refund with the authorizer down waits, is delivered before the next charge, and counts in the batch once', async () => {
    const b = bench();
    const terminal = await started(b);
    const sold = await presented(b, terminal, terminal.charge(coffee));
    const down = new HalError('timeout', 'no answer');
    b.authorizer.instructionScript.push({ kind: 'fail', error: down }, { kind: 'fail', error: down }, { kind: 'fail', error: down });
    expect(await settle(b.clock, terminal.refund(ref(sold), 100))).toMatchObject({ state: 'queued' });
    expect(terminal.pendingWork()).toMatchObject([{ kind: 'instruction' }]);
    const answered: string[] = [];
    terminal.on('instruction-answered', (e) => answered.push(`${e.action} ${e.result.outcome}`));
    await presented(b, terminal, terminal.charge(coffee), 'GOOD-2');
    expect(answered).toEqual(['refund done']);
    expect(terminal.pendingWork()).toEqual([]);
    const closed = await settle(b.clock, terminal.closeBatch());
    expect(closed).toMatchObject({ state: 'answered', result: { reason: 'balanced' } });
    const close = b.authorizer.instructions.find((i) => i.action === 'close-batch')!;
    expect(close.batch).toEqual({
      number: 1,
      items: [
        { trace: sold.trace, kind: 'sale', amount: 450, currency: 'EUR' },
        { trace: sold.trace! + 1, kind: 'refund', amount: 100, currency: 'EUR' },
        { trace: sold.trace! + 2, kind: 'sale', amount: 450, currency: 'EUR' },
      ],
    });
    // The next batch starts empty and is numbered on.
    await settle(b.clock, terminal.closeBatch());
    expect(b.authorizer.instructions.at(-1)!.batch).toEqual({ number: 2, items: [] });
  });

  it('a refused instruction counts nowhere', async () => {
    const b = bench();
    const terminal = await started(b);
    const sold = await presented(b, terminal, terminal.charge(coffee));
    b.authorizer.instructionScript.push({ kind: 'refuse', reason: 'over-refund' });
    expect(await settle(b.clock, terminal.refund(ref(sold), 9999))).toMatchObject({ state: 'answered', result: { outcome: 'refused', reason: 'over-refund' } });
    await settle(b.clock, terminal.closeBatch());
    expect(b.authorizer.instructions.at(-1)!.batch!.items.map((i) => i.kind)).toEqual(['sale']);
  });

  it('names a payment by its trace and request hash, nothing else', async () => {
    const b = bench();
    const terminal = await started(b);
    expect(() => terminal.void({ trace: 1, requestHash: new Uint8Array(3) })).toThrow(/request hash/);
    expect(() => terminal.refund({ trace: 1, requestHash: new Uint8Array(32) }, 0)).toThrow(/minor units/);
  });
});

/** Storage whose power fails at the `n`th write (writes and deletes) after it is armed. */
function cutAfter(storage: Storage): { storage: Storage; arm(n: number): void; cut(): boolean } {
  let left = Infinity;
  let dead = false;
  const count = () => {
    if (dead) throw new HalError('power-lost', 'power is off');
    if (--left === 0) {
      dead = true;
      throw new HalError('power-lost', 'power cut');
    }
  };
  return {
    arm: (n) => { left = n; dead = false; },
    cut: () => dead,
    storage: {
      open(options) {
        const inner = storage.open(options);
        const wrapped: KeyValueStore = {
          read: (k) => { if (dead) throw new HalError('power-lost', 'power is off'); return inner.read(k); },
          keys: () => inner.keys(),
          close: () => inner.close(),
          write: (k, v) => { count(); inner.write(k, v); },
          delete: (k) => { count(); inner.delete(k); },
        };
        return wrapped;
      },
    },
  };
}

describe('ledger: a power cut at every write of an authorize/complete pair', () => {
  it('each trace is released at most once, reversed or completed, and counted in the batch once', async () => {
    for (let n = 1; n <= 12; n++) {
      const b = bench();
      const power = cutAfter(b.storage);
      const board = bench(power.storage, b.clock, b.authorizer);
      const terminal = createTerminal({ hal: board.hal, config: testConfig, codes: prefixChecker });
      await terminal.start();
      power.arm(n);
      try {
        const held = await presented(board, terminal, terminal.authorize(ride));
        if (held.actuated) await settle(b.clock, terminal.complete(ref(held), 200));
      } catch (error) {
        expect((error as { kind?: string }).kind, `write ${n}`).toBe('storage');
      }
      const rebooted = bench(b.storage, b.clock, b.authorizer);
      const revived = createTerminal({ hal: rebooted.hal, config: testConfig, codes: prefixChecker });
      await revived.start();
      expect(revived.pendingWork(), `write ${n}`).toEqual([]);
      for (const hold of revived.openHolds()) await settle(b.clock, revived.complete(hold, 200));
      await settle(b.clock, revived.closeBatch());
      const released = board.actuator.holds.length + rebooted.actuator.holds.length;
      const reversed = b.authorizer.reversals.length;
      const completions = b.authorizer.instructions.filter((i) => i.action === 'complete');
      expect(released, `write ${n}`).toBeLessThanOrEqual(1);
      // Released and completed once, or not released and reversed (or never sent).
      if (released === 1 && reversed === 0) expect(completions, `write ${n}`).toHaveLength(1);
      if (released === 0) expect(completions, `write ${n}`).toHaveLength(0);
      const items = b.authorizer.instructions.at(-1)!.batch!.items;
      expect(new Set(items.map((i) => i.trace)).size, `write ${n}`).toBe(items.length);
      expect(items.filter((i) => i.kind === 'completion').length, `write ${n}`).toBe(completions.length);
    }
  });
});

describe('lists that stay fresh', () => {
  it('are fetched at boot and every listRefreshInterval on the clock HAL', async () => {
    const b = bench();
    const codes = { ...prefixChecker, installList: () => ({ ok: false as const, reason: 'test', detail: 'lists are not judged here' }) };
    const terminal = createTerminal({ hal: b.hal, config: { ...testConfig, listRefreshInterval: 60_000 }, codes });
    await terminal.start();
    // trust and deny list at boot
    expect(b.authorizer.listFetches).toBe(2);
    await b.clock.advanceAsync(59_000);
    expect(b.authorizer.listFetches).toBe(2);
    await b.clock.advanceAsync(1_000);
    await b.clock.advanceAsync(10);
    expect(b.authorizer.listFetches).toBe(4);
    await b.clock.advanceAsync(60_000);
    await b.clock.advanceAsync(10);
    expect(b.authorizer.listFetches).toBe(6);
  });
});
