/**
 * `qrpay demo` (what `npm start` runs): the authorizer, a wallet and simulated
 * terminals on this machine; one payment end to end, then the same code again.
 */
import { parseArgs } from 'node:util';
import { loadMerchantsConfig } from '../authorizer/domain/merchants';
import { runDemo } from '../demo/run-demo';

const help = `usage: qrpay demo [--data-dir DIR] [--merchants FILE]

Starts the reference authorizer on 127.0.0.1 with its SQLite database, boots a
simulated terminal (key, enrollment, GNSS), makes a wallet payment code, shows
it to the simulated camera and pays; then shows the same code again, at the
same terminal and at a second one, and sees both copies declined as replays.

options:
  --data-dir DIR   keep the databases and keys in DIR (default: a temporary directory)
  --merchants FILE the operator's merchants (docs/authorizer.md): the terminals enroll as the first one, at its
                   first site (default: the simulator's merchant)
  -h, --help       this text`;

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({ args, options: { 'data-dir': { type: 'string' }, merchants: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } }).values;
  } catch (error) {
    console.error(`qrpay demo: ${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if (values.help) {
    console.log(help);
    return 0;
  }
  let merchants;
  try {
    merchants = values.merchants === undefined ? undefined : loadMerchantsConfig(values.merchants);
  } catch (error) {
    console.error(`qrpay demo: ${(error as Error).message}`);
    return 2;
  }
  return runDemo({ dataDir: values['data-dir'], ...(merchants ? { merchants } : {}) });
}
