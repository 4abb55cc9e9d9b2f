/** The operator's lists: trusted issuers, revoked credentials, frozen accounts, and the version counter of each signed list. */
import type { ListsPort } from '../ports';
import { bytes, type Db, type Migration } from './database';

export const listsMigrations: Migration[] = [
  {
    version: 2,
    name: 'operator lists: trusted issuers and revoked credentials',
    sql: `
      CREATE TABLE issuers (
        kid TEXT PRIMARY KEY,            -- hex
        alg TEXT NOT NULL,
        public_key BLOB NOT NULL,
        added_at INTEGER NOT NULL
      );
      CREATE TABLE revoked_credentials (
        issuer_kid TEXT NOT NULL,        -- hex
        credential_id TEXT NOT NULL,     -- hex
        revoked_at INTEGER NOT NULL,
        PRIMARY KEY (issuer_kid, credential_id)
      );
      -- Each change to either list bumps this, so terminals install only newer lists.
      CREATE TABLE list_versions (
        list TEXT PRIMARY KEY CHECK (list IN ('trust', 'deny')),
        version INTEGER NOT NULL
      );
      INSERT INTO list_versions (list, version) VALUES ('trust', 1), ('deny', 1);
    `,
  },
];
// frozen_accounts is created by migration 103 (disputesMigrations), released before this split.

export function sqliteLists(db: Db): ListsPort {
  return {
    async upsertIssuer(issuer, now) {
      return db.prepare(
        `INSERT INTO issuers (kid, alg, public_key, added_at) VALUES (?, ?, ?, ?)
         ON CONFLICT(kid) DO UPDATE SET alg = excluded.alg, public_key = excluded.public_key
         WHERE issuers.alg != excluded.alg OR issuers.public_key != excluded.public_key`,
      ).run(issuer.kid, issuer.alg, issuer.publicKey, now).changes > 0;
    },
    async issuers() {
      return (db.prepare('SELECT kid, alg, public_key FROM issuers ORDER BY kid').all() as { kid: string; alg: 'ES256' | 'EdDSA'; public_key: Uint8Array }[])
        .map((row) => ({ kid: row.kid, alg: row.alg, publicKey: bytes(row.public_key) }));
    },
    async revoke(issuerKid, credentialId, now) {
      return db.prepare('INSERT OR IGNORE INTO revoked_credentials (issuer_kid, credential_id, revoked_at) VALUES (?, ?, ?)')
        .run(issuerKid, credentialId, now).changes > 0;
    },
    async isRevoked(issuerKid, credentialId) {
      return db.prepare('SELECT 1 FROM revoked_credentials WHERE issuer_kid = ? AND credential_id = ?').get(issuerKid, credentialId) !== undefined;
    },
    async revoked() {
      return (db.prepare('SELECT issuer_kid, credential_id FROM revoked_credentials ORDER BY issuer_kid, credential_id').all() as
        { issuer_kid: string; credential_id: string }[]).map((row) => ({ issuerKid: row.issuer_kid, credentialId: row.credential_id }));
    },
    async freeze(e) {
      return db.prepare('INSERT OR IGNORE INTO frozen_accounts (issuer_kid, account, frozen_at, frozen_by, reason) VALUES (?, ?, ?, ?, ?)')
        .run(e.issuerKid, e.account, e.now, e.by, e.reason).changes > 0;
    },
    async unfreeze(issuerKid, account) {
      return db.prepare('DELETE FROM frozen_accounts WHERE issuer_kid = ? AND account = ?').run(issuerKid, account).changes > 0;
    },
    async frozen() {
      return (db.prepare('SELECT issuer_kid, account, frozen_by, reason FROM frozen_accounts ORDER BY issuer_kid, account').all() as
        { issuer_kid: string; account: string; frozen_by: string; reason: string }[])
        .map((row) => ({ issuerKid: row.issuer_kid, account: row.account, frozenBy: row.frozen_by, reason: row.reason }));
    },
    async version(list) {
      return (db.prepare('SELECT version FROM list_versions WHERE list = ?').get(list) as { version: number }).version;
    },
    async bump(list) {
      db.prepare('UPDATE list_versions SET version = version + 1 WHERE list = ?').run(list);
    },
  };
}
