/**
 * Offline verification of a payment code on the terminal. `verify` returns a
 * verified customer or a typed rejection; it never throws. Checks run cheapest
 * first, so a stale, copied or revoked code costs no signature verification:
 *
 *  1. parse (size limits, prefix, base45, CBOR, COSE, claims)  malformed / unsupported-algorithm
 *  2. code algorithm is the one the credential's key allows    unsupported-algorithm
 *  3. code lifetime (exp - iat) within policy                  malformed
 *  4. a current trust list; issuer kid in it                  trust-list-expired / unknown-issuer
 *  5. credential validity window                               credential-not-yet-valid / credential-expired
 *  6. deny list current; credential and account not on it      revocation-unknown / revoked / frozen
 *  7. code iat / exp against the clock, with skew              not-yet-valid / expired
 *  8. amount against the credential and code caps              over-limit
 *  9. code not already accepted; admission rate of the cache   replayed / rate-limited
 * 10. issuer signature on the credential (unless cached)       bad-credential-signature
 * 11. device signature on the code                             bad-code-signature
 * 12. record the code in the replay cache (persisted)          replay-unavailable
 * (9 and 12 only with a replay cache: the authorizer keeps its own ledger.)
 */
import type { Clock } from '../../hal/clock';
import type { CoseAlgName } from '../cose/sign1';
import { toBeSigned } from '../cose/sign1';
import { isHighS, type SignatureCheck } from '../crypto/verify';
import { maxPreparedKeys, PreparedKeys } from '../crypto/prepared-keys';
import { CredentialCache } from './credential-cache';
import type { DenyList } from './deny-list';
import { hex } from './hex';
import { parsePaymentCode, type CredentialLimits } from './parse';
import { PaycodeError, type RejectReason, type Rejection } from './reasons';
import type { ReplayCache } from './replay-cache';
import type { TrustStore } from './trust-store';

export interface VerifiedCustomer {
  ok: true;
  /** Account pseudonym (hex). */
  account: string;
  /** Issuer key id (hex). */
  issuer: string;
  /** Credential id (hex). */
  credentialId: string;
  /** Code id, the code's `cti` (hex). */
  codeId: string;
  /** The device key's algorithm. */
  alg: CoseAlgName;
  issuedAt: number;
  expiresAt: number;
  credentialExpiresAt: number;
  limits: CredentialLimits;
  /** The code's own amount cap, when it has one. */
  amountCap?: number;
  /** Whether the credential's signature came from the cache. */
  credentialCached: boolean;
}

export type VerifyResult = VerifiedCustomer | Rejection;

export const defaultSkew = 30;
export const defaultMaxCodeLifetime = 120;

export interface VerifierOptions {
  clock: Clock;
  trustStore: TrustStore;
  denyList: DenyList;
  /**
   * The codes already accepted (steps 9 and 12). Without one the verifier
   * checks everything else and the caller keeps the replay state itself: the
   * authorizer, whose database is its replay ledger (tools/authorizer).
   */
  replayCache?: ReplayCache;
  /** Tolerated difference between the phone's and the terminal's clocks, seconds. Default 30. */
  skewSeconds?: number;
  /** Longest accepted exp - iat of a code, seconds. Default 120: bounds how long replay entries live. */
  maxCodeLifetimeSeconds?: number;
  /** Verified credentials kept. Default 32. */
  credentialCacheSize?: number;
  /** A cache to share between verifiers (then `credentialCacheSize` is ignored). */
  credentialCache?: CredentialCache;
  /**
   * Checks the issuer's and the device's signatures (the authorizer passes node:crypto's). Unless
   * given: the trust store's (crypto/verify.ts's `verify`, with the board's accelerator when the
   * store has one), issuers with the store's prepared keys.
   */
  verify?: SignatureCheck;
}

export interface VerifyContext {
  /** The amount to pay, minor units; checked against the caps when given. */
  amount?: number;
}

/** Says why a signature that might be genuine was refused: only the low-S form is accepted (crypto/verify.ts). */
function highSNote(alg: CoseAlgName, signature: Uint8Array): string {
  return alg === 'ES256' && isHighS(signature) ? ' (its s is above n/2: a signer must send the low-S form, n - s)' : '';
}

