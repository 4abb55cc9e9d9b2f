/**
 * Issue 14 item 4, decision-key rotation, on the core with the portable HAL (Node and XS): the terminal follows a
 * rotation signed by its current key, stores it in one write, re-verifies it at boot, and refuses what does not
 * chain from the key it trusts; an attacker gains nothing from a rotation signed by another key, an old rotation
 * replayed, or a captured one shown to another authorizer's terminal.
 */
import { describe, expect, it } from 'vitest';
import { HalError } from '../../../hal/errors';
import { encode } from '../../../src/codec/cbor';
import { MemoryStorage } from '../../../hal/portable/memory-storage';
import { keyThumbprint, readKeyRotation, signKeyRotation, verifyKeyRotation } from '../../../src/authorization/key-rotation';
import { verifyDecision } from '../../../src/authorization/decision';
import { createTerminal, type Terminal } from '../../../src/terminal/terminal';
import type { Decision } from '../../../src/terminal/decision';
import { decisionKeysStorageKey, previousKeyOverlap } from '../../../src/terminal/decision-keys';
import { TerminalError } from '../../../src/terminal/errors';
import { cutAfter } from '../../support/power-cut-storage';
import { bench, edSigner, MemoryAuthorizer, prefixChecker, testConfig, type Bench, untilSettled } from '../../support/terminal-fixture';

const coffee = { amount: 450, currency: 'EUR', purpose: 'counter-sale' as const, reference: 'order-1' };
const first = edSigner('authorizer'); // the MemoryAuthorizer's key, generation 1
const second = edSigner('authorizer generation 2');
const third = edSigner('authorizer generation 3');
const rogue = edSigner('rogue authorizer');
const pinned = { ...testConfig, trustOnFirstUse: false, authorizerKey: first.publicKey };

async function started(b: Bench): Promise<Terminal> {
  const terminal = createTerminal({ hal: b.hal, config: pinned, codes: prefixChecker });
  await untilSettled(b.clock, terminal.start());
  return terminal;
}

async function pay(b: Bench, terminal: Terminal): Promise<Decision> {
  const pending = terminal.charge(coffee);
  expect(terminal.present('GOOD-1')).toBe(true);
  return untilSettled(b.clock, pending);
}

const stored = (b: Bench) => b.storage.open({ path: 'qrpay' }).read(decisionKeysStorageKey);

