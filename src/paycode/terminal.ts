/**
 * Wiring for a terminal: the trust store, deny list and replay cache share
 * one storage domain of the storage HAL, and are restored from it at boot, so
 * a reboot neither forgets accepted codes nor rolls back the operator lists.
 */
import type { CryptoAccelerator } from '../../hal/crypto';
import type { Storage } from '../../hal/storage';
import type { InstallResult } from './list-store';
import type { OperatorRoot } from './operator-list';
import { DenyList } from './deny-list';
import { ReplayCache } from './replay-cache';
import { TrustStore } from './trust-store';
import { defaultMaxCodeLifetime, defaultSkew, PaymentCodeVerifier, type VerifierOptions } from './verifier';

export const paycodeStorageDomain = 'paycode';

export interface PaycodeTerminalOptions extends Omit<VerifierOptions, 'trustStore' | 'denyList' | 'replayCache'> {
  storage: Storage;
  /** The operator's root public key, provisioned at manufacture. */
  root: OperatorRoot;
  /** Storage domain. Default 'paycode'. */
  domain?: string;
  /** Replay cache slots, C. Default 256 (one code admitted per ceil((L + 2S) * 1000 / C) ms: replay-cache.ts). */
  replayCapacity?: number;
  /** Most live codes one credential may have at this terminal. Default 6. */
  replayPerCredential?: number;
  /** The board's crypto accelerator (hal/crypto.ts), for every signature checked here. */
  crypto?: CryptoAccelerator;
}

export interface PaycodeTerminal {
  verifier: PaymentCodeVerifier;
  trustStore: TrustStore;
  denyList: DenyList;
  replayCache: ReplayCache;
  /** What the boot-time restore found (undefined: nothing persisted yet). */
  restored: { trustList?: InstallResult; denyList?: InstallResult; replayEntries: number };
}

/** Opens (and restores) the payment-code state. Throws the storage HAL's HalError if the domain cannot be opened. */
export function openPaycodeTerminal(options: PaycodeTerminalOptions): PaycodeTerminal {
  const store = options.storage.open({ path: options.domain ?? paycodeStorageDomain, mode: 'r+' });
  const trustStore = new TrustStore({ root: options.root, storage: store, crypto: options.crypto });
  const denyList = new DenyList({ root: options.root, storage: store, verify: trustStore.verifySignature });
  // The window is what the verifier lets an entry live: the longest code lifetime plus the skew on either side.
  const windowSeconds = (options.maxCodeLifetimeSeconds ?? defaultMaxCodeLifetime) + 2 * (options.skewSeconds ?? defaultSkew);
  const replayCache = new ReplayCache({
    storage: store, capacity: options.replayCapacity, clock: options.clock, windowSeconds, perCredential: options.replayPerCredential ?? 6,
  });
  const now = Math.floor(options.clock.now() / 1000);
  const restored = { trustList: trustStore.restore(), denyList: denyList.restore(), replayEntries: replayCache.restore(now) };
  const verifier = new PaymentCodeVerifier({ ...options, trustStore, denyList, replayCache });
  return { verifier, trustStore, denyList, replayCache, restored };
}
