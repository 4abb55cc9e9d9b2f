/**
 * The operator's lists: the issuers it trusts, the credentials it revoked and
 * the accounts frozen, signed into the trust list and deny list that
 * terminals install (src/paycode formats) with the operator root key. It also
 * judges payment codes with the very verifier the terminal runs (signatures,
 * lists, expiry); the replay check (the store's ledger of live codes) is the
 * authorization's job.
 * A memory of codes in one process would answer wrongly twice over: a unit of
 * work the store runs again after a conflict would find its own code there
 * ('replayed'), and other worker processes would not see it at all.
 */
import type { Clock } from '../../../hal/clock';
import type { CoseAlgName } from '../../../src/cose/sign1';
import { DenyList } from '../../../src/paycode/deny-list';
import { hex, unhex } from '../../../src/paycode/hex';
import { encodeDenyList, encodeTrustList } from '../../../src/paycode/operator-encode';
import { TrustStore } from '../../../src/paycode/trust-store';
import { defaultMaxCodeLifetime, defaultSkew, PaymentCodeVerifier } from '../../../src/paycode/verifier';
import type { PublicKey } from '../../../src/authorization/signer';
import type { OfflineLimits } from '../../../src/authorization/enrollment';
import { serverVerify } from '../crypto';
import type { ServerKey } from '../keys';
import type { Tx } from '../store/ports';
import type { CodeJudge } from './authorization';

/** The clock skew the authorizer tolerates on codes, seconds: a code is refused as expired from exp + this on. */
export const codeSkewSeconds = defaultSkew;
/** W = L + 2S: the longest a code can pass the checks (its lifetime, and the skew on each side), seconds. */
export const codeWindowSeconds = defaultMaxCodeLifetime + 2 * codeSkewSeconds;

/** How long a signed list stays valid, seconds. Terminals fetch fresh lists within it. */
export const listLifetimeSeconds = 7 * 24 * 3600;

export interface IssuerEntry {
  alg: CoseAlgName;
  kid: Uint8Array;
  publicKey: Uint8Array;
}

interface SignedList {
  /** The change counter it was signed at. */
  version: number;
  /** The version it carries (#listVersion). */
  published: number;
  issuedAt: number;
  bytes: Uint8Array;
}

export class Lists {
  readonly #root: ServerKey;
  readonly #now: () => number;
  #cache: { trust?: SignedList; deny?: SignedList } = {};
  #installed: { trust?: Uint8Array; deny?: Uint8Array } = {};
  readonly #trustStore: TrustStore;
  readonly #denyList: DenyList;
  readonly #verifier: PaymentCodeVerifier;

  /** Signed into every deny list, so terminals take changed limits with their next list (docs/authorization.md, Offline). */
  readonly #offlineLimits: OfflineLimits | undefined;

