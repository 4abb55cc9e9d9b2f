/**
 * `qrpay operator merchant|site list|add|edit` and `merchant import` through
 * the real command line (argument parsing, checks, exit codes, output), on
 * SQLite (--data-dir) and on PostgreSQL (--database, a server this file
 * starts): the operator creates a merchant and its sites, edits them, and the
 * merchants file applied at every start never silently overwrites those
 * edits. A terminal provisioned at the operator's site enrolls with its
 * geofence and limit.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { composeAuthorizer } from '../../../tools/authorizer/composition';
import { startAuthorizer } from '../../../tools/authorizer/authorizer';
import { run as operator } from '../../../tools/operator/cli';
import { captureConsole } from '../../support/capture-console';
import { enrollBenchTerminal } from '../../support/judgement-world';
import { postgresAvailability, PostgresServer } from '../../support/postgres-server';

const root = mkdtempSync(join(tmpdir(), 'qrpay-operator-merchants-'));
const postgres = postgresAvailability();
let server: PostgresServer | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});
if (!postgres.ok) it.skip(`operator merchants on PostgreSQL — skipped: ${postgres.reason}`, () => undefined);

const velo = [
  '--name', 'Velo Lyon', '--currency', 'EUR', '--purposes', 'bike-unlock,counter-sale', '--max-amount', '3000', '--category', '7999',
  '--latitude', '45.7578', '--longitude', '4.832', '--radius', '150',
];

describe.each(['sqlite', 'PostgreSQL'].filter((kind) => kind === 'sqlite' || postgres.ok))('qrpay operator merchant and site, on %s', (kind) => {
  let where: string[] = [];
  let dataDir = '';
  beforeAll(async () => {
    dataDir = join(root, kind);
    if (kind === 'PostgreSQL') {
      server ??= await PostgresServer.start();
      where = ['--data-dir', dataDir, '--database', await server.createDatabase()];
    } else where = ['--data-dir', dataDir];
    // The authorizer's first start: the database, the keys, the default merchant.
    await (await composeAuthorizer({ dataDir, ...(kind === 'PostgreSQL' ? { database: where[3] } : {}) })).close();
  });
  const cli = (...args: string[]) => captureConsole(() => operator([...args, ...where]));

  it('adds a merchant and its sites, lists them with who wrote them, and refuses bad values naming the option', async () => {
    const added = await cli('merchant', 'add', 'M-VELO', ...velo);
    expect([added.code, added.out]).toEqual([0, 'added merchant M-VELO (Velo Lyon, EUR, up to 3000)']);
    const again = await cli('merchant', 'add', 'M-VELO', ...velo);
    expect([again.code, again.err]).toEqual([1, 'qrpay operator: merchant M-VELO exists (edit it: qrpay operator merchant edit M-VELO)']);
    for (const [change, message] of [
      [['--currency', 'EUX'], '--currency: EUX is not an ISO 4217 currency in use'],
      [['--currency', 'eur'], '--currency: must be an ISO 4217 code (three capitals)'],
      [['--category', '79'], '--category: must be an ISO 18245 code (four digits)'],
      [['--max-amount', '12.5'], '--max-amount: must be a whole number from 1 to 1000000000000'],
      [['--radius', 'wide'], '--radius: must be a number from 1 to 100000'],
      [['--latitude', ''], '--latitude: must be a number from -90 to 90'],
      [['--purposes', 'bike-unlock,parking'], '--purposes: must be a non-empty array of counter-sale, bike-unlock, arcade-credit'],
    ]) {
      const args = [...velo];
      args[args.indexOf(change[0]) + 1] = change[1];
      const refused = await cli('merchant', 'add', 'M-BAD', ...args);
      expect([refused.code, refused.err.split('\n')[0]]).toEqual([2, `qrpay operator: ${message}`]);
    }
    const missing = await cli('merchant', 'add', 'M-BAD', '--name', 'x');
    expect([missing.code, missing.err.split('\n')[0]]).toEqual([2, 'qrpay operator: --currency: is missing']);
    const badId = await cli('merchant', 'add', 'M BAD', ...velo);
    expect(badId.err.split('\n')[0]).toBe('qrpay operator: ID: must be 1-32 letters, digits or dashes');

    const site = await cli('site', 'add', 'S-BELLECOUR', '--merchant', 'M-VELO', '--name', 'Place Bellecour', '--latitude', '45.7578', '--longitude', '4.832', '--radius', '120');
    expect([site.code, site.out]).toEqual([0, 'added site S-BELLECOUR to merchant M-VELO (45.7578, 4.832 ±120 m)']);
    const noMerchant = await cli('site', 'add', 'S-X', '--merchant', 'M-NONE', '--name', 'x', '--latitude', '0', '--longitude', '0', '--radius', '5');
    expect([noMerchant.code, noMerchant.err]).toEqual([1, 'qrpay operator: no merchant M-NONE']);
    const merchants = JSON.parse((await cli('merchant', 'list', '--json')).out) as Record<string, unknown>[];
    expect(merchants.map((m) => [m.id, m.category, m.currency, m.purposes, m.max_amount, m.geofence, m.sites, m.origin])).toEqual([
      ['M-DEMO', null, 'EUR', 'counter-sale,bike-unlock,arcade-credit', 50_000, '48.8675, 2.3638 ±250 m', '', 'config'],
      ['M-VELO', '7999', 'EUR', 'bike-unlock,counter-sale', 3000, '45.7578, 4.832 ±150 m', 'S-BELLECOUR (Place Bellecour: 45.7578, 4.832 ±120 m)', 'operator'],
    ]);
    expect(JSON.parse((await cli('site', 'list', '--merchant', 'M-VELO', '--json')).out)).toEqual([
      { id: 'S-BELLECOUR', merchant: 'M-VELO', name: 'Place Bellecour', latitude: 45.7578, longitude: 4.832, radius: 120, origin: 'operator' },
    ]);
    expect((await cli('merchant', 'list')).out.split('\n')[0]).toMatch(/^id\s+name\s+category\s+currency\s+purposes\s+max_amount\s+geofence\s+sites\s+origin$/);
  });

  it('edits a merchant and a site; a terminal provisioned at the site enrolls with the edited geofence', async () => {
    const edited = await cli('merchant', 'edit', 'M-VELO', '--max-amount', '2000', '--category', 'none');
    expect([edited.code, edited.out]).toEqual([0, 'edited merchant M-VELO: maxAmount, categoryCode']);
    expect((await cli('merchant', 'edit', 'M-VELO', '--max-amount', '2000')).out).toBe('merchant M-VELO unchanged');
    const nothing = await cli('merchant', 'edit', 'M-VELO');
    expect([nothing.code, nothing.err.split('\n')[0]]).toEqual([2, expect.stringMatching(/^qrpay operator: merchant edit wants at least one of --name/)]);
    expect((await cli('merchant', 'edit', 'M-NONE', '--name', 'x')).err).toBe('qrpay operator: no merchant M-NONE');
    expect((await cli('site', 'edit', 'S-BELLECOUR', '--radius', '80', '--name', 'Bellecour')).out).toBe('edited site S-BELLECOUR: name, radius');
    expect((await cli('site', 'edit', 'S-BELLECOUR', '--merchant', 'M-DEMO', '--radius', '1')).code).toBe(2);
    expect((await cli('site', 'edit', 'S-NONE', '--radius', '1')).err).toBe('qrpay operator: no site S-NONE');
    expect((await cli('site', 'move', 'S-BELLECOUR')).err.split('\n')[0]).toBe('qrpay operator: site wants list, add or edit, not move');

    const token = (await cli('provision', '--merchant', 'M-VELO', '--site', 'S-BELLECOUR', '--json'));
    const running = await startAuthorizer({ dataDir, ...(kind === 'PostgreSQL' ? { database: where[3] } : {}) });
    try {
      const terminal = await enrollBenchTerminal({ url: running.url, decisionKey: running.decisionKey, now: Date.now }, '1.0.0', Buffer.from((JSON.parse(token.out) as { token: string }).token, 'hex'));
      expect(terminal.site).toEqual({ latitude: 45.7578, longitude: 4.832, radius: 80 });
      // Its terminal learned EUR: the operator cannot change the merchant's currency under it.
      const currency = await cli('merchant', 'edit', 'M-VELO', '--currency', 'CHF');
      expect([currency.code, currency.err]).toEqual([1, 'qrpay operator: merchant M-VELO has enrolled terminals: they learned EUR at enrollment, so its currency stays']);
    } finally {
      await running.close();
    }
  });

  it('the merchants file is an import: it adds and updates what the configuration wrote, keeps the operator\'s edits and says so, --replace applies it', async () => {
    const file = join(root, `${kind}-merchants.json`);
    writeFileSync(file, JSON.stringify({
      merchants: [{
        id: 'M-VELO', name: 'Velo', categoryCode: '7999', currency: 'EUR', purposes: ['bike-unlock'], maxAmount: 3000,
        sites: [{ id: 'S-BELLECOUR', name: 'Place Bellecour', latitude: 45.7578, longitude: 4.832, radius: 150 }, { id: 'S-PARTDIEU', name: 'Part-Dieu', latitude: 45.7606, longitude: 4.8597, radius: 150 }],
      }],
    }));
    const imported = await cli('merchant', 'import', '--merchants', file, '--json');
    expect(JSON.parse(imported.out)).toEqual([
      { kind: 'merchant', id: 'M-VELO', action: 'kept', differs: 'name, purposes, categoryCode, maxAmount' },
      { kind: 'site', id: 'S-BELLECOUR', action: 'kept', differs: 'name, radius' },
      { kind: 'site', id: 'S-PARTDIEU', action: 'created', differs: null },
    ]);
    // Any other command applies the file too, and says on stderr what it did not overwrite.
    const listed = await cli('site', 'list', '--merchants', file, '--json');
    expect(listed.err.split('\n')).toEqual([
      "qrpay operator: note: merchants file: merchant M-VELO differs from the operator's edit (name, purposes, categoryCode, maxAmount); the operator's is kept (qrpay operator merchant import --replace applies the file)",
      "qrpay operator: note: merchants file: site S-BELLECOUR differs from the operator's edit (name, radius); the operator's is kept (qrpay operator merchant import --replace applies the file)",
    ]);
    expect((JSON.parse(listed.out) as { id: string; radius: number; origin: string }[]).map((s) => [s.id, s.radius, s.origin])).toEqual([
      ['S-BELLECOUR', 80, 'operator'], ['S-PARTDIEU', 150, 'config'],
    ]);
    // A start of the authorizer with the file keeps them as well.
    const started = await composeAuthorizer({ dataDir, ...(kind === 'PostgreSQL' ? { database: where[3] } : {}), merchants: (await import('../../../tools/authorizer/domain/merchants')).loadMerchantsConfig(file) });
    expect(started.merchantsImport.filter((l) => l.action === 'kept').map((l) => l.id)).toEqual(['M-VELO', 'S-BELLECOUR']);
    await started.close();

    const replaced = await cli('merchant', 'import', '--replace', '--merchants', file);
    expect(replaced.out.split('\n').slice(1).map((line) => line.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'merchant M-VELO replaced', 'site S-BELLECOUR replaced', 'site S-PARTDIEU unchanged',
    ]);
    const after = JSON.parse((await cli('merchant', 'list', '--merchants', file, '--json')).out) as Record<string, unknown>[];
    expect(after.find((m) => m.id === 'M-VELO')).toMatchObject({ name: 'Velo', max_amount: 3000, origin: 'config' });
    expect((await cli('merchant', 'list', '--merchants', file)).err).toBe('');
    const noFile = await cli('merchant', 'import');
    expect([noFile.code, noFile.err.split('\n')[0]]).toEqual([2, 'qrpay operator: merchant import wants a merchants file (DATA_DIR/merchants.json or --merchants FILE)']);
  });
});
