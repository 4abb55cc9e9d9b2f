/**
 * The authorizer's schema, as an ordered list of migrations. Each runs once,
 * in its own transaction, and is recorded in `schema_migrations`; a database
 * made by an older version is brought forward on open. Never edit a released
 * migration: add a new one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'terminals, requests, decisions',
    sql: `
      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value BLOB NOT NULL
      );
      CREATE TABLE merchants (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        currency TEXT NOT NULL,
        purposes TEXT NOT NULL,          -- comma-separated
        site_latitude REAL NOT NULL,
        site_longitude REAL NOT NULL,
        site_radius INTEGER NOT NULL,    -- metres
        max_amount INTEGER NOT NULL,     -- minor units
        created_at INTEGER NOT NULL
      );
      CREATE TABLE terminals (
        id TEXT PRIMARY KEY,
        merchant_id TEXT NOT NULL REFERENCES merchants(id),
        alg TEXT NOT NULL,
        public_key BLOB NOT NULL UNIQUE,
        model TEXT NOT NULL,
        serial TEXT NOT NULL,
        firmware TEXT NOT NULL,
        board TEXT NOT NULL,
        -- suspended: its key was seen reusing trace numbers (a clone, or a replayed request); an operator decides.
        status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'refused', 'suspended')),
        status_reason TEXT,
        last_trace INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        approved_at INTEGER
      );
      CREATE TABLE enrollments (
        id INTEGER PRIMARY KEY,
        terminal_id TEXT REFERENCES terminals(id),
        received_at INTEGER NOT NULL,
        request BLOB NOT NULL,
        status TEXT NOT NULL,
        answer BLOB
      );
      -- Every authorization request as received, including retries and the ones refused.
      CREATE TABLE requests (
        id INTEGER PRIMARY KEY,
        received_at INTEGER NOT NULL,
        request BLOB NOT NULL,
        request_hash BLOB NOT NULL,
        terminal_id TEXT,
        trace INTEGER,
        amount INTEGER,
        currency TEXT,
        purpose TEXT,
        reference TEXT,
        location_status TEXT,
        latitude REAL,
        longitude REAL,
        terminal_verdict TEXT,
        code_id TEXT,                    -- hex, once the code verified
        -- A retry (same bytes) points at the request it repeats and gets that one's decision.
        retry_of INTEGER REFERENCES requests(id),
        problem TEXT                     -- why it could not be read, for garbled requests
      );
      CREATE INDEX requests_by_terminal_trace ON requests (terminal_id, trace);
      CREATE INDEX requests_by_hash ON requests (request_hash);
      CREATE TABLE decisions (
        request_id INTEGER PRIMARY KEY REFERENCES requests(id),
        outcome TEXT NOT NULL CHECK (outcome IN ('approved', 'declined', 'held', 'step-up')),
        reason TEXT NOT NULL,
        approval_code TEXT,
        decided_at INTEGER NOT NULL,
        decision BLOB NOT NULL
      );
      -- Every payment-code identifier ever verified: a code seen twice anywhere is a copy.
      CREATE TABLE codes_seen (
        credential TEXT NOT NULL,        -- issuer kid hex / credential id hex
        code_id TEXT NOT NULL,           -- hex
        first_request_id INTEGER NOT NULL REFERENCES requests(id),
        seen_at INTEGER NOT NULL,
        PRIMARY KEY (credential, code_id)
      );
    `,
  },
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
