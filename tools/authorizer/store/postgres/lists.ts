/** The operator's lists on PostgreSQL: trusted issuers, revoked credentials, frozen accounts, and the version counter of each signed list. */
import type { ListsPort } from '../ports';
import { bytes, type Migration, type Query } from './database';

export const listsMigrations: Migration[] = [
  {
    version: 2,
    name: 'operator lists: trusted issuers and revoked credentials',
    sql: `
      CREATE TABLE issuers (
        kid TEXT PRIMARY KEY,            -- hex
        alg TEXT NOT NULL,
        public_key BYTEA NOT NULL,
        added_at BIGINT NOT NULL
      );
      CREATE TABLE revoked_credentials (
        issuer_kid TEXT NOT NULL,        -- hex
        credential_id TEXT NOT NULL,     -- hex
        revoked_at BIGINT NOT NULL,
        PRIMARY KEY (issuer_kid, credential_id)
      );
      -- Each change to either list bumps this, so terminals install only newer lists.
      CREATE TABLE list_versions (
        list TEXT PRIMARY KEY CHECK (list IN ('trust', 'deny')),
        version BIGINT NOT NULL
      );
      INSERT INTO list_versions (list, version) VALUES ('trust', 1), ('deny', 1);
    `,
  },
];
// frozen_accounts is created by migration 103 (disputes.ts), as on SQLite.

export function postgresLists(q: Query): ListsPort {
  /**
   * Both lists' versions, read once a unit of work (an authorization asks for them when it checks the code and
   * again when it signs the decision: four round trips otherwise) and forgotten when this unit bumps one. So the
   * decision names the versions the code was judged against, even if another transaction bumps a list meanwhile.
   */
  let versions: Promise<Map<string, number>> | undefined;
  return {
    async upsertIssuer(issuer, now) {
      return (await q(
        `INSERT INTO issuers (kid, alg, public_key, added_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (kid) DO UPDATE SET alg = excluded.alg, public_key = excluded.public_key
         WHERE issuers.alg <> excluded.alg OR issuers.public_key <> excluded.public_key`,
        [issuer.kid, issuer.alg, issuer.publicKey, now],
      )).rowCount > 0;
    },
    async issuers() {
      return (await q<{ kid: string; alg: 'ES256' | 'EdDSA'; public_key: Uint8Array }>('SELECT kid, alg, public_key FROM issuers ORDER BY kid')).rows
        .map((row) => ({ kid: row.kid, alg: row.alg, publicKey: bytes(row.public_key) }));
    },
    async revoke(issuerKid, credentialId, now) {
      return (await q('INSERT INTO revoked_credentials (issuer_kid, credential_id, revoked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [issuerKid, credentialId, now])).rowCount > 0;
    },
    async isRevoked(issuerKid, credentialId) {
      return (await q('SELECT 1 FROM revoked_credentials WHERE issuer_kid = $1 AND credential_id = $2', [issuerKid, credentialId])).rows.length > 0;
    },
    async revoked() {
      return (await q<{ issuer_kid: string; credential_id: string }>(
        'SELECT issuer_kid, credential_id FROM revoked_credentials ORDER BY issuer_kid, credential_id',
      )).rows.map((row) => ({ issuerKid: row.issuer_kid, credentialId: row.credential_id }));
    },
    async freeze(e) {
      return (await q(
        'INSERT INTO frozen_accounts (issuer_kid, account, frozen_at, frozen_by, reason) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
        [e.issuerKid, e.account, e.now, e.by, e.reason],
      )).rowCount > 0;
    },
    async unfreeze(issuerKid, account) {
      return (await q('DELETE FROM frozen_accounts WHERE issuer_kid = $1 AND account = $2', [issuerKid, account])).rowCount > 0;
    },
    async frozen() {
      return (await q<{ issuer_kid: string; account: string; frozen_by: string; reason: string }>(
        'SELECT issuer_kid, account, frozen_by, reason FROM frozen_accounts ORDER BY issuer_kid, account',
      )).rows.map((row) => ({ issuerKid: row.issuer_kid, account: row.account, frozenBy: row.frozen_by, reason: row.reason }));
    },
    async version(list) {
      versions ??= q<{ list: string; version: number }>('SELECT list, version FROM list_versions').then(
        ({ rows }) => new Map(rows.map((row) => [row.list, row.version])),
      );
      return (await versions).get(list)!;
    },
    async bump(list) {
      versions = undefined;
      await q('UPDATE list_versions SET version = version + 1 WHERE list = $1', [list]);
    },
  };
}
