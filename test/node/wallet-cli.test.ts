/**
 * The wallet command line end to end: keys, operator lists, a credential and a
 * payment code written as PNG; the PNG decodes (jsQR) to text a terminal
 * verifier accepts once.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../tools/wallet/cli';
import { DenyList, PaymentCodeVerifier, ReplayCache, TrustStore } from '../../src/paycode';
import { loadKey } from '../../tools/wallet/files';
import { captureConsole } from '../support/capture-console';

const dir = mkdtempSync(join(tmpdir(), 'qrpay-wallet-'));
const at = (name: string) => join(dir, name);

async function wallet(...args: string[]): Promise<{ code: number; out: string }> {
  const { code, out } = await captureConsole(() => run(args));
  return { code, out };
}

afterEach(() => vi.restoreAllMocks());

describe('qrpay wallet', () => {
  it('creates keys, signs lists, issues a credential and renders a code a terminal accepts once', async () => {
    expect((await wallet('operator', '--alg', 'EdDSA', '--out', at('operator.json'))).code).toBe(0);
    expect((await wallet('issuer', '--alg', 'ES256', '--kid', 'beef', '--out', at('issuer.json'))).code).toBe(0);
    expect((await wallet('trust-list', '--operator', at('operator.json'), '--issuer', at('issuer.json'), '--version', '1', '--out', at('trust.cbor'))).code).toBe(0);
    expect((await wallet('deny-list', '--operator', at('operator.json'), '--version', '1', '--out', at('deny.cbor'), '--revoke', 'beef/00000000')).code).toBe(0);
    expect((await wallet('credential', '--issuer', at('issuer.json'), '--alg', 'EdDSA', '--cap', '9000', '--offline', '--out', at('cred.json'))).code).toBe(0);
    const made = await wallet('code', '--credential', at('cred.json'), '--png', at('code.png'));
    expect(made.code).toBe(0);
    const text = made.out.trim();
    expect(text.startsWith('QP1:')).toBe(true);

    const png = PNG.sync.read(readFileSync(at('code.png')));
    const decoded = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
    expect(decoded?.data).toBe(text);

    const operator = loadKey(at('operator.json'), 'operator');
    const root = { alg: operator.alg, publicKey: operator.publicKey };
    const now = Math.floor(Date.now() / 1000);
    const trustStore = new TrustStore({ root });
    const denyList = new DenyList({ root });
    expect(trustStore.install(readFileSync(at('trust.cbor')), now)).toEqual({ ok: true, version: 1 });
    expect(denyList.install(readFileSync(at('deny.cbor')), now)).toEqual({ ok: true, version: 1 });
    const verifier = new PaymentCodeVerifier({ clock: { now: () => Date.now(), monotonic: () => 0, setTimer: () => 0, clearTimer: () => undefined }, trustStore, denyList, replayCache: new ReplayCache() });
    expect(verifier.verify(decoded!.data, { amount: 8999 })).toMatchObject({ ok: true, issuer: 'beef', alg: 'EdDSA', limits: { perPaymentCap: 9000, offlineAllowed: true } });
    expect(verifier.verify(decoded!.data)).toMatchObject({ ok: false, reason: 'replayed' });
  });

  it('inspects and verifies a code from the command line', async () => {
    const text = (await wallet('code', '--credential', at('cred.json'))).out.trim();
    const inspected = await wallet('inspect', '--text', text);
    expect(inspected.code).toBe(0);
    expect(JSON.parse(inspected.out)).toMatchObject({ alg: 'EdDSA', credential: { issuerKid: 'beef', limits: { perPaymentCap: 9000 } } });
    const args = ['--text', text, '--operator', at('operator.json'), '--trust-list', at('trust.cbor'), '--deny-list', at('deny.cbor')];
    expect(JSON.parse((await wallet('verify', ...args, '--amount', '9001')).out)).toMatchObject({ ok: false, reason: 'over-limit' });
    expect(JSON.parse((await wallet('verify', ...args)).out)).toMatchObject({ ok: true, issuer: 'beef' });
    expect((await wallet('inspect', '--text', 'QP1:AAA')).code).toBe(2);
    expect((await wallet('verify', ...args.slice(0, 6), '--deny-list', at('trust.cbor'))).code).toBe(2); // a trust list is not a deny list
    // The account frozen: the code is rejected as 'frozen' (its own reason, not 'revoked'), exit 3.
    const account = (JSON.parse(inspected.out) as { credential: { account: string } }).credential.account;
    expect(account).toMatch(/^[0-9a-f]{12}$/);
    expect((await wallet('deny-list', '--operator', at('operator.json'), '--version', '2', '--out', at('deny-frozen.cbor'), '--freeze', `beef/${account}`)).code).toBe(0);
    const frozen = await wallet('verify', ...args.slice(0, 6), '--deny-list', at('deny-frozen.cbor'));
    expect(frozen.code).toBe(3);
    expect(JSON.parse(frozen.out)).toMatchObject({ ok: false, reason: 'frozen', detail: expect.stringContaining(`account ${account} is frozen`) });
  });

  it('makes a fresh code id every time and reports usage errors with exit code 2', async () => {
    const made = await wallet('code', '--credential', at('cred.json'), '--count', '3');
    const texts = made.out.trim().split('\n');
    expect(new Set(texts).size).toBe(3);
    expect((await wallet('code')).code).toBe(2);
    expect((await wallet('issuer', '--alg', 'RS256', '--out', at('x.json'))).code).toBe(2);
    expect((await wallet('code', '--credential', at('missing.json'))).code).toBe(2);
    expect((await wallet('nope')).code).toBe(2);
    expect((await wallet('--help')).code).toBe(0);
  });
});
