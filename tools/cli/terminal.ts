/**
 * `qrpay terminal`: one payment at a simulated terminal against a running
 * authorizer (`qrpay authorizer`). The terminal enrolls on first use and keeps
 * its key and state in its data directory; the code is shown to its camera
 * as a PNG (e.g. from `qrpay wallet code --png`) or handed over as text.
 */
import { parseArgs } from 'node:util';
import { readPngFile } from '../../hal/sim/png';
import { chargeProblem, purposes, type Charge, type Purpose } from '../../src/authorization/charge';
import { isTerminalError } from '../../src/terminal/errors';
import { PhoneScene } from '../demo/phone-scene';
import { bootStation, chargeWithPhone, chargeWithText, type Station } from '../demo/station';

const help = `usage: qrpay terminal (--png FILE | --code TEXT) [options]

Pays once at a simulated terminal: boots it (enrolling with the authorizer on
first use), shows the code to its camera (--png) or hands it over (--code),
and prints every stage. Exit 0 when approved, 1 otherwise.

options:
  --authorizer URL   the authorizer (default http://127.0.0.1:8080; see qrpay authorizer)
  --data-dir DIR     the terminal's storage and keys (default var/terminal)
  --provisioning-token HEX
                     the one-time token for its first enrollment (qrpay operator provision)
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
        authorizer: { type: 'string', default: 'http://127.0.0.1:8080' },
        'data-dir': { type: 'string', default: 'var/terminal' },
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
    return 2;
  }
  if (values.help) {
    console.log(help);
    return 0;
  }
  if ((values.png === undefined) === (values.code === undefined)) {
    console.error(`qrpay terminal: give exactly one of --png and --code\n\n${help}`);
    return 2;
  }
  const charge: Charge = { amount: Number(values.amount), currency: values.currency, purpose: values.purpose as Purpose, reference: values.reference };
  const problem = chargeProblem(charge);
  if (problem) {
    console.error(`qrpay terminal: ${problem}`);
    return 2;
  }
  const tokenText = values['provisioning-token'];
  if (tokenText !== undefined && !/^([0-9a-f]{2}){16,64}$/i.test(tokenText)) {
    console.error('qrpay terminal: --provisioning-token must be 16 to 64 bytes of hex');
    return 2;
  }
  const provisioningToken = tokenText === undefined ? undefined : new Uint8Array(Buffer.from(tokenText, 'hex'));
  const started = performance.now();
  const say = (stage: string, text: string) => console.log(`${`+${((performance.now() - started) / 1000).toFixed(3)} s`.padStart(10)}  ${stage.padEnd(10)} ${text}`);
  let station: Station | undefined;
  try {
    const screen = values.png ? readPngFile(values.png) : undefined;
    const scene = new PhoneScene(Math.max(320, screen?.width ?? 0), Math.max(240, screen?.height ?? 0));
    station = await bootStation('terminal', values['data-dir'], values.authorizer, say, scene, undefined, provisioningToken);
    const decision = screen ? await chargeWithPhone(station, charge, screen, say) : await chargeWithText(station, charge, values.code!, say);
    return decision.outcome === 'approved' ? 0 : 1;
  } catch (error) {
    console.error(`qrpay terminal: ${isTerminalError(error) ? `${error.kind}: ` : ''}${(error as Error).message}`);
    return 1;
  } finally {
    station?.stop();
  }
}