  constructor(options: { root: ServerKey; now: () => number; offlineLimits?: OfflineLimits }) {
    this.#root = options.root;
    this.#now = options.now;
    this.#offlineLimits = options.offlineLimits;
    const root = { alg: this.#root.alg, publicKey: this.#root.publicKey.publicKey };
    this.#trustStore = new TrustStore({ root });
    this.#denyList = new DenyList({ root });
    const now = this.#now;
    const clock: Clock = { now, monotonic: now, setTimer: () => 0, clearTimer: () => undefined };
    this.#verifier = new PaymentCodeVerifier({
      clock,
      trustStore: this.#trustStore,
      denyList: this.#denyList,
      // No replay cache here: the store's replay ledger (CodesPort) is the one memory of accepted codes.
      skewSeconds: codeSkewSeconds,
      maxCodeLifetimeSeconds: defaultMaxCodeLifetime,
      // OpenSSL, under the portable verifier's contract (../crypto.ts): ~20 times faster on the server.
      verify: serverVerify,
      // A returning customer's credential costs no issuer signature check: a speed cache of verified credentials (their
      // exact bytes, under the trust list version they were verified with; ~250 bytes an entry, ~4 MB full), per
      // process and safe to lose. A terminal's 32 serve one counter; an authorizer serves every customer of a fleet.
      credentialCacheSize: 16_384,
    });
  }

  get rootKey(): PublicKey {
    return this.#root.publicKey;
  }

  async trustIssuer(tx: Tx, issuer: IssuerEntry): Promise<void> {
    if (await tx.lists.upsertIssuer({ kid: hex(issuer.kid), alg: issuer.alg, publicKey: issuer.publicKey }, this.#now())) await tx.lists.bump('trust');
  }

  async revokeCredential(tx: Tx, issuerKid: Uint8Array, credentialId: Uint8Array): Promise<void> {
    if (await tx.lists.revoke(hex(issuerKid), hex(credentialId), this.#now())) await tx.lists.bump('deny');
  }

  /**
   * Freezes an account: every credential of it is refused by the authorizer at
   * once and by terminals with their next deny list. True when it was not frozen yet.
   */
  async freezeAccount(tx: Tx, issuerKid: Uint8Array, account: Uint8Array, by: string, reason: string): Promise<boolean> {
    const fresh = await tx.lists.freeze({ issuerKid: hex(issuerKid), account: hex(account), now: this.#now(), by, reason });
    if (fresh) await tx.lists.bump('deny');
    return fresh;
  }

  async unfreezeAccount(tx: Tx, issuerKid: Uint8Array, account: Uint8Array): Promise<boolean> {
    const changed = await tx.lists.unfreeze(hex(issuerKid), hex(account));
    if (changed) await tx.lists.bump('deny');
    return changed;
  }

  async trustList(tx: Tx): Promise<Uint8Array> {
    const version = await tx.lists.version('trust');
    const cached = this.#cache.trust;
    if (this.#fresh(cached, version)) return cached!.bytes;
    const issuers = await tx.lists.issuers();
    const issuedAt = this.#seconds();
    const published = this.#listVersion(version, issuedAt);
    const bytes = encodeTrustList(
      {
        version: published,
        issuedAt,
        expiresAt: issuedAt + listLifetimeSeconds,
        issuers: issuers.map((row) => ({ alg: row.alg, kid: unhex(row.kid)!, publicKey: row.publicKey })),
      },
      this.#root.alg,
      this.#root.sign,
    );
    this.#cache.trust = { version, published, issuedAt, bytes };
    return bytes;
  }

  async denyList(tx: Tx): Promise<Uint8Array> {
    const version = await tx.lists.version('deny');
    const cached = this.#cache.deny;
    if (this.#fresh(cached, version)) return cached!.bytes;
    const revoked = await tx.lists.revoked();
    const frozen = await tx.lists.frozen();
    const issuedAt = this.#seconds();
    const published = this.#listVersion(version, issuedAt);
    const bytes = encodeDenyList(
      {
        version: published,
        issuedAt,
        expiresAt: issuedAt + listLifetimeSeconds,
        revokedCredentials: revoked.map((row) => ({ issuerKid: unhex(row.issuerKid)!, credentialId: unhex(row.credentialId)! })),
        frozenAccounts: frozen.map((row) => ({ issuerKid: unhex(row.issuerKid)!, account: unhex(row.account)! })),
        ...(this.#offlineLimits ? { offlineLimits: this.#offlineLimits } : {}),
      },
      this.#root.alg,
      this.#root.sign,
    );
    this.#cache.deny = { version, published, issuedAt, bytes };
    return bytes;
  }

  /** The versions the lists are published with now (signing them first when they changed). */
  async versions(tx: Tx): Promise<{ trust: number; deny: number }> {
    await this.trustList(tx);
    await this.denyList(tx);
    return { trust: this.#cache.trust!.published, deny: this.#cache.deny!.published };
  }

  /** Verifies a code with src/paycode against the current lists. */
  readonly judge: CodeJudge = async (tx, text, context) => {
    const now = Math.floor(context.now / 1000);
    this.#install('trust', await this.trustList(tx), now);
    this.#install('deny', await this.denyList(tx), now);
    const result = this.#verifier.verify(text, { amount: context.amount });
    if (!result.ok) return { ok: false, reason: result.reason, detail: result.detail };
    return {
      ok: true, codeId: result.codeId, credential: `${result.issuer}/${result.credentialId}`, account: result.account,
      // From this moment on the code fails the expiry check, so the ledger may forget it.
      forgetAfter: (result.expiresAt + codeSkewSeconds) * 1000,
    };
  };

  /**
   * Installs a list into the verifier when it changed. trustList()/denyList()
   * hand out the same bytes object until the list is re-signed, so this skips
   * re-verifying two operator signatures on every authorization (measured by
   * bench/load.ts: they were 40% of the authorizer's signature work).
   */
  #install(which: 'trust' | 'deny', bytes: Uint8Array, now: number): void {
    if (this.#installed[which] === bytes) return;
    const store = which === 'trust' ? this.#trustStore : this.#denyList;
    const result = store.install(bytes, now);
    if (!result.ok && result.reason !== 'not-newer') throw new Error(`the operator's own list does not install: ${result.detail}`);
    this.#installed[which] = bytes;
  }

  /**
   * The version a list is published with: the change counter in the high part,
   * the day of issue in the low part, so a list re-signed after expiry (same
   * content) still counts as newer on a terminal.
   */
  #listVersion(changes: number, issuedAt: number): number {
    return changes * 1_000_000 + Math.floor(issuedAt / 86400);
  }

  /** A cached list is reused while its content is current and it was signed today (it lives a week). */
  #fresh(cached: SignedList | undefined, version: number): boolean {
    return cached !== undefined && cached.version === version && this.#seconds() - cached.issuedAt < 86400;
  }

  #seconds(): number {
    return Math.floor(this.#now() / 1000);
  }
}
