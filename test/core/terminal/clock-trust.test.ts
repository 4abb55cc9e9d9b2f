/**
 * The terminal's clock judged against the authorizer's (src/terminal/clock-trust.ts): a verified answer
 * bound to a request is a trusted time sample; a clock that disagrees beyond the skew takes no payment,
 * and an approval is never dropped because of the terminal's clock (charged, nothing released).
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../hal/portable/manual-clock';
import { MemoryStorage } from '../../../hal/portable/memory-storage';
import { ClockTrust } from '../../../src/terminal/clock-trust';
import { createTerminal, type Terminal } from '../../../src/terminal/terminal';
import { bench, MemoryAuthorizer, prefixChecker, testConfig, type Bench } from '../../support/terminal-fixture';

const coffee = { amount: 450, currency: 'EUR', purpose: 'counter-sale' as const, reference: 'order-1' };
const trueTime = Date.UTC(2026, 10, 25, 9, 0, 0);
const day = 86_400_000;

async function pay(b: Bench, terminal: Terminal, code = 'GOOD-1') {
  const pending = terminal.charge(coffee);
  terminal.present(code);
  for (let i = 0; i < 50; i++) await b.clock.advanceAsync(100);
  return pending;
}

/** A board whose own clock reads `offset` ms off, talking to an authorizer whose clock is right. */
function skewedBench(offset: number, earlier?: Bench) {
  const authorizer = earlier ? earlier.authorizer : new MemoryAuthorizer(new ManualClock({ wallTime: trueTime }));
  const b = bench(earlier ? earlier.storage : new MemoryStorage(), new ManualClock({ wallTime: trueTime + offset }), authorizer);
  return { b };
}

describe('ClockTrust', () => {
  it('learns the authorizer time from a bound answer and refuses a wall clock that leaves it', () => {
    const clock = new ManualClock({ wallTime: trueTime });
    const trust = new ClockTrust(clock, 120_000);
    expect(trust.check()).toEqual({ ok: true });
    expect(trust.trustedNow()).toBeUndefined();
    const sentAt = clock.monotonic();
    clock.advance(400); // the round trip
    expect(trust.observe(trueTime + 200, sentAt)).toEqual({ ok: true });
    expect(trust.trustedNow()).toBe(trueTime + 400);
    clock.setWallTime(clock.now() + 3 * day); // days fast (a bad SNTP answer, a drifting RTC)
    const refused = trust.check();
    expect(refused).toMatchObject({ ok: false, reason: 'clock-skew' });
    expect(refused.ok ? 0 : refused.authorizerTime).toBe(trueTime + 400);
    clock.setWallTime(trueTime + 400 + 119_000); // within the skew (plus the sample's own uncertainty)
    expect(trust.check()).toEqual({ ok: true });
  });

  it('a clock before a time the authorizer signed is wrong, sample or not', () => {
    const clock = new ManualClock({ wallTime: 0 }); // a board that booted without SNTP: 1970
    const trust = new ClockTrust(clock, 120_000);
    trust.notBefore(trueTime);
    expect(trust.check()).toMatchObject({ ok: false, reason: 'clock-skew', authorizerTime: trueTime });
    clock.setWallTime(trueTime + day);
    expect(trust.check()).toEqual({ ok: true }); // later than the floor: nothing known against it
  });

  it('carries the sample on the monotonic clock, allowing for drift', () => {
    const clock = new ManualClock({ wallTime: trueTime });
    const trust = new ClockTrust(clock, 1000);
    trust.observe(trueTime, clock.monotonic());
    clock.advance(day); // a day later: 100 ppm is 8.6 s of doubt
    clock.setWallTime(clock.now() + 9000);
    expect(trust.check()).toEqual({ ok: true });
    clock.setWallTime(clock.now() + 2000);
    expect(trust.check().ok).toBe(false);
  });
});

describe('terminal: clock skew', () => {
  it('a clock found days fast after enrolling: the next charge is declined without a request, until the clock is set', async () => {
    const { b } = skewedBench(0);
    const terminal = createTerminal({ hal: b.hal, config: testConfig, codes: prefixChecker });
    await terminal.start();
    const skews: { authorizerTime: number }[] = [];
    terminal.on('clock-skew', (e) => skews.push(e));
    b.clock.setWallTime(b.clock.now() + 3 * day);
    const declined = await pay(b, terminal);
    expect(declined).toMatchObject({ outcome: 'declined', reason: 'clock-skew', source: 'terminal', actuated: false });
    expect(b.authorizer.received).toHaveLength(0); // nothing forwarded, nothing charged
    expect(Math.abs(skews[0].authorizerTime - (b.clock.now() - 3 * day))).toBeLessThan(10_000);
    b.clock.setWallTime(skews[0].authorizerTime + 5000); // the host sets the clock from the trusted time
    expect(await pay(b, terminal, 'GOOD-2')).toMatchObject({ outcome: 'approved', actuated: true });
  });

  it('a clock days fast from a reboot (no sample yet): the approval is acted on, not dropped as stale; then no more payments', async () => {
    const first = skewedBench(0);
    await createTerminal({ hal: first.b.hal, config: testConfig, codes: prefixChecker }).start();
    const { b } = skewedBench(3 * day, first.b);
    const terminal = createTerminal({ hal: b.hal, config: testConfig, codes: prefixChecker });
    await terminal.start(); // the stored enrollment: verified, but says nothing about the present
    const paid = await pay(b, terminal);
    // The authorizer approved (and captured): the goods move. Money and goods agree.
    expect(paid).toMatchObject({ outcome: 'approved', source: 'authorizer', actuated: true });
    expect(b.authorizer.decided).toHaveLength(1);
    expect(b.actuator.holds).toHaveLength(1);
    const next = await pay(b, terminal, 'GOOD-2');
    expect(next).toMatchObject({ outcome: 'declined', reason: 'clock-skew' });
    expect(b.authorizer.received).toHaveLength(1);
  });

  it('a clock reset to 1970 after a reboot is refused before it judges a code', async () => {
    const first = skewedBench(0);
    await createTerminal({ hal: first.b.hal, config: testConfig, codes: prefixChecker }).start();
    const { b } = skewedBench(-trueTime, first.b);
    const terminal = createTerminal({ hal: b.hal, config: testConfig, codes: prefixChecker });
    await terminal.start();
    expect(await pay(b, terminal)).toMatchObject({ outcome: 'declined', reason: 'clock-skew' });
    expect(b.authorizer.received).toHaveLength(0);
  });
});
