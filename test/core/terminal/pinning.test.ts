/**
 * Issue 11, "the shipped board trusts whoever answers first", on the core with the portable HAL: with the
 * authorizer key pinned, a rogue authorizer cannot enroll the terminal, and a stored enrollment swapped for
 * a rogue-signed one is refused at boot. Trust on first use is only an explicit option.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../../../src/codec/cbor';
import { signEnrollmentAnswer, verifyEnrollmentAnswer } from '../../../src/authorization/enrollment';
import { publicKeyFromText, publicKeyToText } from '../../../src/authorization/signer';
import { enrollmentKey } from '../../../src/terminal/identity';
import { createTerminal } from '../../../src/terminal/terminal';
import { TerminalError } from '../../../src/terminal/errors';
import { MemoryStorage } from '../../../hal/portable/memory-storage';
import { utf8Encode } from '../../../src/codec/utf8';
import { pinnedAuthorizerKey, provisionedAuthorizerKey, provisionedEnrollmentToken, provisioningDomain, provisioningToken } from '../../../src/terminal/provisioning';
import { bench, edSigner, MemoryAuthorizer, prefixChecker, testConfig } from '../../support/terminal-fixture';

const rogue = edSigner('rogue authorizer');

class RogueAuthorizer extends MemoryAuthorizer {
  override readonly key = rogue;
}

/** How `run` fails (TerminalError kind and message), with the manual clock moved along for retries and backoff. */
async function failure(clock: { advanceAsync(ms: number): Promise<number> }, run: () => Promise<unknown>): Promise<string> {
  const pending = run();
  pending.catch(() => undefined);
  for (let i = 0; i < 100; i++) await clock.advanceAsync(100);
  try {
    await pending;
  } catch (error) {
    if (error instanceof TerminalError) return `${error.kind}: ${error.message}`;
    throw error;
  }
  return 'accepted';
}

