/**
 * The operator's side of the simulator authorizer: the issuers it trusts and
 * the credentials it revoked (tables `issuers`, `revoked_credentials`), signed
 * into the trust list and deny list that terminals install (src/paycode
 * formats), with the operator root key from the database. It also judges
 * payment codes with the very verifier the terminal runs; the authorizer's
 * global replay check (every code id ever seen) is the database's job.
 */
import type { Clock } from '../../hal/clock';
import type { CoseAlgName } from '../../src/cose/sign1';
import { DenyList } from '../../src/paycode/deny-list';
import { hex, unhex } from '../../src/paycode/hex';
import { encodeDenyList, encodeTrustList } from '../../src/paycode/operator-encode';
import { ReplayCache } from '../../src/paycode/replay-cache';
import { TrustStore } from '../../src/paycode/trust-store';
import { PaymentCodeVerifier } from '../../src/paycode/verifier';
import type { PublicKey } from '../../src/authorization/signer';
import type { Db } from './database';
import type { ServerKey } from './keys';
import type { CodeJudge } from './service';

/** How long a signed list stays valid, seconds. Terminals fetch fresh lists within it. */
export const listLifetimeSeconds = 7 * 24 * 3600;

export interface IssuerEntry {
  alg: CoseAlgName;
  kid: Uint8Array;
  publicKey: Uint8Array;
}

interface SignedList {
  version: number;
  issuedAt: number;
  bytes: Uint8Array;
}

export class Operator {
  readonly #db: Db;
  readonly #root: ServerKey;
  readonly #now: () => number;
  #cache: { trust?: SignedList; deny?: SignedList } = {};
  #installed: { trust?: Uint8Array; deny?: Uint8Array } = {};
  readonly #trustStore: TrustStore;
  readonly #denyList: DenyList;
  readonly #verifier: PaymentCodeVerifier;

