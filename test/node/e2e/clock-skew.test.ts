/**
 * Issue 11, "clock skew", against the real authorizer on loopback: a terminal whose clock runs fast must never
 * leave a customer charged with nothing released. Before: a terminal days fast saw its lists as expired and
 * forwarded codes unchecked; one ~2 minutes fast (beyond the decision skew) dropped the authorizer's approval
 * as stale. Now: expired lists are declined with a refresh; a bound approval is acted on whatever its time; a
 * clock found wrong takes no payment until it agrees with the authorizer's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../../hal/clock';
import { createSimulatorHal, type SimulatorHal } from '../../../boards/simulator/hal';
import { SystemClock } from '../../../hal/sim/system-clock';
import { nodeEntropy } from '../../../hal/sim/entropy';
import { createTerminal, type Terminal } from '../../../src/terminal/terminal';
import { issueCredential, makePaymentCode } from '../../../tools/wallet/wallet';
import { coffee, fastRetry, journal, startWorld, type World } from '../../support/e2e-world';

/** The host's clock, off by `offset` ms (a drifting RTC, a bad SNTP answer); monotonic time unaffected. */
class OffsetClock implements Clock {
  offset = 0;
  readonly #inner = new SystemClock({ unref: true });
  now(): number { return this.#inner.now() + this.offset; }
  monotonic(): number { return this.#inner.monotonic(); }
  setTimer(callback: () => void, ms: number) { return this.#inner.setTimer(callback, ms); }
  clearTimer(id: number): void { this.#inner.clearTimer(id); }
}

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

async function boot(name: string, clock: OffsetClock): Promise<{ terminal: Terminal; hal: SimulatorHal; relay: () => number }> {
  const hal = createSimulatorHal({ dataDirectory: world.dir(name), quiet: true, clock });
  const terminal = createTerminal({
    hal,
    config: { authorizerUrl: world.authorizer.url, firmware: '0.1.0-e2e', device: { model: 'qrpay-sim', serial: name, board: 'simulator' }, retry: fastRetry, actuation: { kind: 'hold', ms: 20 }, authorizerKey: world.authorizer.decisionKey },
  });
  let fired = 0;
  terminal.on('actuated', () => fired++);
  await terminal.start();
  return { terminal, hal, relay: () => fired };
}

/** Every approval the authorizer journaled for this terminal was released at the terminal, and nothing else was. */
function approvals(terminalId: string): number {
  return journal(world).filter((row) => row.terminal_id === terminalId && row.outcome === 'approved' && row.retry_of === null).length;
}

/** Starts a charge and shows the code if the terminal asks for one (a terminal refusing its clock does not). */
function pay(terminal: Terminal, code: string) {
  const pending = terminal.charge(coffee);
  terminal.present(code);
  return pending;
}

const longCode = () => makePaymentCode(world.wallet.credential, world.wallet.device, { clock: new SystemClock({ unref: true }), entropy: nodeEntropy, lifetimeSeconds: 120 }).text;

describe('e2e: a terminal whose clock runs fast', () => {
  it('days fast after enrolling: declined on the terminal, nothing forwarded, until the clock is set from the trusted time', async () => {
    const clock = new OffsetClock();
    const { terminal, hal, relay } = await boot('days-fast', clock);
    try {
      const id = terminal.identity!.terminalId;
      expect((await pay(terminal, world.wallet.code())).outcome).toBe('approved');
      const skews: { authorizerTime: number }[] = [];
      terminal.on('clock-skew', (e) => skews.push(e));
      clock.offset = 3 * 86_400_000;
      const before = journal(world).length;
      expect(await pay(terminal, world.wallet.code())).toMatchObject({ outcome: 'declined', reason: 'clock-skew', actuated: false });
      expect(journal(world).length).toBe(before);
      expect(Math.abs(skews[0].authorizerTime - Date.now())).toBeLessThan(5000);
      clock.offset = skews[0].authorizerTime - Date.now(); // the host sets its clock from the authorizer's
      expect((await pay(terminal, world.wallet.code())).outcome).toBe('approved');
      expect(relay()).toBe(approvals(id));
    } finally {
      hal.shutdown();
    }
  });

  it('8 days fast from a reboot: the lists look expired, so the code is declined and the lists refreshed, never forwarded unchecked', async () => {
    const clock = new OffsetClock();
    const first = await boot('reboot-days-fast', clock);
    first.hal.shutdown();
    clock.offset = 8 * 86_400_000; // past the lists' 7 days, within this credential's 30
    const { terminal, hal, relay } = await boot('reboot-days-fast', clock);
    const now = Math.floor(Date.now() / 1000);
    const device = world.wallet.device;
    const credential = issueCredential(world.wallet.issuer, { device: { alg: 'ES256', publicKey: device.publicKey }, notBefore: now - 60, expiresAt: now + 30 * 86400 }, nodeEntropy);
    const code = makePaymentCode(credential, device, { clock, entropy: nodeEntropy }).text; // the phone's clock is as fast
    const listRequests: string[] = [];
    const request = hal.http.request.bind(hal.http);
    hal.http.request = (r) => {
      if (r.method === 'GET') listRequests.push(r.url);
      return request(r);
    };
    try {
      const before = journal(world).length;
      const checked: string[] = [];
      terminal.on('code-checked', (e) => checked.push(e.verdict.reason ?? e.verdict.status));
      const decision = await pay(terminal, code);
      expect(decision).toMatchObject({ outcome: 'declined', reason: 'trust-list-expired', source: 'terminal', actuated: false });
      expect(checked).toEqual(['trust-list-expired']);
      expect(listRequests.map((url) => url.slice(url.lastIndexOf('/')))).toEqual(['/trust-list', '/deny-list']); // refreshed
      expect(journal(world).length).toBe(before); // no authorization request
      expect(relay()).toBe(0);
    } finally {
      hal.shutdown();
    }
  });

  it('130 s fast from a reboot (past the 120 s skew, codes still pass): the approval is released, then the clock is refused', async () => {
    const clock = new OffsetClock();
    const first = await boot('reboot-minutes-fast', clock);
    first.hal.shutdown();
    clock.offset = 130_000;
    const { terminal, hal, relay } = await boot('reboot-minutes-fast', clock);
    try {
      const id = terminal.identity!.terminalId;
      const paid = await pay(terminal, longCode());
      expect(paid).toMatchObject({ outcome: 'approved', source: 'authorizer', actuated: true }); // before: no-answer (stale), yet captured
      expect(relay()).toBe(approvals(id));
      expect(relay()).toBe(1);
      expect(await pay(terminal, longCode())).toMatchObject({ outcome: 'declined', reason: 'clock-skew' });
      expect(relay()).toBe(approvals(id));
    } finally {
      hal.shutdown();
    }
  });
});
