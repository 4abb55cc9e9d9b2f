/**
 * The terminal checks decisions with a precomputed table of the authorizer's current decision key (issue #16,
 * src/crypto/prepared-keys.ts), prepared in idle time after a boot or a rotation, on Node and XS. The table is a
 * speed-up only: a forged decision, or a genuine one with one bit of its signature flipped, is refused through it
 * exactly as without it, a charge that comes before the table is ready pays the plain way, and after a rotation the
 * new key is prepared and its decisions accepted.
 */
import { describe, expect, it } from 'vitest';
import { HalError } from '../../../hal/errors';
import type { MemoryLogger } from '../../../hal/portable/memory-logger';
import { createTerminal, type Terminal } from '../../../src/terminal/terminal';
import { bench, edSigner, prefixChecker, testConfig, untilSettled, type Bench } from '../../support/terminal-fixture';

const coffee = { amount: 450, currency: 'EUR', purpose: 'counter-sale' as const, reference: 'order-1' };

const prepared = (b: Bench) =>
  (b.hal.logger as MemoryLogger).entries.filter((e) => e.message === 'decision key prepared').map((e) => e.fields?.generation);

async function pay(b: Bench, terminal: Terminal, code: string) {
  const pending = terminal.charge(coffee);
  expect(terminal.present(code)).toBe(true);
  return untilSettled(b.clock, pending);
}

describe('terminal: the decision key table', () => {
  it('is prepared once the terminal is idle after start, and refuses forged and altered decisions through it', async () => {
    const b = bench();
    const terminal = createTerminal({ hal: b.hal, config: testConfig, codes: prefixChecker });
    await untilSettled(b.clock, terminal.start());
    await b.clock.advanceAsync(1);
    await b.clock.advanceAsync(1);
    expect(prepared(b)).toEqual([1]);

    expect(await pay(b, terminal, 'GOOD-1')).toMatchObject({ outcome: 'approved', actuated: true });
    b.authorizer.script.push(
      { kind: 'answer', body: (request) => b.authorizer.decide(request, 'approved', 'approved', edSigner('forger')) },
      {
        kind: 'answer',
        body: (request) => {
          const genuine = b.authorizer.decide(request, 'approved', 'approved');
          genuine[genuine.length - 1] ^= 0x01; // the last byte of COSE_Sign1 is the signature's
          return genuine;
        },
      },
      { kind: 'fail', error: new HalError('timeout', 'gone') },
    );
    const refused = await pay(b, terminal, 'GOOD-2');
    expect(refused).toMatchObject({ outcome: 'no-answer', actuated: false });
    expect(refused.failures.map((f) => f.reason)).toEqual(['bad-signature', 'bad-signature', 'timeout']);
    expect(b.actuator.holds).toHaveLength(1);
    expect(prepared(b)).toEqual([1]); // prepared once, not per payment
  });

  it('does not hold up a charge that comes before it is ready: that one is checked the plain way', async () => {
    const b = bench();
    const terminal = createTerminal({ hal: b.hal, config: testConfig, codes: prefixChecker });
    await terminal.start(); // no timer turn yet: neither the presign nor the table has run
    expect(prepared(b)).toEqual([]);
    expect(await pay(b, terminal, 'GOOD-1')).toMatchObject({ outcome: 'approved', actuated: true });
    await b.clock.advanceAsync(1);
    await b.clock.advanceAsync(1);
    expect(prepared(b)).toEqual([1]);
  });

  it('after a rotation prepares the new key, whose decisions are accepted', async () => {
    const b = bench();
    const terminal = createTerminal({ hal: b.hal, config: testConfig, codes: prefixChecker });
    await untilSettled(b.clock, terminal.start());
    expect(await pay(b, terminal, 'GOOD-1')).toMatchObject({ outcome: 'approved', actuated: true });
    b.authorizer.rotate(edSigner('authorizer generation 2'));
    expect((await terminal.refreshLists()).keys).toMatchObject({ ok: true, generation: 2 });
    expect(await pay(b, terminal, 'GOOD-2')).toMatchObject({ outcome: 'approved', actuated: true });
    await b.clock.advanceAsync(1);
    await b.clock.advanceAsync(1);
    expect(prepared(b)).toEqual([1, 2]);
    expect(await pay(b, terminal, 'GOOD-3')).toMatchObject({ outcome: 'approved', actuated: true });
    expect(b.actuator.holds).toHaveLength(3);
  });
});
