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
import type { Merchant, RecordOrigin, SiteRecord, TerminalRecord, Tx } from '../store/ports';
import { DomainRefusal } from './results';

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

/**
 * One rule per field, shared by the merchants file and the operator's commands (`path` names the value in the
 * error: the file's JSON path, or the field the operator gave).
 */
export const merchantFields = {
  id(value: unknown, path: string): string {
    return text(value, path, /^[A-Za-z0-9-]{1,32}$/, '1-32 letters, digits or dashes');
  },
  name(value: unknown, path: string): string {
    return text(value, path);
  },
  /** ISO 18245 merchant category codes are four digits (0742 veterinary services ... 9402 postal services). */
  categoryCode(value: unknown, path: string): string {
    return text(value, path, /^\d{4}$/, 'an ISO 18245 code (four digits)');
  },
  /** An ISO 4217 currency in use: the shape, then the list of the runtime's ICU (Node's full-icu), so "EUX" is refused too. */
  currency(value: unknown, path: string): string {
    const code = text(value, path, /^[A-Z]{3}$/, 'an ISO 4217 code (three capitals)');
    if (!iso4217().has(code)) throw new MerchantsConfigError(path, `${code} is not an ISO 4217 currency in use`);
    return code;
  },
  purposes(value: unknown, path: string): Purpose[] {
    if (!Array.isArray(value) || value.length === 0 || value.some((p) => !knownPurposes.includes(p as Purpose))) {
      throw new MerchantsConfigError(path, `must be a non-empty array of ${knownPurposes.join(', ')}`);
    }
    return [...new Set(value as Purpose[])];
  },
  maxAmount: (value: unknown, path: string): number => number(value, path, 1, 1e12, true),
  latitude: (value: unknown, path: string): number => number(value, path, -90, 90),
  longitude: (value: unknown, path: string): number => number(value, path, -180, 180),
  radius: (value: unknown, path: string): number => number(value, path, 1, 100_000),
};

function text(value: unknown, path: string, pattern?: RegExp, what = 'text'): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64 || (pattern && !pattern.test(value))) throw new MerchantsConfigError(path, `must be ${what}`);
  return value;
}

function number(value: unknown, path: string, min: number, max: number, integer = false): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isSafeInteger(value))) {
    throw new MerchantsConfigError(path, `must be a ${integer ? 'whole ' : ''}number from ${min} to ${max}`);
  }
  return value;
}

let currencies: Set<string> | undefined;
const iso4217 = (): Set<string> => (currencies ??= new Set(Intl.supportedValuesOf('currency')));