function reject(reason: RejectReason, detail: string): Rejection {
  return { ok: false, reason, detail };
}

export class PaymentCodeVerifier {
  private readonly clock: Clock;
  private readonly trustStore: TrustStore;
  private readonly denyList: DenyList;
  private readonly replayCache: ReplayCache | undefined;
  private readonly skew: number;
  private readonly maxLifetime: number;
  readonly credentialCache: CredentialCache;
  private readonly verifySignature: SignatureCheck;
  private readonly ownCheck: boolean;
  /**
   * The device keys of the customers who paid last, prepared (small tables: crypto/p256.ts, crypto/ed25519.ts) in
   * idle time (`prepareRecent`): a returning customer's code then skips decoding the key (a square root), making its
   * table and, for Ed25519, the small-order check. None with a check of the caller's (the authorizer's OpenSSL).
   */
  private readonly deviceKeys: PreparedKeys | undefined;
  /** Device keys of codes accepted since the last `prepareRecent`, newest last (at most `maxPreparedKeys`). */
  private readonly recentDeviceKeys: { alg: CoseAlgName; key: Uint8Array }[] = [];

  constructor(options: VerifierOptions) {
    this.ownCheck = options.verify !== undefined;
    this.verifySignature = options.verify ?? options.trustStore.verifySignature;
    this.deviceKeys = this.ownCheck ? undefined : new PreparedKeys(maxPreparedKeys, options.trustStore.crypto);
    this.clock = options.clock;
    this.trustStore = options.trustStore;
    this.denyList = options.denyList;
    this.replayCache = options.replayCache;
    this.skew = options.skewSeconds ?? defaultSkew;
    this.maxLifetime = options.maxCodeLifetimeSeconds ?? defaultMaxCodeLifetime;
    this.credentialCache = options.credentialCache ?? new CredentialCache(options.credentialCacheSize ?? 32);
    const window = this.replayCache?.windowSeconds;
    if (window !== undefined && this.maxLifetime + 2 * this.skew > window) {
      // An entry could outlive the window the cache's bound is computed for.
      throw new RangeError(`replay cache window ${window} s is shorter than the code lifetime plus twice the skew (${this.maxLifetime + 2 * this.skew} s)`);
    }
  }

  /**
   * Prepares the device keys of the codes accepted since the last call (~6-7 M XS instructions each), for idle time:
   * their customers' next codes verify faster. Returns how many were prepared.
   */
  prepareRecent(): number {
    let prepared = 0;
    for (const { alg, key } of this.recentDeviceKeys.splice(0)) if (this.deviceKeys?.prepare(alg, key)) prepared++;
    return prepared;
  }

