/**
 * Trust list and deny list installation (signed, versioned, expiring,
 * newer-only, persisted), the replay cache across a reboot, and the
 * verified-credential cache.
 */
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '@noble/hashes/utils.js';
import { MemoryStorage } from '../../../hal/portable/memory-storage';
import {
  DenyList, openPaycodeTerminal, PaymentCodeVerifier, ReplayCache, TrustStore, replaySlotPrefix, trustListStorageKey,
} from '../../../src/paycode';
import { SoftwareKeystore } from '../../../hal/portable/software-keystore';
import {
  issueCredential, keyPairFromSecret, keystoreSigner, makePaymentCode, signDenyList, signTrustList,
} from '../../../tools/wallet/wallet';
import { CounterEntropy, epoch, makeWorld, MemoryStore, secrets, TestClock } from './world';

const entropy = new CounterEntropy(0x80);
const now = epoch + 60;

describe('trust store', () => {
  const world = makeWorld('EdDSA');
  const root = { alg: world.operator.alg, publicKey: world.operator.publicKey };
  const list = (version: number, expiresAt = epoch + 86400) =>
    signTrustList(world.operator, { version, issuedAt: epoch, expiresAt, issuers: [world.issuer] });

  it('installs only a newer, unexpired list signed by the operator root', () => {
    const store = new TrustStore({ root });
    expect(store.install(list(3), now)).toEqual({ ok: true, version: 3 });
    expect(store.install(list(3), now)).toMatchObject({ ok: false, reason: 'not-newer' });
    expect(store.install(list(2), now)).toMatchObject({ ok: false, reason: 'not-newer' });
    expect(store.install(list(5, now), now)).toMatchObject({ ok: false, reason: 'expired' });
    const impostor = keyPairFromSecret('EdDSA', hexToBytes(secrets.otherIssuer));
    const forged = signTrustList(impostor, { version: 9, issuedAt: epoch, expiresAt: epoch + 86400, issuers: [world.issuer] });
    expect(store.install(forged, now)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(store.install(world.denyList, now)).toMatchObject({ ok: false, reason: 'malformed' }); // a deny list is not a trust list
    expect(store.install(new Uint8Array([1, 2, 3]), now)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(store.install(list(4), now)).toEqual({ ok: true, version: 4 });
    expect(store.version).toBe(4);
  });

  it('survives a reboot and keeps its version floor', () => {
    const storage = new MemoryStore();
    expect(new TrustStore({ root, storage }).install(list(7), now)).toEqual({ ok: true, version: 7 });
    const rebooted = new TrustStore({ root, storage });
    expect(rebooted.version).toBe(undefined);
    expect(rebooted.restore()).toEqual({ ok: true, version: 7 });
    expect(rebooted.issuer(world.issuer.kid, now).ok).toBe(true);
    expect(rebooted.install(list(6), now)).toMatchObject({ ok: false, reason: 'not-newer' });
  });

  it('refuses a persisted list that was tampered with, and an install it cannot persist', () => {
    const storage = new MemoryStore();
    new TrustStore({ root, storage }).install(list(1), now);
    const bytes = storage.read(trustListStorageKey)!;
    bytes[bytes.length - 1] ^= 1;
    storage.write(trustListStorageKey, bytes);
    expect(new TrustStore({ root, storage }).restore()).toMatchObject({ ok: false, reason: 'bad-signature' });
    storage.failWrites = true;
    const store = new TrustStore({ root, storage });
    expect(store.install(list(2), now)).toMatchObject({ ok: false, reason: 'storage' });
    expect(store.version).toBe(undefined);
  });

  it('deny lists follow the same rules', () => {
    const deny = new DenyList({ root });
    expect(deny.check(world.issuer.kid, new Uint8Array(4), new Uint8Array(6), now)).toMatchObject({ ok: false, reason: 'revocation-unknown' });
    expect(deny.install(world.denyList, now)).toEqual({ ok: true, version: 1 });
    expect(deny.install(world.denyList, now)).toMatchObject({ ok: false, reason: 'not-newer' });
    expect(deny.install(world.trustList, now)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(deny.check(world.issuer.kid, new Uint8Array(4), new Uint8Array(6), now)).toEqual({ ok: true });
    const v2 = signDenyList(world.operator, { version: 2, issuedAt: now, expiresAt: now + 10, revokedCredentials: [{ issuerKid: world.issuer.kid, credentialId: new Uint8Array(4) }] });
    expect(deny.install(v2, now)).toEqual({ ok: true, version: 2 });
    expect(deny.check(world.issuer.kid, new Uint8Array(4), new Uint8Array(6), now)).toMatchObject({ ok: false, reason: 'revoked' });
    expect(deny.check(world.issuer.kid, new Uint8Array(4), new Uint8Array(6), now + 10)).toMatchObject({ ok: false, reason: 'revocation-unknown' });
  });
});

describe('replay cache', () => {
  it('refuses a copy after a reboot: entries are persisted and restored', () => {
    const world = makeWorld('EdDSA');
    const code = makePaymentCode(world.credential, world.device, { clock: world.clock, entropy });
    expect(world.verifier.verify(code.text).ok).toBe(true);
    // Reboot: new stores and verifier over the same storage.
    const root = { alg: world.operator.alg, publicKey: world.operator.publicKey };
    const trustStore = new TrustStore({ root, storage: world.storage });
    const denyList = new DenyList({ root, storage: world.storage });
    const replayCache = new ReplayCache({ storage: world.storage, capacity: 8 });
    expect(trustStore.restore()).toEqual({ ok: true, version: 1 });
    expect(denyList.restore()).toEqual({ ok: true, version: 1 });
    expect(replayCache.restore(now)).toBe(1);
    const verifier = new PaymentCodeVerifier({ clock: world.clock, trustStore, denyList, replayCache });
    expect(verifier.verify(code.text)).toMatchObject({ ok: false, reason: 'replayed' });
  });

  it('forgets only what has expired, and reuses its slots', () => {
    const storage = new MemoryStore();
    const cache = new ReplayCache({ storage, capacity: 2 });
    const kid = new Uint8Array([1]);
    const cred = new Uint8Array([2, 2, 2, 2]);
    const cti = (n: number) => new Uint8Array([n, n, n, n, n, n]);
    expect(cache.add(kid, cred, cti(1), 100, 50)).toEqual({ ok: true });
    expect(cache.add(kid, cred, cti(2), 200, 50)).toEqual({ ok: true });
    expect(cache.add(kid, cred, cti(3), 200, 99).ok).toBe(false); // both live
    expect(cache.has(kid, cred, cti(1), 99)).toBe(true);
    expect(cache.add(kid, cred, cti(3), 200, 100)).toEqual({ ok: true }); // cti 1 expired at 100
    expect(cache.has(kid, cred, cti(1), 100)).toBe(false);
    expect(cache.size).toBe(2);
    expect(storage.keys().filter((k) => k.indexOf(replaySlotPrefix) === 0).length).toBe(2);
    const restored = new ReplayCache({ storage, capacity: 2 });
    expect(restored.restore(150)).toBe(2);
    expect(restored.has(kid, cred, cti(2), 150)).toBe(true);
    expect(restored.has(kid, cred, cti(3), 150)).toBe(true);
    expect(new ReplayCache({ storage, capacity: 2 }).restore(200)).toBe(0);
    storage.write(replaySlotPrefix + '1', new Uint8Array([0xff]));
    expect(new ReplayCache({ storage, capacity: 2 }).restore(150)).toBe(1);
  });
});

describe('replay cache bound (C slots, window W: free below C/2 live, then one admission per I = ceil(2 W * 1000 / C) ms)', () => {
  const kid = new Uint8Array([1]);
  const id = (n: number) => new Uint8Array([n >> 8, n & 255, 0, 0]);

  it('at the bound: the fastest flood of genuine codes from many credentials never takes more than C slots, and the honest code I ms later is accepted', () => {
    const clock = new TestClock(1_000_000_000);
    const capacity = 16;
    const cache = new ReplayCache({ capacity, windowSeconds: 180, clock });
    expect(cache.minIntervalMs).toBe(22500);
    const seconds = () => Math.floor(clock.ms / 1000);
    let most = 0;
    let refused = 0;
    // Five windows of a new code every 500 ms, each living the whole window: as fast as anyone could.
    for (let i = 0; i < 5 * 360; i++) {
      const result = cache.add(kid, id(i), id(i), seconds() + 180, seconds());
      if (!result.ok) {
        expect(result.reason).toBe('rate-limited'); // never "replay-unavailable": the slots do not run out
        refused++;
      }
      cache.purge(seconds());
      most = Math.max(most, cache.size);
      clock.ms += 500;
    }
    expect(most).toBeLessThanOrEqual(capacity);
    expect(most).toBeGreaterThanOrEqual(capacity - 1); // the bound is reached, not just respected
    expect(refused).toBeGreaterThan(0);
    // The honest customer, I ms after the attacker's latest accepted code: accepted.
    let waited = 0;
    while (!cache.add(kid, id(4242), id(1), seconds() + 60, seconds()).ok) {
      clock.ms += 100;
      waited += 100;
    }
    expect(waited).toBeLessThanOrEqual(cache.minIntervalMs);
  });

  it('below half full nothing is refused; an entry may not outlive the window; under pressure one credential holds at most perCredential live codes', () => {
    const clock = new TestClock(1_000_000_000);
    const cache = new ReplayCache({ capacity: 4, windowSeconds: 180, clock, perCredential: 2 }); // I = 90 s
    const now = () => Math.floor(clock.ms / 1000);
    expect(cache.add(kid, id(1), id(1), now() + 181, now())).toMatchObject({ ok: false, reason: 'replay-unavailable' });
    expect(cache.add(kid, id(1), id(1), now() + 170, now())).toEqual({ ok: true });
    expect(cache.add(kid, id(1), id(2), now() + 170, now())).toEqual({ ok: true }); // free: below C/2 live
    expect(cache.admission(kid, id(2), now())).toMatchObject({ ok: false, reason: 'rate-limited' }); // 2 live: within I
    clock.ms += 90_000;
    expect(cache.add(kid, id(1), id(3), now() + 60, now())).toMatchObject({ ok: false, reason: 'rate-limited' }); // credential 1 holds 2
    expect(cache.add(kid, id(2), id(3), now() + 60, now())).toEqual({ ok: true }); // someone else is not held back
  });

  it('the spacing holds across a reboot, and a verifier refuses a cache whose window its codes could outlive', () => {
    const clock = new TestClock(1_000_000_000);
    const storage = new MemoryStore();
    const now = () => Math.floor(clock.ms / 1000);
    const first = new ReplayCache({ storage, capacity: 2, windowSeconds: 180, clock }); // I = 180 s
    expect(first.add(kid, id(1), id(1), now() + 60, now())).toEqual({ ok: true });
    const rebooted = new ReplayCache({ storage, capacity: 2, windowSeconds: 180, clock });
    expect(rebooted.restore(now())).toBe(1);
    expect(rebooted.add(kid, id(2), id(2), now() + 60, now())).toMatchObject({ ok: false, reason: 'rate-limited' });
    clock.ms += 180_000;
    expect(rebooted.add(kid, id(2), id(2), now() + 60, now())).toEqual({ ok: true });
    const world = makeWorld('EdDSA');
    const short = new ReplayCache({ capacity: 8, windowSeconds: 60, clock });
    expect(() => new PaymentCodeVerifier({ clock, trustStore: world.trustStore, denyList: world.deny, replayCache: short })).toThrow(RangeError);
  });

  it('the terminal wiring turns the bound on: 256 slots, 180 s, one code per 1407 ms beyond 128 live', () => {
    const world = makeWorld('EdDSA');
    const { replayCache } = openPaycodeTerminal({ storage: new MemoryStorage(), root: { alg: world.operator.alg, publicKey: world.operator.publicKey }, clock: world.clock });
    expect([replayCache.capacity, replayCache.windowSeconds, replayCache.minIntervalMs]).toEqual([256, 180, 1407]);
  });
});

describe('openPaycodeTerminal', () => {
  it('restores lists and accepted codes from the storage HAL at boot', () => {
    const world = makeWorld('EdDSA');
    const storage = new MemoryStorage();
    const root = { alg: world.operator.alg, publicKey: world.operator.publicKey };
    const first = openPaycodeTerminal({ storage, root, clock: world.clock });
    first.trustStore.install(world.trustList, now);
    first.denyList.install(world.denyList, now);
    const code = makePaymentCode(world.credential, world.device, { clock: world.clock, entropy });
    expect(first.verifier.verify(code.text).ok).toBe(true);
    const second = openPaycodeTerminal({ storage, root, clock: world.clock });
    expect(second.restored).toEqual({ trustList: { ok: true, version: 1 }, denyList: { ok: true, version: 1 }, replayEntries: 1 });
    expect(second.verifier.verify(code.text)).toMatchObject({ ok: false, reason: 'replayed' });
  });
});

describe('keystore signing', () => {
  it('a device key held in a HAL keystore signs codes the terminal accepts', () => {
    const world = makeWorld('ES256');
    const keystore = new SoftwareKeystore({ store: new MemoryStorage().open({ path: 'keys' }), entropy });
    keystore.create('device', 'ES256'); // 65-byte uncompressed public key: the credential carries it compressed
    const device = keystoreSigner(keystore, 'device');
    const credential = issueCredential(world.issuer, { device, notBefore: epoch, expiresAt: epoch + 86400 }, entropy);
    const code = makePaymentCode(credential, device, { clock: world.clock, entropy });
    expect(world.verifier.verify(code.text)).toMatchObject({ ok: true, alg: 'ES256', limits: { offlineAllowed: false } });
  });
});

describe('credential cache', () => {
  it('skips the issuer signature for a credential already verified, until the trust list changes', () => {
    const world = makeWorld('EdDSA');
    const next = () => world.verifier.verify(makePaymentCode(world.credential, world.device, { clock: world.clock, entropy }).text);
    expect(next()).toMatchObject({ ok: true, credentialCached: false });
    expect(next()).toMatchObject({ ok: true, credentialCached: true });
    const v2 = signTrustList(world.operator, { version: 2, issuedAt: epoch, expiresAt: epoch + 86400, issuers: [world.issuer] });
    expect(world.trustStore.install(v2, now)).toEqual({ ok: true, version: 2 });
    expect(next()).toMatchObject({ ok: true, credentialCached: false });
    expect(world.verifier.credentialCache.size).toBe(1);
  });
});