describe('terminal: decision-key rotation', () => {
  it('follows a rotation signed by its key and pays approved under the new key, also after a reboot', async () => {
    const b = bench();
    const terminal = await started(b);
    b.authorizer.rotate(second);
    expect((await terminal.refreshLists()).keys).toMatchObject({ ok: true, generation: 2, applied: 1 });
    const paid = await pay(b, terminal);
    expect(paid).toMatchObject({ outcome: 'approved', source: 'authorizer', actuated: true });
    // Signed by the new key, and by nothing else the terminal knew.
    expect(verifyDecision(paid.signed!, { authorizer: second.publicKey, requestHash: paid.requestHash!, terminalId: 'T-TEST-1', trace: paid.trace!, now: 0, maxSkew: Number.MAX_SAFE_INTEGER }).ok).toBe(true);
    expect(verifyDecision(paid.signed!, { authorizer: first.publicKey, requestHash: paid.requestHash!, terminalId: 'T-TEST-1', trace: paid.trace!, now: 0, maxSkew: Number.MAX_SAFE_INTEGER })).toMatchObject({ ok: false, problem: 'bad-signature' });

    // A reboot with no network: the stored chain is verified from the enrollment's key and the new key holds.
    const rebooted = bench(b.storage, b.clock, b.authorizer);
    rebooted.hal.http = { request: () => Promise.reject(new HalError('unreachable', 'no network')) };
    const again = createTerminal({ hal: rebooted.hal, config: pinned, codes: prefixChecker });
    const identity = await untilSettled(rebooted.clock, again.start());
    expect(identity.decisionKeys.current).toMatchObject({ generation: 2, key: second.publicKey });
  });

  it('a terminal offline through two rotations learns them at boot, and one that missed them learns from the answer it could not verify', async () => {
    const b = bench();
    const terminal = await started(b);
    b.authorizer.rotate(second);
    b.authorizer.rotate(third);
    // Still at generation 1, it cannot verify what the authorizer now signs: no answer, the request reversed...
    const missed = await pay(b, terminal);
    expect(missed).toMatchObject({ outcome: 'no-answer', reason: 'bad-signature', actuated: false, reversal: { state: 'queued' } });
    // ...and that sent it for the rotations: the reversal's acknowledgement (signed by generation 3) now verifies.
    expect(terminal.identity!.decisionKeys.current.generation).toBe(3);
    expect(await untilSettled(b.clock, terminal.settle())).toBe(0);
    expect(await pay(b, terminal)).toMatchObject({ outcome: 'approved', actuated: true });

    // Another terminal, off while both rotations happened, learns them when it boots.
    const late = bench(undefined, b.clock, new MemoryAuthorizer(b.clock));
    const lateTerminal = await started(late);
    late.authorizer.rotate(second);
    late.authorizer.rotate(third);
    const rebooted = bench(late.storage, late.clock, late.authorizer);
    const booted = await started(rebooted);
    expect(booted.identity!.decisionKeys.current.generation).toBe(3);
    expect(await pay(rebooted, booted)).toMatchObject({ outcome: 'approved' });
    expect(lateTerminal.identity!.decisionKeys.current.generation).toBe(1); // the instance before the reboot never asked
  });

  it('a new terminal pinned to the first key enrolls after rotations through the chain in the answer; a forged chain is refused', async () => {
    const b = bench();
    b.authorizer.rotate(second);
    b.authorizer.rotate(third);
    const terminal = await started(b);
    expect(terminal.identity!.decisionKeys.current.generation).toBe(3);
    expect(await pay(b, terminal)).toMatchObject({ outcome: 'approved' });
    // The boot check follows the chain again.
    const rebooted = bench(b.storage, b.clock, b.authorizer);
    expect((await started(rebooted)).identity!.decisionKeys.current.generation).toBe(3);

    // A rogue authorizer with a "chain" of its own making: the first link is not signed by the pinned key.
    const r = bench();
    r.authorizer.key = rogue;
    r.authorizer.rotate(third);
    const refused = createTerminal({ hal: r.hal, config: pinned, codes: prefixChecker });
    await expect(untilSettled(r.clock, refused.start())).rejects.toMatchObject({ kind: 'enrollment-failed' });
    expect(r.storage.open({ path: 'qrpay' }).read('enrollment')).toBeUndefined();
  });

  it('refuses a rotation signed by any other key: a typed reason, nothing stored, answers under its key refused', async () => {
    const b = bench();
    const terminal = await started(b);
    const forged = signKeyRotation({ key: rogue.publicKey, kid: keyThumbprint(rogue.publicKey), generation: 2, from: b.clock.now(), issuedAt: b.clock.now() }, rogue);
    b.authorizer.rotations.push(forged);
    expect((await terminal.refreshLists()).keys).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(stored(b)).toBeUndefined();
    expect(terminal.identity!.decisionKeys.current).toMatchObject({ generation: 1, key: first.publicKey });
    b.authorizer.key = rogue; // the attacker answers in the authorizer's place
    expect(await pay(b, terminal)).toMatchObject({ outcome: 'no-answer', reason: 'bad-signature', actuated: false });
    expect(b.actuator.holds).toHaveLength(0);
    // Garbage in the list is garbled, and changes nothing either.
    b.authorizer.rotations.splice(0, 1, Uint8Array.of(0xd2, 0x84));
    expect((await terminal.refreshLists()).keys).toMatchObject({ ok: false, reason: 'garbled' });
    expect(stored(b)).toBeUndefined();
  });

  it('a replayed old rotation cannot roll the key back, and the old key is refused once the overlap ends', async () => {
    const b = bench();
    const terminal = await started(b);
    const toSecond = b.authorizer.rotate(second);
    b.authorizer.rotate(third);
    expect((await terminal.refreshLists()).keys).toMatchObject({ ok: true, generation: 3, applied: 2 });
    const chain = stored(b);
    // The attacker serves the first rotation alone, again and again.
    b.authorizer.rotations.splice(0, 2, toSecond);
    expect((await terminal.refreshLists()).keys).toMatchObject({ ok: false, reason: 'not-newer' });
    expect(stored(b)).toEqual(chain);
    expect(verifyKeyRotation(toSecond, terminal.identity!.decisionKeys.current)).toMatchObject({ ok: false, problem: 'old' });
    // A rotation "to generation 4" signed by generation 2, a key the terminal has moved past: refused.
    const stale = signKeyRotation({ key: rogue.publicKey, kid: keyThumbprint(rogue.publicKey), generation: 4, from: b.clock.now(), issuedAt: b.clock.now() }, second);
    b.authorizer.rotations.push(stale);
    expect((await terminal.refreshLists()).keys).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(stored(b)).toEqual(chain);

    // Within the overlap an answer by the previous key (generation 2) still counts; after it, it does not.
    b.authorizer.key = second;
    expect(await pay(b, terminal)).toMatchObject({ outcome: 'approved' });
    b.clock.advance(previousKeyOverlap);
    expect(await pay(b, terminal)).toMatchObject({ outcome: 'no-answer', reason: 'bad-signature' });
    b.authorizer.key = first;
    expect(await pay(b, terminal)).toMatchObject({ outcome: 'no-answer', reason: 'bad-signature' });
  });

  it('a captured rotation gives a stranger nothing: another authorizer\'s terminal refuses it, and it is no decision', async () => {
    const ours = bench();
    const rotation = ours.authorizer.rotate(second);
    const theirs = bench();
    theirs.authorizer.key = rogue;
    const terminal = createTerminal({ hal: theirs.hal, config: { ...testConfig, trustOnFirstUse: false, authorizerKey: rogue.publicKey }, codes: prefixChecker });
    await untilSettled(theirs.clock, terminal.start());
    theirs.authorizer.rotations.push(rotation);
    expect((await terminal.refreshLists()).keys).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(theirs.storage.open({ path: 'qrpay' }).read(decisionKeysStorageKey)).toBeUndefined();
    // It holds a public key and dates, nothing secret; and it cannot pass for any answer (its content type is its own).
    expect(readKeyRotation(rotation)).toMatchObject({ key: second.publicKey, generation: 2 });
    expect(verifyDecision(rotation, { authorizer: first.publicKey, requestHash: new Uint8Array(32), terminalId: 'T-TEST-1', trace: 1, now: 0, maxSkew: 1 })).toMatchObject({ ok: false, problem: 'garbled' });
  });

  it('a power cut at the write of the new chain leaves the old key or the new one, never none', async () => {
    for (const cut of [true, false]) {
      const flash = new MemoryStorage();
      const power = cutAfter(flash);
      const b = bench(power.storage);
      const terminal = await started(b);
      b.authorizer.rotate(second);
      if (cut) power.arm(1); // the chain's write is the first of the refresh
      const keys = (await terminal.refreshLists()).keys;
      expect(keys).toMatchObject(cut ? { ok: false, reason: 'storage' } : { ok: true, generation: 2 });
      // The running terminal did not move to a key it could not store.
      expect(terminal.identity!.decisionKeys.current.generation).toBe(cut ? 1 : 2);
      // Power back, no network: the flash holds a chain that verifies, old or new.
      const rebooted = bench(flash, b.clock, b.authorizer);
      b.authorizer.unreachable = true;
      const again = createTerminal({ hal: rebooted.hal, config: pinned, codes: prefixChecker });
      expect((await untilSettled(b.clock, again.start())).decisionKeys.current.generation).toBe(cut ? 1 : 2);
      // Back online, the old one learns it.
      b.authorizer.unreachable = false;
      expect((await again.refreshLists()).keys).toMatchObject(cut ? { ok: true, generation: 2 } : { ok: false, reason: 'not-newer' });
    }
  });

  it('stops at boot when the stored chain was altered, rather than trust it', async () => {
    const b = bench();
    const terminal = await started(b);
    b.authorizer.rotate(second);
    await terminal.refreshLists();
    const forged = signKeyRotation({ key: rogue.publicKey, kid: keyThumbprint(rogue.publicKey), generation: 2, from: 0, issuedAt: 0 }, rogue);
    b.storage.open({ path: 'qrpay' }).write(decisionKeysStorageKey, encode([forged]));
    const rebooted = bench(b.storage, b.clock, b.authorizer);
    const error = await createTerminal({ hal: rebooted.hal, config: pinned, codes: prefixChecker }).start().then(() => undefined, (e: unknown) => e);
    expect(error).toBeInstanceOf(TerminalError);
    expect(error).toMatchObject({ kind: 'storage' });
    expect((error as Error).message).toMatch(/stored decision keys do not verify \(bad-signature/);
    b.storage.open({ path: 'qrpay' }).write(decisionKeysStorageKey, Uint8Array.of(0x81));
    const damaged = await createTerminal({ hal: bench(b.storage, b.clock, b.authorizer).hal, config: pinned, codes: prefixChecker }).start().then(() => undefined, (e: unknown) => e);
    expect(damaged).toMatchObject({ kind: 'storage' });
  });
});
