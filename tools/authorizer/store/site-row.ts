/** A `sites` row as the SQL stores read it (SQLite and PostgreSQL name and type the columns alike). */
import type { SiteRecord } from './ports';

/**
 * Migration 402 on both engines (the same SQL runs on SQLite and PostgreSQL): who wrote each merchant and site last.
 * config: the merchants file (or the default merchant); operator: qrpay operator merchant|site add|edit. The file
 * updates only what the configuration wrote (domain/merchants.ts).
 */
export const originColumnsSql = `
  ALTER TABLE merchants ADD COLUMN origin TEXT NOT NULL DEFAULT 'config' CHECK (origin IN ('config', 'operator'));
  ALTER TABLE sites ADD COLUMN origin TEXT NOT NULL DEFAULT 'config' CHECK (origin IN ('config', 'operator'));
`;

export const siteOf = (row: Record<string, unknown>): SiteRecord => ({
  id: row.id as string, merchantId: row.merchant_id as string, name: row.name as string,
  latitude: row.latitude as number, longitude: row.longitude as number, radius: row.radius as number,
});
