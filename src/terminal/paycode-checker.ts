/**
 * The terminal's code check, backed by the payment-code verifier
 * (src/paycode): issuer trust list and deny list from the enrollment (both
 * signed by the operator key), a replay cache that survives reboots in the
 * storage HAL. Rejections are declined on the spot, with one exception: an
 * issuer missing from a CURRENT trust list (`unknown-issuer`) may be one added
 * since, so that code goes to the authorizer with the verdict, which knows
 * better. An expired list (`trust-list-expired`, `revocation-unknown`) is
 * never a reason to forward a code unchecked: the terminal declines and
 * refreshes its lists (`refresh`), so the next code is judged on current ones.
 */
import type { Clock } from '../../hal/clock';
import type { CryptoAccelerator } from '../../hal/crypto';
import type { Storage } from '../../hal/storage';
import { unhex } from '../paycode/hex';
import { openPaycodeTerminal } from '../paycode/terminal';
import type { CodeCheck, CodeChecker } from './code-check';
import type { Identity } from './identity';

const deferredReasons = ['unknown-issuer'];
const staleListReasons = ['trust-list-expired', 'revocation-unknown'];

export interface PaycodeCheckerOptions {
  identity: Identity;
  /** The verifier keeps its lists and replay cache in its own domain of this storage. */
  storage: Storage;
  clock: Clock;
  /** Codes remembered against copies (each a small storage write). Default 256. */
  replayCapacity?: number;
  /** The board's crypto accelerator (hal/crypto.ts). */
  crypto?: CryptoAccelerator;
}

export function createPaycodeChecker(options: PaycodeCheckerOptions): CodeChecker {
  const { identity, clock } = options;
  // Restores the lists and the replay cache of earlier boots (they may be newer than the enrollment's).
  const { verifier, trustStore, denyList } = openPaycodeTerminal({
    storage: options.storage,
    clock,
    root: { alg: identity.operator.alg, publicKey: identity.operator.publicKey },
    replayCapacity: options.replayCapacity,
    crypto: options.crypto,
  });
  const now = Math.floor(clock.now() / 1000);
  trustStore.install(identity.trustList, now);
  denyList.install(identity.denyList, now);
  return {
    check(text, context) {
      const result = verifier.verify(text, { amount: context.amount });
      if (result.ok) {
        const cap = result.limits.perPaymentCap;
        return {
          verdict: { status: 'verified', codeId: unhex(result.codeId)! },
          decline: false,
          summary: `account ${result.account}, code ${result.codeId}, expires ${new Date(result.expiresAt * 1000).toISOString()}`,
          offline: { credential: `${result.issuer}/${result.credentialId}`, allowed: result.limits.offlineAllowed, ...(cap !== undefined ? { cap } : {}) },
        };
      }
      const check: CodeCheck = {
        verdict: { status: 'rejected', reason: result.reason },
        decline: deferredReasons.indexOf(result.reason) < 0,
        summary: result.detail,
      };
      if (staleListReasons.indexOf(result.reason) >= 0) check.refresh = true;
      return check;
    },
    listsIssuedAt() {
      const trust = trustStore.issuedAt;
      const deny = denyList.issuedAt;
      return trust === undefined || deny === undefined ? undefined : Math.min(trust, deny) * 1000;
    },
    offlineLimits: () => denyList.offlineLimits,
    listVersions: () => ({ trust: trustStore.version, deny: denyList.version }),
    prepareWhenIdle: () => void verifier.prepareRecent(),
    installList(kind, bytes, nowMs) {
      const seconds = Math.floor(nowMs / 1000);
      return kind === 'trust' ? trustStore.install(bytes, seconds) : denyList.install(bytes, seconds);
    },
  };
}
