/**
 * Merchants and their sites, as the operator configures them: a JSON file
 * (`merchants.json` in the data directory, or `--merchants FILE`) read by the
 * authorizer and the operator's command line, applied to the store at start
 * (created, or updated in place), and the rule that a terminal is judged at
 * its own site: the site it was enrolled into (its provisioning token's, or
 * the default one for enrollments without a token), else its merchant's.
 *
 * ```json
 * { "merchants": [ { "id": "M-CAFE", "name": "Cafe Lumiere", "categoryCode": "5814", "currency": "EUR",
 *     "purposes": ["counter-sale"], "maxAmount": 50000,
 *     "sites": [ { "id": "S-REPUBLIQUE", "name": "Place de la Republique", "latitude": 48.8675, "longitude": 2.3638, "radius": 250 } ] } ] }
 * ```
 *
 * The first merchant and its first site are where terminals enrolling without
 * a token go ('open' and 'manual' enrollment, the demo). A merchant's own site
 * (what terminals of it without a site are judged by) is its first site.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { purposes as knownPurposes, type Purpose } from '../../../src/authorization/charge';
import type { MerchantProfile } from '../../../src/authorization/enrollment';
import type { Merchant, SiteRecord, TerminalRecord, Tx } from '../store/ports';

export const merchantsFileName = 'merchants.json';

export interface MerchantConfig {
  profile: MerchantProfile;
  categoryCode: string | null;
  maxAmount: number;
  sites: SiteRecord[];
}

export interface MerchantsConfig {
  merchants: MerchantConfig[];
}

/** A merchants file that cannot be used, with the path to the value at fault. */
export class MerchantsConfigError extends Error {
  constructor(readonly path: string, problem: string) {
    super(`${path}: ${problem}`);
  }
}
Object.defineProperty(MerchantsConfigError.prototype, 'name', { value: 'MerchantsConfigError' });

const idPattern = /^[A-Za-z0-9-]{1,32}$/;

/** Checks a parsed merchants file (`where` names it in errors). */
export function parseMerchantsConfig(input: unknown, where = 'merchants'): MerchantsConfig {
  const object = (value: unknown, path: string, keys: string[], required: string[]): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MerchantsConfigError(path, 'must be an object');
    for (const key of Object.keys(value)) if (!keys.includes(key)) throw new MerchantsConfigError(`${path}.${key}`, 'unknown key');
    for (const key of required) if (!(key in value)) throw new MerchantsConfigError(`${path}.${key}`, 'is missing');
    return value as Record<string, unknown>;
  };
  const text = (value: unknown, path: string, pattern?: RegExp, what = 'text'): string => {
    if (typeof value !== 'string' || value.length === 0 || value.length > 64 || (pattern && !pattern.test(value))) throw new MerchantsConfigError(path, `must be ${what}`);
    return value;
  };
  const number = (value: unknown, path: string, min: number, max: number, integer = false): number => {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isSafeInteger(value))) {
      throw new MerchantsConfigError(path, `must be a ${integer ? 'whole ' : ''}number from ${min} to ${max}`);
    }
    return value;
  };
  const root = object(input, where, ['merchants'], ['merchants']);
  if (!Array.isArray(root.merchants) || root.merchants.length === 0) throw new MerchantsConfigError(`${where}.merchants`, 'must be a non-empty array');
  const merchantIds = new Set<string>();
  const siteIds = new Set<string>();
  const merchants = root.merchants.map((raw, i): MerchantConfig => {
    const path = `${where}.merchants[${i}]`;
    const m = object(raw, path, ['id', 'name', 'categoryCode', 'currency', 'purposes', 'maxAmount', 'sites'], ['id', 'name', 'currency', 'purposes', 'maxAmount', 'sites']);
    const id = text(m.id, `${path}.id`, idPattern, '1-32 letters, digits or dashes');
    if (merchantIds.has(id)) throw new MerchantsConfigError(`${path}.id`, `${id} is given twice`);
    merchantIds.add(id);
    if (!Array.isArray(m.purposes) || m.purposes.length === 0 || m.purposes.some((p) => !knownPurposes.includes(p as Purpose))) {
      throw new MerchantsConfigError(`${path}.purposes`, `must be a non-empty array of ${knownPurposes.join(', ')}`);
    }
    if (!Array.isArray(m.sites) || m.sites.length === 0) throw new MerchantsConfigError(`${path}.sites`, 'must be a non-empty array');
    const sites = m.sites.map((rawSite, j): SiteRecord => {
      const sitePath = `${path}.sites[${j}]`;
      const s = object(rawSite, sitePath, ['id', 'name', 'latitude', 'longitude', 'radius'], ['id', 'name', 'latitude', 'longitude', 'radius']);
      const siteId = text(s.id, `${sitePath}.id`, idPattern, '1-32 letters, digits or dashes');
      if (siteIds.has(siteId)) throw new MerchantsConfigError(`${sitePath}.id`, `${siteId} is given twice`);
      siteIds.add(siteId);
      return {
        id: siteId, merchantId: id, name: text(s.name, `${sitePath}.name`),
        latitude: number(s.latitude, `${sitePath}.latitude`, -90, 90), longitude: number(s.longitude, `${sitePath}.longitude`, -180, 180),
        radius: number(s.radius, `${sitePath}.radius`, 1, 100_000),
      };
    });
    const first = sites[0];
    return {
      profile: {
        merchantId: id, name: text(m.name, `${path}.name`), currency: text(m.currency, `${path}.currency`, /^[A-Z]{3}$/, 'an ISO 4217 code (three capitals)'),
        purposes: [...new Set(m.purposes as Purpose[])], site: { latitude: first.latitude, longitude: first.longitude, radius: first.radius },
      },
      categoryCode: m.categoryCode === undefined ? null : text(m.categoryCode, `${path}.categoryCode`, /^\d{4}$/, 'an ISO 18245 code (four digits)'),
      maxAmount: number(m.maxAmount, `${path}.maxAmount`, 1, 1e12, true),
      sites,
    };
  });
  return { merchants };
}

export function loadMerchantsConfig(file: string): MerchantsConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MerchantsConfigError(file, (error as Error).message);
  }
  return parseMerchantsConfig(parsed, file);
}

/** `--merchants FILE`, else DATA_DIR/merchants.json when there is one, else undefined (the simulator's merchant). */
export function merchantsConfigFor(dataDir: string, file?: string): MerchantsConfig | undefined {
  if (file) return loadMerchantsConfig(file);
  const inDataDir = join(dataDir, merchantsFileName);
  return dataDir !== ':memory:' && existsSync(inDataDir) ? loadMerchantsConfig(inDataDir) : undefined;
}

/** Creates or updates every configured merchant and site (merchants and sites not in the file are left as they are). */
export async function applyMerchants(tx: Tx, config: MerchantsConfig, now: number): Promise<void> {
  for (const merchant of config.merchants) {
    await tx.merchants.upsert({ ...merchant.profile, categoryCode: merchant.categoryCode }, merchant.maxAmount, now);
    for (const site of merchant.sites) await tx.sites.upsert(site, now);
  }
}

/** The merchant as a terminal enrolled at a site sees it: the site's geofence instead of the merchant's own. */
export async function merchantAt(tx: Tx, terminal: TerminalRecord): Promise<Merchant> {
  const merchant = (await tx.merchants.get(terminal.merchantId))!;
  const site = terminal.siteId === null ? undefined : await tx.sites.get(terminal.siteId);
  return site ? { ...merchant, site: { latitude: site.latitude, longitude: site.longitude, radius: site.radius } } : merchant;
}
