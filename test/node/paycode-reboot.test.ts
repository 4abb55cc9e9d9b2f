/**
 * The terminal's payment-code state on the simulator's directory storage:
 * accepted codes and installed operator lists survive a reboot (a new
 * DirectoryStorage over the same folder), and a power cut during the replay
 * write refuses the code instead of accepting one it could forget.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectoryStorage } from '../../hal/sim/directory-storage';
import { openPaycodeTerminal } from '../../src/paycode';
import { makePaymentCode } from '../../tools/wallet/wallet';
import { CounterEntropy, makeWorld } from '../core/paycode/world';

describe('payment-code state across a reboot', () => {
  const world = makeWorld('ES256');
  const root = { alg: world.operator.alg, publicKey: world.operator.publicKey };
  const entropy = new CounterEntropy(3);
  const now = world.clock.ms / 1000;

  it('remembers accepted codes and the installed lists', () => {
    const directory = mkdtempSync(join(tmpdir(), 'qrpay-paycode-'));
    const first = openPaycodeTerminal({ storage: new DirectoryStorage({ directory }), root, clock: world.clock });
    expect(first.restored).toEqual({ trustList: undefined, denyList: undefined, replayEntries: 0 });
    expect(first.trustStore.install(world.trustList, now)).toEqual({ ok: true, version: 1 });
    expect(first.denyList.install(world.denyList, now)).toEqual({ ok: true, version: 1 });
    const code = makePaymentCode(world.credential, world.device, { clock: world.clock, entropy });
    expect(first.verifier.verify(code.text).ok).toBe(true);

    const second = openPaycodeTerminal({ storage: new DirectoryStorage({ directory }), root, clock: world.clock });
    expect(second.restored).toEqual({ trustList: { ok: true, version: 1 }, denyList: { ok: true, version: 1 }, replayEntries: 1 });
    expect(second.verifier.verify(code.text)).toMatchObject({ ok: false, reason: 'replayed' });
    expect(second.trustStore.install(world.trustList, now)).toMatchObject({ ok: false, reason: 'not-newer' });
    const next = makePaymentCode(world.credential, world.device, { clock: world.clock, entropy });
    expect(second.verifier.verify(next.text).ok).toBe(true);
  });

  it('refuses a code whose replay entry a power cut kept from being written', () => {
    const directory = mkdtempSync(join(tmpdir(), 'qrpay-paycode-'));
    const storage = new DirectoryStorage({ directory, powerCut: { atWrite: 3 } });
    const terminal = openPaycodeTerminal({ storage, root, clock: world.clock });
    terminal.trustStore.install(world.trustList, now); // write 1
    terminal.denyList.install(world.denyList, now); // write 2
    const code = makePaymentCode(world.credential, world.device, { clock: world.clock, entropy });
    expect(terminal.verifier.verify(code.text)).toMatchObject({ ok: false, reason: 'replay-unavailable' }); // write 3: cut

    const rebooted = openPaycodeTerminal({ storage: new DirectoryStorage({ directory }), root, clock: world.clock });
    expect(rebooted.restored.replayEntries).toBe(0);
    expect(rebooted.verifier.verify(code.text).ok).toBe(true); // never accepted before, so not a replay
  });
});
