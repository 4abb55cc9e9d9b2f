/**
 * A small, deterministic world for payment-code tests (portable: runs on XS):
 * fixed keys for the operator, an issuer and a device, a settable clock, a
 * counter-based entropy source, in-memory storage, and a verifier wired to them.
 */
import type { Clock } from '../../../hal/clock';
import type { Entropy } from '../../../hal/entropy';
import type { KeyValueStore } from '../../../hal/storage';
import { HalError } from '../../../hal/errors';
import { MemoryStorage } from '../../../hal/portable/memory-storage';
import { hexToBytes } from '@noble/hashes/utils.js';
import type { CoseAlgName } from '../../../src/cose/sign1';
import { DenyList, PaymentCodeVerifier, ReplayCache, TrustStore, type VerifierOptions } from '../../../src/paycode';
import {
  issueCredential, keyPairFromSecret, signDenyList, signTrustList, type IssuedCredential, type IssuerKey, type KeyPair,
} from '../../../tools/wallet/wallet';

/** 2026-01-01T00:00:00Z */
export const epoch = 1767225600;

export const secrets = {
  operator: '6f70657261746f72206f70657261746f72206f70657261746f72206f70657201',
  issuer: '69737375657220697373756572206973737565722069737375657220697373e1',
  device: '646576696365206465766963652064657669636520646576696365206465d1ce',
  otherIssuer: '6f746865722069737375657220202020202020202020202020202020202020e2',
  otherDevice: '6f74686572206465766963652020202020202020202020202020202020202002',
};

export class TestClock implements Clock {
  constructor(public ms: number) {}
  now(): number { return this.ms; }
  monotonic(): number { return this.ms; }
  setTimer(): number { throw new Error('TestClock has no timers'); }
  clearTimer(): void {}
  set(seconds: number): void { this.ms = seconds * 1000; }
}

/** Deterministic "entropy": successive bytes of a counter, so every code gets a fresh id. */
export class CounterEntropy implements Entropy {
  private next = 0;
  constructor(private readonly seed = 0) {}
  fill(bytes: Uint8Array): Uint8Array {
    for (let i = 0; i < bytes.length; i++) bytes[i] = (this.seed + this.next++) & 0xff;
    return bytes;
  }
}

/** One byte string stands for "whatever entropy gives": returns exactly `bytes`. */
export function fixedEntropy(bytes: Uint8Array): Entropy {
  return { fill: (out) => { out.set(bytes.subarray(0, out.length)); return out; } };
}

/** The HAL's in-memory storage (NVS key rules enforced), with writes that can be made to fail. */
export class MemoryStore implements KeyValueStore {
  private readonly inner: KeyValueStore = new MemoryStorage().open({ path: 'paycode', mode: 'r+' });
  failWrites = false;
  read(key: string): Uint8Array | undefined { return this.inner.read(key); }
  write(key: string, value: Uint8Array): void {
    if (this.failWrites) throw new HalError('io', 'simulated write failure');
    this.inner.write(key, value);
  }
  delete(key: string): void { this.inner.delete(key); }
  keys(): string[] { return this.inner.keys(); }
  close(): void { this.inner.close(); }
}

export interface World {
  alg: CoseAlgName;
  clock: TestClock;
  storage: MemoryStore;
  operator: KeyPair;
  issuer: IssuerKey;
  device: KeyPair;
  credential: IssuedCredential;
  trustList: Uint8Array;
  denyList: Uint8Array;
  trustStore: TrustStore;
  deny: DenyList;
  replay: ReplayCache;
  verifier: PaymentCodeVerifier;
}

export const issuerKid = hexToBytes('a1b2');
export const account = hexToBytes('0a0b0c0d0e0f');
export const credentialId = hexToBytes('c0000001');

export function makeCredential(alg: CoseAlgName, issuer: IssuerKey, device: KeyPair): IssuedCredential {
  return issueCredential(issuer, {
    device: { alg: device.alg, publicKey: device.publicKey },
    account,
    credentialId,
    notBefore: epoch,
    expiresAt: epoch + 365 * 86400,
    limits: { perPaymentCap: 50000, offlineAllowed: true },
  }, fixedEntropy(new Uint8Array(0)));
}

export function makeWorld(alg: CoseAlgName, options: Partial<VerifierOptions> = {}): World {
  const clock = new TestClock((epoch + 60) * 1000);
  const storage = new MemoryStore();
  const operator = keyPairFromSecret(alg, hexToBytes(secrets.operator));
  const issuer: IssuerKey = { ...keyPairFromSecret(alg, hexToBytes(secrets.issuer)), kid: issuerKid };
  const device = keyPairFromSecret(alg, hexToBytes(secrets.device));
  const credential = makeCredential(alg, issuer, device);
  const trustList = signTrustList(operator, { version: 1, issuedAt: epoch, expiresAt: epoch + 30 * 86400, issuers: [issuer] });
  const denyList = signDenyList(operator, { version: 1, issuedAt: epoch, expiresAt: epoch + 86400 });
  const root = { alg: operator.alg, publicKey: operator.publicKey };
  const trustStore = new TrustStore({ root, storage });
  const deny = new DenyList({ root, storage });
  const replay = new ReplayCache({ storage, capacity: 8 });
  const installedTrust = trustStore.install(trustList, epoch + 60);
  const installedDeny = deny.install(denyList, epoch + 60);
  if (!installedTrust.ok || !installedDeny.ok) throw new Error('world: lists did not install');
  const verifier = new PaymentCodeVerifier({ clock, trustStore, denyList: deny, replayCache: replay, ...options });
  return { alg, clock, storage, operator, issuer, device, credential, trustList, denyList, trustStore, deny, replay, verifier };
}
