/**
 * `qrpay scenario <name>` and `qrpay scenario --list`: the scenarios of the
 * README (copied code, forged signature, stale GPS, offline, power cut, ...)
 * against the real authorizer, wallet and simulated terminals, narrated like
 * the demo (tools/scenario/catalog.ts holds them as plain functions).
 */
import { parseArgs } from 'node:util';
import { scenarios } from '../scenario/catalog';
import { runScenario } from '../scenario/run';
import { exitCodes } from './exit';

const width = Math.max(...Object.keys(scenarios).map((name) => name.length));
const list = Object.entries(scenarios).map(([name, s]) => `  ${name.padEnd(width)}  ${s.summary}`).join('\n');

const help = `usage: qrpay scenario <name> [--data-dir DIR]
       qrpay scenario --list

Runs one scenario on this machine: the reference authorizer on 127.0.0.1 with
its SQLite database, a wallet, and simulated terminals; something goes wrong
the way it does in the field, every stage is printed, and a last line says
what the system did and why. Exit 0 when it behaved as it must, 1 when it did
not, 2 for an unknown scenario or bad usage.

scenarios:
${list}

options:
  --list           the scenarios, one a line
  --data-dir DIR   keep the databases and keys in DIR (default: a temporary directory)
  -h, --help       this text`;

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args, allowPositionals: true,
      options: { list: { type: 'boolean', default: false }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } },
    });
  } catch (error) {
    console.error(`qrpay scenario: ${(error as Error).message}\n\n${help}`);
    return exitCodes.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(help);
    return exitCodes.ok;
  }
  if (values.list) {
    console.log(list.replace(/^ {2}/gm, ''));
    return exitCodes.ok;
  }
  if (positionals.length !== 1) {
    console.error(`qrpay scenario: name one scenario (qrpay scenario --list)\n\n${help}`);
    return exitCodes.usage;
  }
  const [name] = positionals;
  if (!Object.prototype.hasOwnProperty.call(scenarios, name)) {
    console.error(`qrpay scenario: no scenario '${name}'; there are: ${Object.keys(scenarios).join(', ')}`);
    return exitCodes.usage;
  }
  return runScenario(name, values['data-dir'] ? { dataDir: values['data-dir'] } : {});
}
