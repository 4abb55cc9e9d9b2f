/**
 * The verifier prepares the device keys of the customers who just paid, in idle time (`prepareRecent`, issue #16):
 * their next codes verify through the key's table. A speed-up only: a forged or altered code is refused exactly as
 * before, only a key whose code was accepted is ever prepared (a forger cannot fill the set), ES256 and EdDSA keys
 * alike, and a verifier given its own check (the authorizer's) prepares nothing. On Node and XS.
 */
import { describe, expect, it } from 'vitest';
import { makePaymentCode, keyPairFromSecret } from '../../../tools/wallet/wallet';
import { CounterEntropy, makeWorld, type World } from './world';
import { verify } from '../../../src/crypto/verify';

let counter = 0;
const codeFor = (world: World, device = world.device) =>
  makePaymentCode(world.credential, device, { clock: world.clock, entropy: new CounterEntropy(++counter) }).text;


describe('prepared device keys', () => {
  for (const alg of ['ES256', 'EdDSA'] as const) it(`prepares the key of an accepted ${alg} code once, and its next codes verify, a forged one still refused`, () => {
    const world = makeWorld(alg);
    const thief = keyPairFromSecret(alg, new Uint8Array(32).fill(0x42));
    expect(world.verifier.prepareRecent()).toBe(0);
    expect(world.verifier.verify(codeFor(world))).toMatchObject({ ok: true });
    expect(world.verifier.prepareRecent()).toBe(1);
    expect(world.verifier.prepareRecent()).toBe(0);
    expect(world.verifier.verify(codeFor(world))).toMatchObject({ ok: true, credentialCached: true });
    expect(world.verifier.prepareRecent()).toBe(0); // already prepared: not again
    // The customer's credential with a code signed by another phone: refused through the prepared key too.
    expect(world.verifier.verify(codeFor(world, thief))).toMatchObject({ ok: false, reason: 'bad-code-signature' });
  });

  it('prepares nothing for a refused code: a wrong device key (a stolen credential with another phone)', () => {
    const world = makeWorld('ES256');
    const thief = keyPairFromSecret('ES256', new Uint8Array(32).fill(0x42));
    expect(world.verifier.verify(codeFor(world, thief))).toMatchObject({ ok: false, reason: 'bad-code-signature' });
    expect(world.verifier.prepareRecent()).toBe(0);
  });

  it('prepares nothing when the verifier was given its own check', () => {
    const own = makeWorld('ES256', { verify });
    expect(own.verifier.verify(codeFor(own))).toMatchObject({ ok: true });
    expect(own.verifier.prepareRecent()).toBe(0);
  });
});
