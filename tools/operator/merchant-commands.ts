/**
 * `qrpay operator merchant list|add|edit|import` and `site list|add|edit`: the
 * operator creates and changes merchants (name, ISO 18245 category code,
 * ISO 4217 currency, purposes, limit, own geofence) and their sites
 * (geofences terminals are enrolled into) in the database, through the store
 * port, on any engine. The merchants file stays an import: each start (and
 * each operator command) applies it, but what the operator wrote last is
 * never overwritten by it; `merchant import --replace` hands such records
 * back to the file (domain/merchants.ts, docs/authorizer.md).
 */
import type { Authorizer } from '../authorizer/composition';
import {
  addMerchant, addSite, applyMerchants, editMerchant, editSite, keptNotice, MerchantsConfigError, type ImportLine, type MerchantInput, type MerchantsConfig,
  type SiteInput,
} from '../authorizer/domain/merchants';
import type { Merchant, SiteRecord } from '../authorizer/store/ports';

/** The options these commands add to `qrpay operator` (parseArgs shapes; --merchant and --site are the CLI's own). */
export const merchantOptions = {
  name: { type: 'string' },
  category: { type: 'string' },
  currency: { type: 'string' },
  purposes: { type: 'string' },
  'max-amount': { type: 'string' },
  latitude: { type: 'string' },
  longitude: { type: 'string' },
  radius: { type: 'string' },
  replace: { type: 'boolean', default: false },
} as const;

export const merchantHelp = `  merchant list                      the merchants with their category, currency, limit, own geofence, sites, and who wrote them
                                     (config: the merchants file or the default merchant; operator: these commands)
  merchant add ID --name TEXT --currency CODE --purposes P[,P] --max-amount MINOR
               --latitude DEG --longitude DEG --radius M [--category MCC]
                                     create a merchant (ISO 4217 currency, ISO 18245 category code, its own geofence:
                                     what its terminals enrolled without a site are judged by)
  merchant edit ID [any of the add options; --category none clears it]
                                     change a merchant from the next request on (terminals learn it at their next
                                     enrollment; the currency only while it has no terminals)
  merchant import [--replace]        apply the merchants file now and say what it did; the file never overwrites what the
                                     operator wrote (kept) unless --replace, which hands those back to the file
  site list [--merchant ID]          the sites (geofences terminals are enrolled into)
  site add ID --merchant ID --name TEXT --latitude DEG --longitude DEG --radius M
  site edit ID [--name TEXT] [--latitude DEG] [--longitude DEG] [--radius M]
                                     move or rename a site: its terminals are judged by the new geofence`;

export type MerchantValues = { [K in keyof typeof merchantOptions]?: (typeof merchantOptions)[K]['type'] extends 'boolean' ? boolean : string } & {
  merchant?: string;
  json: boolean;
};

/** Which option gives which field, for errors in the operator's words. */
const optionFor: Record<string, string> = {
  id: 'ID', name: '--name', categoryCode: '--category', currency: '--currency', purposes: '--purposes', maxAmount: '--max-amount',
  latitude: '--latitude', longitude: '--longitude', radius: '--radius',
};

/** A usage error (exit 2) in the operator's words. */
export class MerchantUsage extends Error {}

/** Tells the operator, on stderr, where the merchants file was not applied because the operator's edit differs. */
export function noteKept(lines: ImportLine[]): void {
  for (const line of lines) if (line.action === 'kept') console.error(`qrpay operator: note: ${keptNotice(line)}`);
}

/**
 * Runs `merchant SUB ...` or `site SUB ...`; returns what to print (rows or
 * one object), or throws MerchantUsage / DomainRefusal.
 */
