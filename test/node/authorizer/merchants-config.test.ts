/**
 * The merchants file (domain/merchants.ts): what it accepts, and a clear
 * error naming the value at fault for what it does not; and the operator's
 * command line reading it: `qrpay operator merchants` lists what the file
 * made, `provision --site` issues a token for one of the merchant's sites.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMerchantsConfig, merchantsConfigFor, MerchantsConfigError, parseMerchantsConfig } from '../../../tools/authorizer/domain/merchants';
import { composeAuthorizer } from '../../../tools/authorizer/composition';
import { run as operator } from '../../../tools/operator/cli';
import { captureConsole } from '../../support/capture-console';

const velo = {
  id: 'M-VELO', name: 'Velo Lyon', categoryCode: '7999', currency: 'EUR', purposes: ['bike-unlock'], maxAmount: 3000,
  sites: [{ id: 'S-DOCK-1', name: 'dock 1', latitude: 45.75, longitude: 4.83, radius: 30 }, { id: 'S-DOCK-2', name: 'dock 2', latitude: 45.76, longitude: 4.84, radius: 30 }],
};
const root = mkdtempSync(join(tmpdir(), 'qrpay-merchants-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the merchants file', () => {
  it('reads merchants with their sites; a merchant\'s own site is its first', () => {
    const config = parseMerchantsConfig({ merchants: [velo] });
    expect(config.merchants[0]).toEqual({
      profile: { merchantId: 'M-VELO', name: 'Velo Lyon', currency: 'EUR', purposes: ['bike-unlock'], site: { latitude: 45.75, longitude: 4.83, radius: 30 } },
      categoryCode: '7999', maxAmount: 3000,
      sites: velo.sites.map((s) => ({ ...s, merchantId: 'M-VELO' })),
    });
  });

  it.each([
    [{}, 'merchants.merchants: is missing'],
    [{ merchants: [] }, 'merchants.merchants: must be a non-empty array'],
    [{ merchants: [{ ...velo, colour: 'red' }] }, 'merchants.merchants[0].colour: unknown key'],
    [{ merchants: [{ ...velo, categoryCode: '79' }] }, 'merchants.merchants[0].categoryCode: must be an ISO 18245 code (four digits)'],
    [{ merchants: [{ ...velo, currency: 'eur' }] }, 'merchants.merchants[0].currency: must be an ISO 4217 code (three capitals)'],
    [{ merchants: [{ ...velo, purposes: ['parking'] }] }, 'merchants.merchants[0].purposes: must be a non-empty array of counter-sale, bike-unlock, arcade-credit'],
    [{ merchants: [{ ...velo, maxAmount: 0.5 }] }, 'merchants.merchants[0].maxAmount: must be a whole number from 1 to 1000000000000'],
    [{ merchants: [{ ...velo, sites: [] }] }, 'merchants.merchants[0].sites: must be a non-empty array'],
    [{ merchants: [{ ...velo, sites: [{ ...velo.sites[0], latitude: 91 }] }] }, 'merchants.merchants[0].sites[0].latitude: must be a number from -90 to 90'],
    [{ merchants: [{ ...velo, sites: [velo.sites[0], velo.sites[0]] }] }, 'merchants.merchants[0].sites[1].id: S-DOCK-1 is given twice'],
    [{ merchants: [velo, velo] }, 'merchants.merchants[1].id: M-VELO is given twice'],
    [{ merchants: [{ ...velo, id: 'M VELO' }] }, 'merchants.merchants[0].id: must be 1-32 letters, digits or dashes'],
  ])('refuses %j: %s', (input, message) => {
    expect(() => parseMerchantsConfig(input)).toThrow(MerchantsConfigError);
    expect(() => parseMerchantsConfig(input)).toThrow(message);
  });

  it('is read from --merchants FILE, else DATA_DIR/merchants.json, else there is none; a broken file names itself', () => {
    const dir = join(root, 'lookup');
    expect(merchantsConfigFor(dir)).toBeUndefined();
    const file = join(root, 'merchants.json');
    writeFileSync(file, JSON.stringify({ merchants: [velo] }));
    expect(merchantsConfigFor(dir, file)?.merchants[0].profile.name).toBe('Velo Lyon');
    writeFileSync(file, '{ "merchants": [');
    expect(() => loadMerchantsConfig(file)).toThrow(new RegExp(`^${file}: `));
  });

  it('qrpay operator merchants lists them; provision --site issues a token for one of the merchant\'s own sites only', async () => {
    const dataDir = join(root, 'authorizer');
    // The authorizer's first start in that directory, with the file in it.
    await (await composeAuthorizer({ dataDir })).close();
    writeFileSync(join(dataDir, 'merchants.json'), JSON.stringify({ merchants: [velo] }));
    const listed = await captureConsole(() => operator(['merchants', '--data-dir', dataDir, '--json']));
    const rows = JSON.parse(listed.out) as { id: string; category: string | null; sites: string }[];
    // The simulator's merchant of the first start stays (merchants are never deleted); the file's is added.
    expect(rows.map((r) => [r.id, r.category])).toEqual([['M-DEMO', null], ['M-VELO', '7999']]);
    expect(rows[1].sites).toBe('S-DOCK-1 (dock 1: 45.75, 4.83 ±30 m); S-DOCK-2 (dock 2: 45.76, 4.84 ±30 m)');
    const token = await captureConsole(() => operator(['provision', '--merchant', 'M-VELO', '--site', 'S-DOCK-2', '--data-dir', dataDir]));
    expect(token.code).toBe(0);
    expect(token.out).toMatch(/^[0-9a-f]{32}\n\(one terminal, merchant M-VELO, site S-DOCK-2, until /);
    const wrong = await captureConsole(() => operator(['provision', '--merchant', 'M-DEMO', '--site', 'S-DOCK-2', '--data-dir', dataDir]));
    expect([wrong.code, wrong.err]).toEqual([1, expect.stringMatching(/no site S-DOCK-2 of merchant M-DEMO/)]);
    const broken = await captureConsole(() => operator(['merchants', '--data-dir', dataDir, '--merchants', join(root, 'nowhere.json')]));
    expect([broken.code, broken.err]).toEqual([2, expect.stringMatching(/nowhere\.json: ENOENT/)]);
  });
});
