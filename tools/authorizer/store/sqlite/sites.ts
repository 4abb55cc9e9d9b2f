/**
 * Merchants' sites and category codes (migration 401): a site is a geofence
 * a terminal is enrolled into (by its provisioning token, or the default
 * merchant's first site), so one merchant's terminals at several places are
 * each judged against their own place. Terminals and tokens without a site
 * (enrolled before 401) keep the merchant's own site.
 */
import type { RecordOrigin, SitesPort } from '../ports';
import type { Db, Migration } from './database';
import { originColumnsSql, siteOf } from '../site-row';

export const sitesMigrations: Migration[] = [
  {
    version: 401,
    name: 'merchant sites and category codes',
    sql: `
      ALTER TABLE merchants ADD COLUMN category_code TEXT;   -- ISO 18245, four digits
      CREATE TABLE sites (
        id TEXT PRIMARY KEY,
        merchant_id TEXT NOT NULL REFERENCES merchants(id),
        name TEXT NOT NULL,
        latitude REAL NOT NULL,
        longitude REAL NOT NULL,
        radius REAL NOT NULL,          -- metres
        created_at INTEGER NOT NULL
      );
      CREATE INDEX sites_by_merchant ON sites (merchant_id);
      ALTER TABLE terminals ADD COLUMN site_id TEXT REFERENCES sites(id);
      ALTER TABLE provisioning_tokens ADD COLUMN site_id TEXT REFERENCES sites(id);
    `,
  },
  {
    version: 402,
    name: 'who wrote each merchant and site',
    sql: originColumnsSql,
  },
];

export function sqliteSites(db: Db): SitesPort {
  return {
    async upsert(site, now, origin = 'config') {
      const changed = db.prepare(
        `INSERT INTO sites (id, merchant_id, name, latitude, longitude, radius, created_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, latitude = excluded.latitude, longitude = excluded.longitude, radius = excluded.radius,
           origin = excluded.origin
         WHERE sites.merchant_id = excluded.merchant_id`,
      ).run(site.id, site.merchantId, site.name, site.latitude, site.longitude, site.radius, now, origin).changes;
      if (changed !== 1) throw new Error(`site ${site.id} belongs to another merchant than ${site.merchantId}`);
    },
    async insert(site, now, origin) {
      return db.prepare(
        `INSERT INTO sites (id, merchant_id, name, latitude, longitude, radius, created_at, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO NOTHING`,
      ).run(site.id, site.merchantId, site.name, site.latitude, site.longitude, site.radius, now, origin).changes === 1;
    },
    async origin(id) {
      return (db.prepare('SELECT origin FROM sites WHERE id = ?').get(id) as { origin: RecordOrigin } | undefined)?.origin;
    },
    async get(id) {
      const row = db.prepare('SELECT * FROM sites WHERE id = ?').get(id) as Record<string, unknown> | undefined;
      return row ? siteOf(row) : undefined;
    },
    async forMerchant(merchantId) {
      return (db.prepare('SELECT * FROM sites WHERE merchant_id = ? ORDER BY id').all(merchantId) as Record<string, unknown>[]).map(siteOf);
    },
  };
}
