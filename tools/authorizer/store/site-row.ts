/** A `sites` row as the SQL stores read it (SQLite and PostgreSQL name and type the columns alike). */
import type { SiteRecord } from './ports';

export const siteOf = (row: Record<string, unknown>): SiteRecord => ({
  id: row.id as string, merchantId: row.merchant_id as string, name: row.name as string,
  latitude: row.latitude as number, longitude: row.longitude as number, radius: row.radius as number,
});