  verify(text: string, context: VerifyContext = {}): VerifyResult {
    try {
      return this.check(text, context);
    } catch (error) {
      if (error instanceof PaycodeError) return reject(error.reason, error.message);
      // Not expected: every layer reports typed errors. Refuse rather than leak an exception.
      return reject('malformed', `unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private check(text: string, context: VerifyContext): VerifyResult {
    const now = Math.floor(this.clock.now() / 1000);
    const code = parsePaymentCode(text);
    // Fail closed on bad inputs that would make every comparison below false, hence pass.
    if (!Number.isFinite(now)) return reject('not-yet-valid', 'the terminal clock gives no time');
    if (context.amount !== undefined && !(Number.isSafeInteger(context.amount) && context.amount >= 0)) {
      return reject('over-limit', `amount ${String(context.amount)} is not a whole number of minor units`);
    }
    const credential = code.credential;

    if (code.alg !== credential.deviceKey.alg) {
      return reject('unsupported-algorithm', `code signed with ${code.alg}, the credential allows ${credential.deviceKey.alg}`);
    }
    if (code.expiresAt - code.issuedAt > this.maxLifetime) {
      return reject('malformed', `code lifetime ${code.expiresAt - code.issuedAt} s exceeds ${this.maxLifetime} s`);
    }

    const issuer = this.trustStore.issuer(credential.issuerKid, now);
    if (!issuer.ok) return reject(issuer.current ? 'unknown-issuer' : 'trust-list-expired', issuer.detail);

    if (credential.notBefore > now + this.skew) return reject('credential-not-yet-valid', `credential valid from ${credential.notBefore}, now ${now}`);
    if (credential.expiresAt <= now - this.skew) return reject('credential-expired', `credential expired at ${credential.expiresAt}, now ${now}`);

    const denied = this.denyList.check(credential.issuerKid, credential.credentialId, credential.account, now);
    if (!denied.ok) return reject(denied.reason, denied.detail);

    if (code.issuedAt > now + this.skew) return reject('not-yet-valid', `code issued at ${code.issuedAt}, now ${now}`);
    if (code.expiresAt <= now - this.skew) return reject('expired', `code expired at ${code.expiresAt}, now ${now}`);

    if (context.amount !== undefined) {
      const cap = credential.limits.perPaymentCap;
      if (cap !== undefined && context.amount > cap) return reject('over-limit', `amount ${context.amount} above the credential cap ${cap}`);
      if (code.amountCap !== undefined && context.amount > code.amountCap) {
        return reject('over-limit', `amount ${context.amount} above the code cap ${code.amountCap}`);
      }
    }

    const replayCache = this.replayCache;
    if (replayCache) {
      if (replayCache.has(credential.issuerKid, credential.credentialId, code.codeId, now)) {
        return reject('replayed', `code ${hex(code.codeId)} of credential ${hex(credential.credentialId)} was already accepted`);
      }
      const admission = replayCache.admission(credential.issuerKid, credential.credentialId, now);
      if (!admission.ok) return reject(admission.reason, admission.detail);
    }

    const trustVersion = this.trustStore.version as number;
    const cached = this.credentialCache.has(credential.encoded, trustVersion);
    if (!cached) {
      if (issuer.key.alg !== credential.alg) {
        return reject('bad-credential-signature', `credential signed with ${credential.alg}, issuer key is ${issuer.key.alg}`);
      }
      // The terminal's verifier checks issuers with the trust store's prepared keys; one given a check (the authorizer's OpenSSL) uses it.
      const issuerSigned = this.ownCheck
        ? this.verifySignature(credential.alg, issuer.key.publicKey, toBeSigned(credential.sign1), credential.sign1.signature)
        : this.trustStore.verifyIssuerSignature(issuer.key, toBeSigned(credential.sign1), credential.sign1.signature);
      if (!issuerSigned) {
        return reject('bad-credential-signature', `issuer ${hex(credential.issuerKid)} signature does not verify${highSNote(credential.alg, credential.sign1.signature)}`);
      }
      this.credentialCache.add(credential.encoded, trustVersion);
    }

    const deviceKey = credential.deviceKey.publicKey;
    const deviceKeys = this.deviceKeys;
    const deviceSigned = deviceKeys
      ? deviceKeys.verify(code.alg, deviceKey, toBeSigned(code.sign1), code.sign1.signature)
      : this.verifySignature(code.alg, deviceKey, toBeSigned(code.sign1), code.sign1.signature);
    if (!deviceSigned) {
      return reject('bad-code-signature', `device signature on the code does not verify${highSNote(code.alg, code.sign1.signature)}`);
    }

    if (replayCache) {
      const added = replayCache.add(credential.issuerKid, credential.credentialId, code.codeId, code.expiresAt + this.skew, now);
      if (!added.ok) return reject(added.reason, added.detail);
    }
    // Only a key whose code was accepted (its credential signed by a trusted issuer) is remembered: a forger
    // cannot make the terminal spend its idle time or push out its customers' prepared keys.
    if (deviceKeys && !deviceKeys.has(code.alg, deviceKey)) {
      this.recentDeviceKeys.push({ alg: code.alg, key: deviceKey });
      if (this.recentDeviceKeys.length > maxPreparedKeys) this.recentDeviceKeys.shift();
    }

    const customer: VerifiedCustomer = {
      ok: true,
      account: hex(credential.account),
      issuer: hex(credential.issuerKid),
      credentialId: hex(credential.credentialId),
      codeId: hex(code.codeId),
      alg: code.alg,
      issuedAt: code.issuedAt,
      expiresAt: code.expiresAt,
      credentialExpiresAt: credential.expiresAt,
      limits: credential.limits,
      credentialCached: cached,
    };
    if (code.amountCap !== undefined) customer.amountCap = code.amountCap;
    return customer;
  }
}
