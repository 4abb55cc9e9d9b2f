/**
 * Merchants' sites and category codes on PostgreSQL (migration 401, as in
 * ../sqlite/sites.ts): a site is a geofence a terminal is enrolled into.
 */
import type { RecordOrigin, SitesPort } from '../ports';
import type { Migration, Query } from './database';
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
        latitude DOUBLE PRECISION NOT NULL,
        longitude DOUBLE PRECISION NOT NULL,
        radius DOUBLE PRECISION NOT NULL,   -- metres
        created_at BIGINT NOT NULL
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

export function postgresSites(q: Query): SitesPort {
  return {
    async upsert(site, now, origin = 'config') {
      const { rowCount } = await q(
        `INSERT INTO sites (id, merchant_id, name, latitude, longitude, radius, created_at, origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, latitude = excluded.latitude, longitude = excluded.longitude, radius = excluded.radius,
           origin = excluded.origin
         WHERE sites.merchant_id = excluded.merchant_id`,
        [site.id, site.merchantId, site.name, site.latitude, site.longitude, site.radius, now, origin],
      );
      if (rowCount !== 1) throw new Error(`site ${site.id} belongs to another merchant than ${site.merchantId}`);
    },
    async insert(site, now, origin) {
      const { rowCount } = await q(
        `INSERT INTO sites (id, merchant_id, name, latitude, longitude, radius, created_at, origin) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (id) DO NOTHING`,
        [site.id, site.merchantId, site.name, site.latitude, site.longitude, site.radius, now, origin],
      );
      return rowCount === 1;
    },
    async origin(id) {
      return (await q<{ origin: RecordOrigin }>('SELECT origin FROM sites WHERE id = $1', [id])).rows[0]?.origin;
    },
    async get(id) {
      const row = (await q('SELECT * FROM sites WHERE id = $1', [id])).rows[0];
      return row ? siteOf(row) : undefined;
    },
    async forMerchant(merchantId) {
      return (await q('SELECT * FROM sites WHERE merchant_id = $1 ORDER BY id', [merchantId])).rows.map(siteOf);
    },
  };
}