/** Checks a parsed merchants file (`where` names it in errors). */
export function parseMerchantsConfig(input: unknown, where = 'merchants'): MerchantsConfig {
  const object = (value: unknown, path: string, keys: string[], required: string[]): Record<string, unknown> => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MerchantsConfigError(path, 'must be an object');
    for (const key of Object.keys(value)) if (!keys.includes(key)) throw new MerchantsConfigError(`${path}.${key}`, 'unknown key');
    for (const key of required) if (!(key in value)) throw new MerchantsConfigError(`${path}.${key}`, 'is missing');
    return value as Record<string, unknown>;
  };
  const f = merchantFields;
  const root = object(input, where, ['merchants'], ['merchants']);
  if (!Array.isArray(root.merchants) || root.merchants.length === 0) throw new MerchantsConfigError(`${where}.merchants`, 'must be a non-empty array');
  const merchantIds = new Set<string>();
  const siteIds = new Set<string>();
  const merchants = root.merchants.map((raw, i): MerchantConfig => {
    const path = `${where}.merchants[${i}]`;
    const m = object(raw, path, ['id', 'name', 'categoryCode', 'currency', 'purposes', 'maxAmount', 'sites'], ['id', 'name', 'currency', 'purposes', 'maxAmount', 'sites']);
    const id = f.id(m.id, `${path}.id`);
    if (merchantIds.has(id)) throw new MerchantsConfigError(`${path}.id`, `${id} is given twice`);
    merchantIds.add(id);
    const purposes = f.purposes(m.purposes, `${path}.purposes`);
    if (!Array.isArray(m.sites) || m.sites.length === 0) throw new MerchantsConfigError(`${path}.sites`, 'must be a non-empty array');
    const sites = m.sites.map((rawSite, j): SiteRecord => {
      const sitePath = `${path}.sites[${j}]`;
      const s = object(rawSite, sitePath, ['id', 'name', 'latitude', 'longitude', 'radius'], ['id', 'name', 'latitude', 'longitude', 'radius']);
      const siteId = f.id(s.id, `${sitePath}.id`);
      if (siteIds.has(siteId)) throw new MerchantsConfigError(`${sitePath}.id`, `${siteId} is given twice`);
      siteIds.add(siteId);
      return {
        id: siteId, merchantId: id, name: f.name(s.name, `${sitePath}.name`),
        latitude: f.latitude(s.latitude, `${sitePath}.latitude`), longitude: f.longitude(s.longitude, `${sitePath}.longitude`),
        radius: f.radius(s.radius, `${sitePath}.radius`),
      };
    });
    const first = sites[0];
    return {
      profile: {
        merchantId: id, name: f.name(m.name, `${path}.name`), currency: f.currency(m.currency, `${path}.currency`),
        purposes, site: { latitude: first.latitude, longitude: first.longitude, radius: first.radius },
      },
      categoryCode: m.categoryCode === undefined ? null : f.categoryCode(m.categoryCode, `${path}.categoryCode`),
      maxAmount: f.maxAmount(m.maxAmount, `${path}.maxAmount`),
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

/** What applying the merchants file did to one merchant or site. */
export interface ImportLine {
  kind: 'merchant' | 'site';
  id: string;
  /**
   * created; updated (the configuration wrote it last); unchanged (already as the file says); kept (the operator
   * edited it since and it differs from the file: the operator's stays, `differs` names the fields); replaced (an
   * operator's edit overwritten by the file, asked for with `replace`).
   */
  action: 'created' | 'updated' | 'unchanged' | 'kept' | 'replaced';
  differs?: string[];
}

/**
 * Applies the merchants file: creates what is missing and updates what the
 * configuration wrote, but never silently overwrites the operator's edits
 * (`qrpay operator merchant|site add|edit`): a merchant or site the operator
 * wrote last that differs from the file is kept and reported (`kept`), unless
 * `replace` asks for the file's version (which then owns it again). Merchants
 * and sites not in the file are left as they are (terminals and payments
 * refer to them). A site never moves to another merchant (an error).
 */
export async function applyMerchants(tx: Tx, config: MerchantsConfig, now: number, options: { replace?: boolean } = {}): Promise<ImportLine[]> {
  const lines: ImportLine[] = [];
  const settle = async (kind: ImportLine['kind'], id: string, known: object | undefined, wanted: object, origin: RecordOrigin | undefined, write: () => Promise<void>) => {
    if (!known) {
      await write();
      return lines.push({ kind, id, action: 'created' });
    }
    const differs = differences(known, wanted);
    if (origin === 'operator' && !options.replace) return lines.push(differs.length === 0 ? { kind, id, action: 'unchanged' } : { kind, id, action: 'kept', differs });
    if (origin === 'config' && differs.length === 0) return lines.push({ kind, id, action: 'unchanged' });
    await write();
    return lines.push({ kind, id, action: origin === 'operator' ? 'replaced' : 'updated' });
  };
  for (const merchant of config.merchants) {
    const id = merchant.profile.merchantId;
    const wanted: Merchant = { ...merchant.profile, categoryCode: merchant.categoryCode, maxAmount: merchant.maxAmount };
    await settle('merchant', id, await tx.merchants.get(id), wanted, await tx.merchants.origin(id), () => tx.merchants.upsert(wanted, merchant.maxAmount, now, 'config'));
    for (const site of merchant.sites) {
      const known = await tx.sites.get(site.id);
      if (known && known.merchantId !== site.merchantId) throw new Error(`site ${site.id} belongs to another merchant than ${site.merchantId}`);
      await settle('site', site.id, known, site, await tx.sites.origin(site.id), () => tx.sites.upsert(site, now, 'config'));
    }
  }
  return lines;
}

/** What a `kept` line tells the operator: the file was not applied there, and how to apply it. */
export function keptNotice(line: ImportLine): string {
  return `merchants file: ${line.kind} ${line.id} differs from the operator's edit (${(line.differs ?? []).join(', ')}); the operator's is kept `
    + '(qrpay operator merchant import --replace applies the file)';
}

/** The fields (dotted for the geofence) where two records differ. */
function differences(known: object, wanted: object): string[] {
  const a = known as Record<string, unknown>;
  const b = wanted as Record<string, unknown>;
  const out: string[] = [];
  for (const key of Object.keys(b)) {
    if (key === 'site') out.push(...differences(a.site as object, b.site as object).map((k) => `site.${k}`));
    else if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) out.push(key);
  }
  return out;
}

/** What the operator gives for a merchant: unchecked values, checked by `merchantFields` (errors name the field). */
export interface MerchantInput {
  name?: unknown;
  categoryCode?: unknown;
  currency?: unknown;
  purposes?: unknown;
  maxAmount?: unknown;
  /** The merchant's own geofence: what its terminals enrolled without a site are judged by. */
  latitude?: unknown;
  longitude?: unknown;
  radius?: unknown;
}

export interface SiteInput {
  name?: unknown;
  latitude?: unknown;
  longitude?: unknown;
  radius?: unknown;
}

const merchantKeys = ['name', 'categoryCode', 'currency', 'purposes', 'maxAmount', 'latitude', 'longitude', 'radius'] as const;
const siteKeys = ['name', 'latitude', 'longitude', 'radius'] as const;

/** `categoryCode` null (or '') clears it; every other field, when given, is checked. */
function checkedMerchant(id: string, input: MerchantInput, base?: Merchant): Merchant {
  const f = merchantFields;
  const given = <K extends keyof MerchantInput>(key: K, fallback: unknown) => (input[key] === undefined ? fallback : input[key]);
  for (const key of merchantKeys) if (base === undefined && key !== 'categoryCode' && input[key] === undefined) throw new MerchantsConfigError(key, 'is missing');
  const category = given('categoryCode', base?.categoryCode ?? null);
  return {
    merchantId: id,
    name: f.name(given('name', base?.name), 'name'),
    currency: f.currency(given('currency', base?.currency), 'currency'),
    purposes: f.purposes(given('purposes', base?.purposes), 'purposes'),
    site: {
      latitude: f.latitude(given('latitude', base?.site.latitude), 'latitude'),
      longitude: f.longitude(given('longitude', base?.site.longitude), 'longitude'),
      radius: f.radius(given('radius', base?.site.radius), 'radius'),
    },
    maxAmount: f.maxAmount(given('maxAmount', base?.maxAmount), 'maxAmount'),
    categoryCode: category === null || category === '' ? null : f.categoryCode(category, 'categoryCode'),
  };
}

function checkedSite(id: string, merchantId: string, input: SiteInput, base?: SiteRecord): SiteRecord {
  const f = merchantFields;
  for (const key of siteKeys) if (base === undefined && input[key] === undefined) throw new MerchantsConfigError(key, 'is missing');
  const given = <K extends keyof SiteInput>(key: K, fallback: unknown) => (input[key] === undefined ? fallback : input[key]);
  return {
    id, merchantId, name: f.name(given('name', base?.name), 'name'),
    latitude: f.latitude(given('latitude', base?.latitude), 'latitude'), longitude: f.longitude(given('longitude', base?.longitude), 'longitude'),
    radius: f.radius(given('radius', base?.radius), 'radius'),
  };
}

/** The operator creates a merchant (every field but the category code required); a taken id is a conflict. */
export async function addMerchant(tx: Tx, id: string, input: MerchantInput, now: number): Promise<Merchant> {
  const merchant = checkedMerchant(merchantFields.id(id, 'id'), input);
  if (!(await tx.merchants.insert(merchant, merchant.maxAmount, now, 'operator'))) throw new DomainRefusal('conflict', `merchant ${id} exists (edit it: qrpay operator merchant edit ${id})`);
  return merchant;
}

/**
 * The operator changes some of a merchant's fields. The authorizer applies them
 * from its next request on; terminals learn the name, purposes, limit and
 * geofence with their next enrollment. The currency changes only while no
 * terminal is enrolled: each one learned it at enrollment, and all its
 * requests would be declined `currency-mismatch`.
 */
export async function editMerchant(tx: Tx, id: string, input: MerchantInput, now: number): Promise<{ merchant: Merchant; changed: string[] }> {
  const known = await tx.merchants.get(id);
  if (!known) throw new DomainRefusal('not-found', `no merchant ${id}`);
  const merchant = checkedMerchant(id, input, known);
  const changed = differences(known, merchant);
  if (changed.includes('currency') && (await tx.views.terminals()).some((t) => t.merchant_id === id)) {
    throw new DomainRefusal('conflict', `merchant ${id} has enrolled terminals: they learned ${known.currency} at enrollment, so its currency stays`);
  }
  if (changed.length > 0) await tx.merchants.upsert(merchant, merchant.maxAmount, now, 'operator');
  return { merchant, changed };
}

/** The operator adds a site (a geofence terminals can be enrolled into) to an existing merchant. */
export async function addSite(tx: Tx, id: string, merchantId: string, input: SiteInput, now: number): Promise<SiteRecord> {
  const site = checkedSite(merchantFields.id(id, 'id'), merchantId, input);
  if (!(await tx.merchants.get(merchantId))) throw new DomainRefusal('not-found', `no merchant ${merchantId}`);
  if (!(await tx.sites.insert(site, now, 'operator'))) throw new DomainRefusal('conflict', `site ${id} exists (edit it: qrpay operator site edit ${id})`);
  return site;
}

/** The operator moves or renames a site: its terminals are judged by the new geofence from their next request. */
export async function editSite(tx: Tx, id: string, input: SiteInput, now: number): Promise<{ site: SiteRecord; changed: string[] }> {
  const known = await tx.sites.get(id);
  if (!known) throw new DomainRefusal('not-found', `no site ${id}`);
  const site = checkedSite(id, known.merchantId, input, known);
  const changed = differences(known, site);
  if (changed.length > 0) await tx.sites.upsert(site, now, 'operator');
  return { site, changed };
}

/** The merchant as a terminal enrolled at a site sees it: the site's geofence instead of the merchant's own. */
export async function merchantAt(tx: Tx, terminal: TerminalRecord): Promise<Merchant> {
  const merchant = (await tx.merchants.get(terminal.merchantId))!;
  const site = terminal.siteId === null ? undefined : await tx.sites.get(terminal.siteId);
  return site ? { ...merchant, site: { latitude: site.latitude, longitude: site.longitude, radius: site.radius } } : merchant;
}
