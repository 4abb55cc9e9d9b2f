/**
 * Enrollment with an operator-signed voucher (`qrpay operator voucher`,
 * src/authorization/voucher.ts) against two real authorizer processes over
 * one database (what --workers runs): issued without a database row, it
 * enrolls one terminal, once, for its merchant at its site, even when boards
 * race with it across the workers; a forged, altered, expired or misplaced
 * voucher enrolls nobody and is stored nowhere; the terminal core carries it
 * where it carries a token and pays.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeEntropy } from '../../../hal/sim/entropy';
import { decode, encode, type CborMap } from '../../../src/codec/cbor';
import { decodeSign1, encodeSign1 } from '../../../src/cose/sign1';
import { signEnrollmentRequest, verifyEnrollmentAnswer, type EnrollmentAnswer } from '../../../src/authorization/enrollment';
import { checkVoucher, signVoucher, voucherIdBytes } from '../../../src/authorization/voucher';
import { startAuthorizer, type RunningAuthorizer } from '../../../tools/authorizer/authorizer';
import { parseMerchantsConfig } from '../../../tools/authorizer/domain/merchants';
import { run as operatorCli } from '../../../tools/operator/cli';
import { createKeyPair, signerFor } from '../../../tools/wallet/wallet';
import { captureConsole } from '../../support/capture-console';
import { bootTerminal, coffee, pay, Wallet } from '../../support/e2e-world';

const hour = 3_600_000;
const merchants = parseMerchantsConfig({
  merchants: [
    {
      id: 'M-DEMO', name: 'Cafe Lumiere', currency: 'EUR', purposes: ['counter-sale', 'bike-unlock'], maxAmount: 50_000,
      sites: [
        { id: 'S-COUNTER', name: 'the counter', latitude: 48.8566, longitude: 2.3522, radius: 250 },
        { id: 'S-KIOSK', name: 'the kiosk', latitude: 48.9016, longitude: 2.3522, radius: 100 },
      ],
    },
    { id: 'M-VELO', name: 'Velo', currency: 'EUR', purposes: ['bike-unlock'], maxAmount: 3000, sites: [{ id: 'S-DOCK', name: 'dock 1', latitude: 45.75, longitude: 4.83, radius: 30 }] },
  ],
});

describe('enrollment with an operator-signed voucher, over two workers sharing one database', () => {
  let root: string;
  let workers: RunningAuthorizer[];
  let wallet: Wallet;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'qrpay-voucher-'));
    wallet = new Wallet();
    const config = {
      dataDir: join(root, 'authorizer'), enrollment: 'provisioned' as const, merchants, notify: { dispatcher: { intervalMs: 3_600_000 } },
      issuers: [{ alg: wallet.issuer.alg, kid: wallet.issuer.kid, publicKey: wallet.issuer.publicKey }],
    };
    const first = await startAuthorizer(config);
    workers = [first, await startAuthorizer(config)];
  });
  afterAll(async () => {
    for (const worker of workers ?? []) await worker.close();
    rmSync(root, { recursive: true, force: true });
  });

  const operator = async (...args: string[]) => captureConsole(() => operatorCli([...args, '--data-dir', join(root, 'authorizer')]));
  const issue = async (...args: string[]): Promise<Uint8Array> => {
    const issued = await operator('voucher', ...args);
    expect(issued.code, issued.all).toBe(0);
    return new Uint8Array(Buffer.from(issued.out.split('\n')[0], 'hex'));
  };
  const tokenRows = () => (workers[0].db.prepare('SELECT COUNT(*) AS n FROM provisioning_tokens').get() as { n: number }).n;
  const terminalsAt = () => workers[0].db.prepare('SELECT merchant_id, site_id FROM terminals ORDER BY id').all();

  /** A new board enrolling with `credential`, through worker `i % 2`. */
  async function enroll(credential: Uint8Array, i = 0): Promise<EnrollmentAnswer> {
    const key = createKeyPair('ES256', nodeEntropy);
    const request = signEnrollmentRequest(
      { key: { alg: 'ES256', publicKey: key.publicKey }, device: { model: 'board', serial: `SN-${i}`, firmware: '0.1.0', board: 'board' }, localTime: Date.now(), provisioningToken: credential },
      { alg: 'ES256', sign: signerFor(key) },
    );
    const worker = workers[i % 2];
    const answer = await fetch(`${worker.url}/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: request });
    const verified = verifyEnrollmentAnswer(new Uint8Array(await answer.arrayBuffer()), request, worker.decisionKey);
    if (!verified.ok) throw new Error(verified.detail);
    return verified.answer;
  }

  it('issued from the operator key without a database row, it enrolls one board at its site, once; a second board is refused', async () => {
    const before = tokenRows();
    const voucher = await issue('--merchant', 'M-DEMO', '--site', 'S-KIOSK', '--hours', '2');
    expect(tokenRows()).toBe(before);
    const checked = checkVoucher(voucher, workers[0].operatorKey.publicKey, Date.now());
    expect(checked).toMatchObject({ ok: true, voucher: { merchantId: 'M-DEMO', siteId: 'S-KIOSK' } });
    const enrolled = await enroll(voucher, 1);
    expect(enrolled).toMatchObject({ status: 'approved', merchant: { merchantId: 'M-DEMO', site: { latitude: 48.9016, radius: 100 } } });
    expect(terminalsAt()).toContainEqual({ merchant_id: 'M-DEMO', site_id: 'S-KIOSK' });
    expect(tokenRows()).toBe(before + 1);
    for (const i of [0, 1]) expect(await enroll(voucher, i)).toMatchObject({ status: 'refused', reason: expect.stringMatching(/voucher used/) });
  });

  it('eight boards racing with one voucher across both workers: exactly one enrolled', async () => {
    const voucher = await issue('--merchant', 'M-VELO');
    const before = terminalsAt().length;
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => enroll(voucher, i)));
    expect(answers.filter((a) => a.status === 'approved')).toHaveLength(1);
    expect(answers.filter((a) => a.status === 'refused' && /voucher used/.test(a.reason))).toHaveLength(7);
    expect(terminalsAt().length).toBe(before + 1);
  });

  it('forged, altered, expired or for a site of another merchant: refused, nothing stored', async () => {
    const { operatorKey } = workers[0];
    const before = { tokens: tokenRows(), terminals: terminalsAt().length };
    const now = Date.now();
    const base = { id: new Uint8Array(randomBytes(voucherIdBytes)), merchantId: 'M-DEMO', issuedAt: now, expiresAt: now + hour };
    // Signed by a key that is not the operator's.
    const stranger = { alg: 'ES256' as const, sign: signerFor(createKeyPair('ES256', nodeEntropy)) };
    expect(await enroll(signVoucher(base, stranger))).toMatchObject({ status: 'refused', reason: expect.stringMatching(/voucher forged/) });
    // A genuine voucher for M-VELO with its merchant rewritten to M-DEMO, the operator's signature kept.
    const genuine = decodeSign1(signVoucher({ ...base, id: new Uint8Array(randomBytes(voucherIdBytes)), merchantId: 'M-VELO' }, operatorKey), { tag: 'required' });
    const payload = decode(genuine.payload) as CborMap;
    payload.set(2, 'M-DEMO');
    const altered = encodeSign1({ protectedHeader: genuine.protectedHeader, payload: encode(payload), sign: () => genuine.signature });
    expect(await enroll(altered)).toMatchObject({ status: 'refused', reason: expect.stringMatching(/voucher forged/) });
    // Past its time (the operator signed it two hours ago for one hour).
    const expired = signVoucher({ ...base, id: new Uint8Array(randomBytes(voucherIdBytes)), issuedAt: now - 2 * hour, expiresAt: now - hour }, operatorKey);
    expect(await enroll(expired)).toMatchObject({ status: 'refused', reason: expect.stringMatching(/voucher expired/) });
    // The operator's own key, but a site of another merchant, and a merchant that does not exist.
    const misplaced = signVoucher({ ...base, id: new Uint8Array(randomBytes(voucherIdBytes)), siteId: 'S-DOCK' }, operatorKey);
    expect(await enroll(misplaced)).toMatchObject({ status: 'refused', reason: expect.stringMatching(/no site S-DOCK of merchant M-DEMO/) });
    const nowhere = signVoucher({ ...base, id: new Uint8Array(randomBytes(voucherIdBytes)), merchantId: 'M-NOWHERE' }, operatorKey);
    expect(await enroll(nowhere)).toMatchObject({ status: 'refused', reason: expect.stringMatching(/no merchant M-NOWHERE/) });
    expect({ tokens: tokenRows(), terminals: terminalsAt().length }).toEqual(before);
    // The operator CLI will not sign a voucher for another merchant's site either.
    const refused = await operator('voucher', '--merchant', 'M-DEMO', '--site', 'S-DOCK');
    expect(refused.code).not.toBe(0);
    expect(refused.all).toMatch(/no site S-DOCK of merchant M-DEMO/);
  });

  it('the terminal core carries a voucher where it carries a token (a board\'s config.provisioningToken), enrolls and pays', async () => {
    const voucher = await issue('--merchant', 'M-DEMO', '--site', 'S-COUNTER');
    const { terminal, hal } = await bootTerminal({
      url: workers[0].url, dataDir: join(root, 'core-terminal'), config: { provisioningToken: voucher, authorizerKey: workers[0].decisionKey },
    });
    try {
      expect(terminal.identity!.merchant.merchantId).toBe('M-DEMO');
      expect(await pay(terminal, wallet.code(), coffee)).toMatchObject({ outcome: 'approved', actuated: true });
    } finally {
      hal.shutdown();
    }
  });
});