  constructor(options: { db: Db; root: ServerKey; now: () => number }) {
    this.#db = options.db;
    this.#root = options.root;
    this.#now = options.now;
    const root = { alg: this.#root.alg, publicKey: this.#root.publicKey.publicKey };
    this.#trustStore = new TrustStore({ root });
    this.#denyList = new DenyList({ root });
    const now = this.#now;
    const clock: Clock = { now, monotonic: now, setTimer: () => 0, clearTimer: () => undefined };
    this.#verifier = new PaymentCodeVerifier({
      clock,
      trustStore: this.#trustStore,
      denyList: this.#denyList,
      // Remembers codes for their short life; the database remembers them for ever.
      replayCache: new ReplayCache({ capacity: 10000 }),
    });
  }

  get rootKey(): PublicKey {
    return this.#root.publicKey;
  }

  trustIssuer(issuer: IssuerEntry): void {
    const kid = hex(issuer.kid);
    this.#db.transaction(() => {
      const result = this.#db.prepare(
        `INSERT INTO issuers (kid, alg, public_key, added_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(kid) DO UPDATE SET alg = excluded.alg, public_key = excluded.public_key
         WHERE issuers.alg != excluded.alg OR issuers.public_key != excluded.public_key`,
      ).run(kid, issuer.alg, issuer.publicKey, this.#now());
      if (result.changes > 0) this.#db.prepare("UPDATE list_versions SET version = version + 1 WHERE list = 'trust'").run();
    })();
  }

  revokeCredential(issuerKid: Uint8Array, credentialId: Uint8Array): void {
    this.#db.transaction(() => {
      const result = this.#db.prepare('INSERT OR IGNORE INTO revoked_credentials (issuer_kid, credential_id, revoked_at) VALUES (?, ?, ?)')
        .run(hex(issuerKid), hex(credentialId), this.#now());
      if (result.changes > 0) this.#db.prepare("UPDATE list_versions SET version = version + 1 WHERE list = 'deny'").run();
    })();
  }

  /**
   * Freezes an account: every credential of it is refused by the authorizer at
   * once and by terminals with their next deny list. True when it was not frozen yet.
   */
  freezeAccount(issuerKid: Uint8Array, account: Uint8Array, by: string, reason: string): boolean {
    return this.#db.transaction(() => {
      const result = this.#db.prepare('INSERT OR IGNORE INTO frozen_accounts (issuer_kid, account, frozen_at, frozen_by, reason) VALUES (?, ?, ?, ?, ?)')
        .run(hex(issuerKid), hex(account), this.#now(), by, reason);
      if (result.changes > 0) this.#db.prepare("UPDATE list_versions SET version = version + 1 WHERE list = 'deny'").run();
      return result.changes > 0;
    })();
  }

  unfreezeAccount(issuerKid: Uint8Array, account: Uint8Array): boolean {
    return this.#db.transaction(() => {
      const result = this.#db.prepare('DELETE FROM frozen_accounts WHERE issuer_kid = ? AND account = ?').run(hex(issuerKid), hex(account));
      if (result.changes > 0) this.#db.prepare("UPDATE list_versions SET version = version + 1 WHERE list = 'deny'").run();
      return result.changes > 0;
    })();
  }

  trustList(): Uint8Array {
    const version = this.#version('trust');
    const cached = this.#cache.trust;
    if (this.#fresh(cached, version)) return cached!.bytes;
    const rows = this.#db.prepare('SELECT kid, alg, public_key FROM issuers ORDER BY kid').all() as { kid: string; alg: CoseAlgName; public_key: Uint8Array }[];
    const issuedAt = this.#seconds();
    const bytes = encodeTrustList(
      {
        version: this.#listVersion(version, issuedAt),
        issuedAt,
        expiresAt: issuedAt + listLifetimeSeconds,
        issuers: rows.map((row) => ({ alg: row.alg, kid: unhex(row.kid)!, publicKey: new Uint8Array(row.public_key) })),
      },
      this.#root.alg,
      this.#root.sign,
    );
    this.#cache.trust = { version, issuedAt, bytes };
    return bytes;
  }

  denyList(): Uint8Array {
    const version = this.#version('deny');
    const cached = this.#cache.deny;
    if (this.#fresh(cached, version)) return cached!.bytes;
    const rows = this.#db.prepare('SELECT issuer_kid, credential_id FROM revoked_credentials ORDER BY issuer_kid, credential_id').all() as
      { issuer_kid: string; credential_id: string }[];
    const frozen = this.#db.prepare('SELECT issuer_kid, account FROM frozen_accounts ORDER BY issuer_kid, account').all() as
      { issuer_kid: string; account: string }[];
    const issuedAt = this.#seconds();
    const bytes = encodeDenyList(
      {
        version: this.#listVersion(version, issuedAt),
        issuedAt,
        expiresAt: issuedAt + listLifetimeSeconds,
        revokedCredentials: rows.map((row) => ({ issuerKid: unhex(row.issuer_kid)!, credentialId: unhex(row.credential_id)! })),
        frozenAccounts: frozen.map((row) => ({ issuerKid: unhex(row.issuer_kid)!, account: unhex(row.account)! })),
      },
      this.#root.alg,
      this.#root.sign,
    );
    this.#cache.deny = { version, issuedAt, bytes };
    return bytes;
  }

  /** Verifies a code with src/paycode against the current lists. */
  readonly judge: CodeJudge = (text, context) => {
    const now = Math.floor(context.now / 1000);
    this.#install('trust', this.trustList(), now);
    this.#install('deny', this.denyList(), now);
    const result = this.#verifier.verify(text, { amount: context.amount });
    if (!result.ok) return { ok: false, reason: result.reason, detail: result.detail };
    return { ok: true, codeId: result.codeId, credential: `${result.issuer}/${result.credentialId}`, account: result.account };
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

  #version(list: 'trust' | 'deny'): number {
    return (this.#db.prepare('SELECT version FROM list_versions WHERE list = ?').get(list) as { version: number }).version;
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