export async function merchantCommand(
  authorizer: Pick<Authorizer, 'store' | 'now' | 'merchantsImport'>, command: 'merchant' | 'site', sub: string | undefined, id: string | undefined,
  values: MerchantValues, file: MerchantsConfig | undefined,
): Promise<{ rows: object[] | object; message?: string }> {
  const { store } = authorizer;
  const now = authorizer.now();
  const checked = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof MerchantsConfigError) throw new MerchantUsage(`${optionFor[error.path] ?? error.path}: ${error.message.slice(error.path.length + 2)}`);
      throw error;
    }
  };
  if (command === 'merchant') {
    switch (sub) {
      case 'list':
        return { rows: await store.transaction(async (tx) => Promise.all((await tx.merchants.list()).map(async (m) => merchantRow(m, await tx.sites.forMerchant(m.merchantId), await tx.merchants.origin(m.merchantId))))) };
      case 'add': {
        const merchant = await checked(() => store.transaction((tx) => addMerchant(tx, need(id, 'merchant add'), merchantInput(values), now)));
        return { rows: merchantRow(merchant, [], 'operator'), message: `added merchant ${merchant.merchantId} (${merchant.name}, ${merchant.currency}, up to ${merchant.maxAmount})` };
      }
      case 'edit': {
        const input = merchantInput(values);
        if (Object.keys(input).length === 0) throw new MerchantUsage('merchant edit wants at least one of --name, --category, --currency, --purposes, --max-amount, --latitude, --longitude, --radius');
        const { merchant, changed } = await checked(() => store.transaction((tx) => editMerchant(tx, need(id, 'merchant edit'), input, now)));
        return { rows: { ...merchantRow(merchant, [], 'operator'), changed }, message: changed.length ? `edited merchant ${merchant.merchantId}: ${changed.join(', ')}` : `merchant ${merchant.merchantId} unchanged` };
      }
      case 'import': {
        if (!file) throw new MerchantUsage('merchant import wants a merchants file (DATA_DIR/merchants.json or --merchants FILE)');
        // Every command applied the file already (without --replace); --replace applies it again over the operator's edits.
        const lines = values.replace ? await store.transaction((tx) => applyMerchants(tx, file, now, { replace: true })) : authorizer.merchantsImport;
        return { rows: lines.map((l) => ({ kind: l.kind, id: l.id, action: l.action, differs: l.differs?.join(', ') ?? null })) };
      }
      default:
        throw new MerchantUsage(`merchant wants list, add, edit or import${sub ? `, not ${sub}` : ''}`);
    }
  }
  switch (sub) {
    case 'list':
      return {
        rows: await store.transaction(async (tx) => {
          const merchants = values.merchant ? [values.merchant] : (await tx.merchants.list()).map((m) => m.merchantId);
          const rows = [];
          for (const merchantId of merchants) for (const site of await tx.sites.forMerchant(merchantId)) rows.push(siteRow(site, await tx.sites.origin(site.id)));
          return rows;
        }),
      };
    case 'add': {
      if (!values.merchant) throw new MerchantUsage('site add wants --merchant ID');
      const site = await checked(() => store.transaction((tx) => addSite(tx, need(id, 'site add'), values.merchant!, siteInput(values), now)));
      return { rows: siteRow(site, 'operator'), message: `added site ${site.id} to merchant ${site.merchantId} (${site.latitude}, ${site.longitude} ±${site.radius} m)` };
    }
    case 'edit': {
      if (values.merchant) throw new MerchantUsage('a site never moves to another merchant (add a new site instead)');
      const input = siteInput(values);
      if (Object.keys(input).length === 0) throw new MerchantUsage('site edit wants at least one of --name, --latitude, --longitude, --radius');
      const { site, changed } = await checked(() => store.transaction((tx) => editSite(tx, need(id, 'site edit'), input, now)));
      return { rows: { ...siteRow(site, 'operator'), changed }, message: changed.length ? `edited site ${site.id}: ${changed.join(', ')}` : `site ${site.id} unchanged` };
    }
    default:
      throw new MerchantUsage(`site wants list, add or edit${sub ? `, not ${sub}` : ''}`);
  }
}

function need(id: string | undefined, what: string): string {
  if (!id) throw new MerchantUsage(`${what} wants an ID`);
  return id;
}

/** A number option: as given ('' and words stay not-a-number, so the field's rule refuses them with its range). */
const numeric = (text: string | undefined): unknown => (text === undefined ? undefined : text.trim() === '' ? Number.NaN : Number(text));

function merchantInput(v: MerchantValues): MerchantInput {
  const input: MerchantInput = {
    name: v.name, currency: v.currency, purposes: v.purposes?.split(',').map((p) => p.trim()),
    categoryCode: v.category === 'none' ? null : v.category, maxAmount: numeric(v['max-amount']),
    latitude: numeric(v.latitude), longitude: numeric(v.longitude), radius: numeric(v.radius),
  };
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

function siteInput(v: MerchantValues): SiteInput {
  const input: SiteInput = { name: v.name, latitude: numeric(v.latitude), longitude: numeric(v.longitude), radius: numeric(v.radius) };
  return Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
}

function merchantRow(m: Merchant, sites: SiteRecord[], origin: string | undefined) {
  return {
    id: m.merchantId, name: m.name, category: m.categoryCode, currency: m.currency, purposes: m.purposes.join(','), max_amount: m.maxAmount,
    geofence: `${m.site.latitude}, ${m.site.longitude} ±${m.site.radius} m`,
    sites: sites.map((x) => `${x.id} (${x.name}: ${x.latitude}, ${x.longitude} ±${x.radius} m)`).join('; '), origin: origin ?? null,
  };
}

function siteRow(s: SiteRecord, origin: string | undefined) {
  return { id: s.id, merchant: s.merchantId, name: s.name, latitude: s.latitude, longitude: s.longitude, radius: s.radius, origin: origin ?? null };
}
