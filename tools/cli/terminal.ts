/**
 * `qrpay terminal`: one payment at a simulated terminal against a running
 * authorizer (`qrpay authorizer`). The terminal enrolls on first use and keeps
 * its key and state in its data directory; the code is shown to its camera
 * as a PNG (e.g. from `qrpay wallet code --png`) or handed over as text.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { NodeHttpClient } from '../../hal/sim/http';
import { readPngFile } from '../../hal/sim/png';
import { publicKeyFromText } from '../../src/authorization/signer';
import { chargeProblem, purposes, type Charge, type Purpose } from '../../src/authorization/charge';
import { CliError, exitCodeForOutcome, exitCodes } from './exit';
import type { RgbImage } from '../../hal/portable/rgb-to-frame';
import { PhoneScene } from '../demo/phone-scene';
import { bootStation, chargeWithPhone, chargeWithText, type Station } from '../demo/station';

const help = `usage: qrpay terminal (--png FILE | --code TEXT) [options]

Pays once at a simulated terminal: boots it (enrolling with the authorizer on
first use), shows the code to its camera (--png) or hands it over (--code),
and prints every stage. Exit 0 approved, 3 declined, 4 held, 5 no answer,
6 step-up unconfirmed; 1 when no payment could be attempted, 2 bad usage.

options:
  --authorizer URL   the authorizer (default http://127.0.0.1:$QRPAY_PORT, else :8080; see qrpay authorizer)
  --data-dir DIR     the terminal's storage and keys (default var/terminal)
  --authorizer-key K pin the authorizer's decision key (ES256:HEX, from qrpay authorizer
                     --print-keys); without it the terminal trusts the key of its first answer
  --authorizer-ca F  for an https:// authorizer: trust only the certificates in this PEM file (its own
                     self-signed one from qrpay authorizer tls-keygen, or your CA's) instead of the system's
  --provisioning-token HEX
                     the one-time token for its first enrollment (qrpay operator provision), or an
                     operator's voucher in its place (qrpay operator voucher)
  --png FILE         a payment code rendered as a PNG (qrpay wallet code --png FILE)
  --code TEXT        a payment code as text (QP1:...)
  --amount N         minor units (default 450)
  --currency CODE    ISO 4217 (default EUR)
  --purpose P        ${purposes.join(' | ')} (default counter-sale)
  --reference R      the embedder's reference (default cli-<time>)
  -h, --help         this text`;

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        authorizer: { type: 'string', default: `http://127.0.0.1:${process.env.QRPAY_PORT ?? '8080'}` },
        'data-dir': { type: 'string', default: 'var/terminal' },
        'authorizer-key': { type: 'string' },
        'authorizer-ca': { type: 'string' },
        'provisioning-token': { type: 'string' },
        png: { type: 'string' },
        code: { type: 'string' },
        amount: { type: 'string', default: '450' },
        currency: { type: 'string', default: 'EUR' },
        purpose: { type: 'string', default: 'counter-sale' },
        reference: { type: 'string', default: `cli-${Date.now()}` },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`qrpay terminal: ${(error as Error).message}\n\n${help}`);
    return exitCodes.usage;
  }
  if (values.help) {
    console.log(help);
    return 0;
  }
  if ((values.png === undefined) === (values.code === undefined)) {
    console.error(`qrpay terminal: give exactly one of --png and --code\n\n${help}`);
    return exitCodes.usage;
  }
  const charge: Charge = { amount: Number(values.amount), currency: values.currency, purpose: values.purpose as Purpose, reference: values.reference };
  const problem = chargeProblem(charge);
  if (problem) {
    console.error(`qrpay terminal: ${problem}`);
    return exitCodes.usage;
  }
  const authorizerKey = values['authorizer-key'] === undefined ? undefined : publicKeyFromText(values['authorizer-key']);
  if (values['authorizer-key'] !== undefined && !authorizerKey) {
    console.error(`qrpay terminal: --authorizer-key wants ALG:HEX (qrpay authorizer --print-keys), got ${values['authorizer-key']}`);
    return exitCodes.usage;
  }
  const tokenText = values['provisioning-token'];
  if (tokenText !== undefined && !/^([0-9a-f]{2}){16,512}$/i.test(tokenText)) {
    console.error('qrpay terminal: --provisioning-token must be 16 to 512 bytes of hex (a token, or an operator\'s voucher)');
    return 2;
  }
  const provisioningToken = tokenText === undefined ? undefined : new Uint8Array(Buffer.from(tokenText, 'hex'));
  let http: NodeHttpClient | undefined;
  if (values['authorizer-ca'] !== undefined) {
    let ca: Buffer;
    try {
      ca = readFileSync(values['authorizer-ca']);
    } catch (error) {
      throw new CliError(`--authorizer-ca ${values['authorizer-ca']}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, exitCodes.usage);
    }
    if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new CliError(`--authorizer-ca ${values['authorizer-ca']}: no PEM certificate in it`, exitCodes.usage);
    // The pinned certificates replace the system's trust store for this connection, nothing else is trusted.
    http = new NodeHttpClient({ tls: { ca } });
  }
  const started = performance.now();
  const say = (stage: string, text: string) => console.log(`${`+${((performance.now() - started) / 1000).toFixed(3)} s`.padStart(10)}  ${stage.padEnd(10)} ${text}`);
  let screen: RgbImage | undefined;
  try {
    screen = values.png ? readPngFile(values.png) : undefined;
  } catch (error) {
    throw new CliError(`--png ${values.png}: ${(error as Error).message}`, exitCodes.usage);
  }
  let station: Station | undefined;
  try {
    const scene = new PhoneScene(Math.max(320, screen?.width ?? 0), Math.max(240, screen?.height ?? 0));
    station = await bootStation('terminal', values['data-dir'], values.authorizer, say, scene, authorizerKey, provisioningToken, { http });
    const decision = screen ? await chargeWithPhone(station, charge, screen, say) : await chargeWithText(station, charge, values.code!, say);
    return exitCodeForOutcome(decision.outcome);
  } finally {
    station?.stop();
  }
}
