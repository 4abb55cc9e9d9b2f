/**
 * Shared set-up of the payment-code benchmark cases: the deterministic test
 * world (fixed keys, lists installed) and one valid code. Each op verifies
 * that code with a fresh replay cache (else the second op would be a replay);
 * the credential cache is either fresh (cold) or shared and warmed (cached). Installing
 * the trust list prepares the issuer key (crypto/prepared-key.ts) unless `unprepared`.
 */
import { makePaymentCode } from '../../tools/wallet/wallet';
import { CredentialCache, PaymentCodeVerifier, ReplayCache, TrustStore } from '../../src/paycode';
import type { CoseAlgName } from '../../src/cose/sign1';
import { CounterEntropy, makeWorld, type World } from '../../test/core/paycode/world';

export interface State {
  world: World;
  text: string;
  cache: CredentialCache;
  trustStore: TrustStore;
}

/** `warm`: the credential is already in the cache. `unprepared`: the issuer key has no precomputed table. */
export function prepare(alg: CoseAlgName, warm: boolean, unprepared = false): State {
  const world = makeWorld(alg);
  const trustStore = unprepared ? new TrustStore({ root: { alg: world.operator.alg, publicKey: world.operator.publicKey }, prepareIssuerKeys: false }) : world.trustStore;
  if (unprepared && !trustStore.install(world.trustList, Math.floor(world.clock.now() / 1000)).ok) throw new Error('bench trust list did not install');
  const text = makePaymentCode(world.credential, world.device, { clock: world.clock, entropy: new CounterEntropy(7) }).text;
  const state = { world, text, cache: new CredentialCache(), trustStore };
  if (warm && !verifyOnce(state, state.cache)) throw new Error('bench code does not verify');
  return state;
}

export function verifyOnce(state: State, cache: CredentialCache): boolean {
  const { world } = state;
  const verifier = new PaymentCodeVerifier({
    clock: world.clock, trustStore: state.trustStore, denyList: world.deny, replayCache: new ReplayCache({ capacity: 1 }), credentialCache: cache,
  });
  return verifier.verify(state.text).ok;
}

export function opCold(state: State): void {
  if (!verifyOnce(state, new CredentialCache())) throw new Error('cold verification failed');
}

export function opCached(state: State): void {
  if (!verifyOnce(state, state.cache)) throw new Error('cached verification failed');
}

/** A returning customer at one terminal: one verifier kept across codes, the customer's key prepared in idle time after their first code. */
export interface ReturningState {
  verifier: PaymentCodeVerifier;
  texts: string[];
  next: number;
}

export function prepareReturning(alg: CoseAlgName): ReturningState {
  const world = makeWorld(alg);
  const verifier = new PaymentCodeVerifier({ clock: world.clock, trustStore: world.trustStore, denyList: world.deny, replayCache: new ReplayCache({ capacity: 64 }) });
  const texts = Array.from({ length: 16 }, (_, i) => makePaymentCode(world.credential, world.device, { clock: world.clock, entropy: new CounterEntropy(100 + i) }).text);
  if (!verifier.verify(texts[0]).ok) throw new Error('bench code does not verify');
  verifier.prepareRecent(); // what the terminal does once idle after the first payment
  return { verifier, texts, next: 1 };
}

export function opReturning(state: ReturningState): void {
  if (!state.verifier.verify(state.texts[state.next++]).ok) throw new Error('returning verification failed');
}