describe('terminal: the authorizer key pinned', () => {
  const honest = edSigner('authorizer'); // the MemoryAuthorizer's key
  const pinned = { ...testConfig, trustOnFirstUse: false, authorizerKey: honest.publicKey };

  it('a configuration with neither a pinned key nor an explicit trust on first use is refused', () => {
    const b = bench();
    expect(() => createTerminal({ hal: b.hal, config: { ...testConfig, trustOnFirstUse: undefined }, codes: prefixChecker })).toThrow(/pin the authorizer key/);
    expect(() => createTerminal({ hal: b.hal, config: { ...pinned, authorizerKey: { alg: 'ES256', publicKey: new Uint8Array(33) } }, codes: prefixChecker })).toThrow(/not a valid/);
    // A provisioning token is 16 to 64 bytes, a voucher up to 512.
    expect(() => createTerminal({ hal: b.hal, config: { ...pinned, provisioningToken: new Uint8Array(8) }, codes: prefixChecker })).toThrow(/provisioningToken must be 16 to 512 bytes/);
    expect(() => createTerminal({ hal: b.hal, config: { ...pinned, provisioningToken: new Uint8Array(513) }, codes: prefixChecker })).toThrow(/provisioningToken must be 16 to 512 bytes/);
  });

  it('a rogue authorizer answering the enrollment is not believed', async () => {
    const b = bench();
    const rogueAuthorizer = new RogueAuthorizer(b.clock);
    const board = bench(b.storage, b.clock, rogueAuthorizer);
    const terminal = createTerminal({ hal: board.hal, config: pinned, codes: prefixChecker });
    expect(await failure(board.clock, () => terminal.start())).toMatch(/^enrollment-failed: .*untrusted-key/);
    expect(board.storage.open({ path: 'qrpay' }).read(enrollmentKey)).toBeUndefined();
  });

  it('a stored enrollment swapped for a rogue-signed one is refused at boot; with trust on first use it would be believed', async () => {
    const b = bench();
    await createTerminal({ hal: b.hal, config: pinned, codes: prefixChecker }).start();
    const store = b.storage.open({ path: 'qrpay' });
    const [request, answer] = decode(store.read(enrollmentKey)!) as [Uint8Array, Uint8Array];
    const genuine = verifyEnrollmentAnswer(answer, request, honest.publicKey);
    if (!genuine.ok) throw new Error('the stored enrollment should verify');
    // The attacker rewrites the flash: the same request, answered and signed by their own key.
    store.write(enrollmentKey, encode([request, signEnrollmentAnswer({ ...genuine.answer, authorizer: rogue.publicKey }, rogue)]));

    const rebooted = bench(b.storage, b.clock, b.authorizer);
    expect(await failure(rebooted.clock, () => createTerminal({ hal: rebooted.hal, config: pinned, codes: prefixChecker }).start()))
      .toMatch(/^storage: the stored enrollment does not verify \(untrusted-key\)/);
    const tofu = createTerminal({ hal: bench(b.storage, b.clock, b.authorizer).hal, config: { ...testConfig, trustOnFirstUse: true }, codes: prefixChecker });
    expect((await tofu.start()).decisionKeys.current.key.publicKey).toEqual(rogue.publicKey.publicKey); // why a shipped board pins
  });

  it('reads and writes pinned keys as text, refusing keys off the curve', () => {
    const text = publicKeyToText(honest.publicKey);
    expect(text).toMatch(/^EdDSA:[0-9a-f]{64}$/);
    expect(publicKeyFromText(text)).toEqual(honest.publicKey);
    const es = 'ES256:02bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff';
    expect(publicKeyFromText(es)?.publicKey.length).toBe(33);
    expect(publicKeyFromText('ES256:05' + es.slice(8))).toBeUndefined();
    expect(publicKeyFromText('ES256:04' + 'ff'.repeat(64))).toBeUndefined(); // not on the curve
    expect(publicKeyFromText('EdDSA:' + '00'.repeat(31))).toBeUndefined();
    expect(publicKeyFromText('RS256:00')).toBeUndefined();
    expect(publicKeyFromText(undefined)).toBeUndefined();
  });

  it('a board pins the key from its manifest config, else from provisioning, and will not start with neither', () => {
    const storage = new MemoryStorage();
    const text = publicKeyToText(honest.publicKey);
    expect(() => pinnedAuthorizerKey(undefined, storage)).toThrow(/no authorizer key to pin/);
    expect(() => pinnedAuthorizerKey('', storage)).toThrow(/no authorizer key to pin/);
    storage.open({ path: provisioningDomain }).write(provisionedAuthorizerKey, utf8Encode(text)!);
    expect(pinnedAuthorizerKey('', storage)).toEqual(honest.publicKey);
    expect(pinnedAuthorizerKey(publicKeyToText(rogue.publicKey), storage)).toEqual(rogue.publicKey); // the manifest wins
    expect(() => pinnedAuthorizerKey('ES256:00', storage)).toThrow(/not a valid/);
    storage.open({ path: provisioningDomain }).write(provisionedAuthorizerKey, utf8Encode('garbage')!);
    expect(() => pinnedAuthorizerKey(undefined, storage)).toThrow(/provisioned .* not a valid/);
  });

  it('a board takes its provisioning token from its manifest config, else from provisioning, and may have none', () => {
    const storage = new MemoryStorage();
    expect(provisioningToken(undefined, storage)).toBeUndefined();
    storage.open({ path: provisioningDomain }).write(provisionedEnrollmentToken, utf8Encode('11'.repeat(16))!);
    expect(provisioningToken('', storage)).toEqual(new Uint8Array(16).fill(0x11));
    expect(provisioningToken('22'.repeat(16), storage)).toEqual(new Uint8Array(16).fill(0x22)); // the manifest wins
    expect(() => provisioningToken('2222', storage)).toThrow(/manifest config.provisioningToken is not 16 to 512 bytes of hex/);
    storage.open({ path: provisioningDomain }).write(provisionedEnrollmentToken, utf8Encode('zz')!);
    expect(() => provisioningToken(undefined, storage)).toThrow(/provisioned .* not 16 to 512 bytes of hex/);
  });
});
