/**
 * The simulator demo (`npm start`): one payment end to end on this machine,
 * then the same code shown again, as a copy would be. Every stage is printed
 * with the time since the start, so a newcomer can follow what happens and
 * where the time goes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeEntropy } from '../../hal/sim/entropy';
import { readPngFile } from '../../hal/sim/png';
import { SystemClock } from '../../hal/sim/system-clock';
import type { Charge } from '../../src/authorization/charge';
import { hex } from '../../src/paycode/hex';
import { formatAmount } from '../../src/terminal/terminal';
import { simulatorMerchant, startAuthorizer, type RunningAuthorizer } from '../authorizer/authorizer';
import type { MerchantsConfig } from '../authorizer/domain/merchants';
import { bootStation, chargeWithPhone, type Station } from './station';

import { qrInfo, writeQrPng } from '../wallet/render';
import { createDeviceKey, createIssuer, issueCredential, makePaymentCode } from '../wallet/wallet';

export interface DemoOptions {
  /** Keep the databases and keys here (default: a temporary directory removed at the end). */
  dataDir?: string;
  /** Where lines go (default stdout). */
  write?: (line: string) => void;
  /** The operator's merchants (domain/merchants.ts): the terminals enroll as the first one, at its first site. */
  merchants?: MerchantsConfig;
}

export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = performance.now();
  const say = (stage: string, text: string) => write(`${`+${((performance.now() - started) / 1000).toFixed(3)} s`.padStart(10)}  ${stage.padEnd(10)} ${text}`);
  const heading = (text: string) => {
    write('');
    write(`── ${text} ${'─'.repeat(Math.max(0, 72 - text.length))}`);
  };
  const root = options.dataDir ?? mkdtempSync(join(tmpdir(), 'qrpay-demo-'));
  const stations: Station[] = [];
  let authorizer: RunningAuthorizer | undefined;

  try {
    write('qrpay demo: a QR payment from phone to verified decision, on this machine.');
    write(`data in ${root}`);

    heading('1. the authorizer and the wallet issuer');
    // The demo enrolls its terminals openly, and says so (a real authorizer wants a provisioning token).
    authorizer = await startAuthorizer({ dataDir: join(root, 'authorizer'), enrollment: 'open', ...(options.merchants ? { merchants: options.merchants } : {}) });
    const merchant = options.merchants?.merchants[0];
    const site = merchant?.sites[0] ?? simulatorMerchant.site;
    say('authorizer', `listening on ${authorizer.url}; SQLite database ${join(root, 'authorizer', 'authorizer.sqlite')} (schema v${await authorizer.store.schemaVersion()})`);
    const issuer = createIssuer({ alg: 'ES256' }, nodeEntropy);
    await authorizer.trustIssuer({ alg: issuer.alg, kid: issuer.kid, publicKey: issuer.publicKey });
    say('wallet', `issuer key created (ES256, kid ${hex(issuer.kid)}); the operator's signed trust list now includes it`);

    heading('2. a terminal boots: key, enrollment, GNSS');
    const counter = await bootStation('counter', join(root, 'terminal-1'), authorizer.url, say, undefined, authorizer.decisionKey, undefined, { site });
    stations.push(counter);

    heading('3. a customer\'s phone: credential and payment code');
    const device = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
    const now = Math.floor(Date.now() / 1000);
    const credential = issueCredential(issuer, { device: { alg: 'ES256', publicKey: device.publicKey }, notBefore: now - 60, expiresAt: now + 30 * 86400 }, nodeEntropy);
    say('wallet', `credential issued: account ${hex(credential.account)}, device key ES256, valid 30 days`);
    const code = makePaymentCode(credential, device, { clock: new SystemClock({ unref: true }), entropy: nodeEntropy, lifetimeSeconds: 60 });
    const qr = qrInfo(code.text);
    say('wallet', `payment code ${hex(code.codeId)}: ${code.bytes.length} bytes, ${code.text.length} characters of QR text, QR version ${qr.version}, valid 60 s`);
    // The phone's screen: the wallet renders the code as a PNG, as `qrpay wallet code --png` does.
    const png = join(root, 'phone-screen.png');
    await writeQrPng(png, code.text, { scale: 3 });
    const screen = readPngFile(png);

    // What the merchant the terminal enrolled for sells, in its currency.
    const enrolledFor = counter.terminal.identity!.merchant;
    const coffee: Charge = { amount: 450, currency: enrolledFor.currency, purpose: enrolledFor.purposes[0], reference: 'DEMO-0001' };
    heading(`4. the payment: ${formatAmount(coffee.amount)} ${coffee.currency} at the counter of ${enrolledFor.name}`);
    const first = await chargeWithPhone(counter, coffee, screen, say);
    if (first.outcome !== 'approved' || !first.actuated) {
      say('demo', `expected an approval, got ${first.outcome} (${first.reason})`);
      return 1;
    }

    heading('5. the same code again: a screenshot shown a second time');
    const copy = await chargeWithPhone(counter, { ...coffee, reference: 'DEMO-0002' }, screen, say);

    heading('6. the copy at another terminal, which never saw it');
    const kiosk = await bootStation('kiosk', join(root, 'terminal-2'), authorizer.url, say, undefined, authorizer.decisionKey, undefined, { site });
    stations.push(kiosk);
    const elsewhere = await chargeWithPhone(kiosk, { ...coffee, reference: 'DEMO-0003' }, screen, say);

    heading('what the authorizer recorded');
    const rows = authorizer.db.prepare(
      `SELECT r.terminal_id, r.trace, r.amount, r.currency, d.outcome, d.reason, d.approval_code FROM requests r
       JOIN decisions d ON d.request_id = r.id ORDER BY r.id`,
    ).all() as { terminal_id: string; trace: number; amount: number; currency: string; outcome: string; reason: string; approval_code: string | null }[];
    for (const row of rows) {
      say('journal', `${row.terminal_id} trace ${row.trace}: ${formatAmount(row.amount)} ${row.currency} ${row.outcome}${row.approval_code ? ` (${row.approval_code})` : ''}, ${row.reason}`);
    }
    const ok = copy.outcome === 'declined' && copy.reason === 'replayed' && elsewhere.outcome === 'declined' && elsewhere.reason === 'replayed';
    write('');
    write(ok
      ? 'Done: one payment approved and acted on once; both copies of the code were declined as replays.'
      : `Unexpected: the copies were ${copy.outcome}/${copy.reason} and ${elsewhere.outcome}/${elsewhere.reason}.`);
    return ok ? 0 : 1;
  } finally {
    for (const station of stations) station.stop();
    await authorizer?.close();
    if (!options.dataDir) rmSync(root, { recursive: true, force: true });
  }
}
