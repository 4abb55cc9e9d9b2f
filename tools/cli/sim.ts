/**
 * `qrpay sim`: the simulator in a browser. Starts the reference authorizer,
 * simulated terminals and a phone (tools/sim), serves the page on 127.0.0.1
 * and prints its address; runs until SIGINT or SIGTERM, then stops the web
 * server, the terminals and the authorizer (its database closed) and exits 0.
 */
import { parseArgs } from 'node:util';
import { Sim } from '../sim/sim';
import { startSimServer } from '../sim/server';

const help = `usage: qrpay sim [--port N] [--data-dir DIR] [--terminals N]

Starts the reference authorizer on 127.0.0.1 (SQLite), a wallet issuer it trusts,
a customer's phone and simulated terminals (the firmware core on the simulator
board), and serves one page that shows them live: each terminal's camera frame as
the scanner sees it, display, LEDs, buzzer, relay, GNSS fix and the stages of the
current payment; the phone's payment code; the operator's payments, terminals and
notifications; and the scenarios, one click each. Stop it with Ctrl-C.

options:
  --port N         the page's port on 127.0.0.1 (default 0: a free one; the address is printed)
  --data-dir DIR   keep the databases and keys in DIR (default: a temporary directory, removed at the end)
  --terminals N    how many terminals, 1 to 4 (default 2)
  -h, --help       this text`;

export async function run(args: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        port: { type: 'string', default: '0' },
        'data-dir': { type: 'string' },
        terminals: { type: 'string', default: '2' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    console.error(`qrpay sim: ${(error as Error).message}\n\n${help}`);
    return 2;
  }
  if (values.help) {
    console.log(help);
    return 0;
  }
  const port = Number(values.port);
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    console.error(`qrpay sim: --port must be 0 to 65535, got ${values.port}\n\n${help}`);
    return 2;
  }
  const terminals = Number(values.terminals);
  if (!(Number.isInteger(terminals) && terminals >= 1 && terminals <= 4)) {
    console.error(`qrpay sim: --terminals must be 1 to 4, got ${values.terminals}\n\n${help}`);
    return 2;
  }
  const sim = await Sim.start({ terminals, ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}) });
  let server;
  try {
    server = await startSimServer(sim, port);
  } catch (error) {
    await sim.close();
    throw error;
  }
  console.log(`qrpay sim: ${server.url}`);
  console.log(`  authorizer ${sim.authorizer.url}, data in ${sim.root}; ${sim.stations.length} terminal(s): ${sim.stations.map((s) => s.name).join(', ')}`);
  console.log('  Ctrl-C stops it');
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  await server.close();
  await sim.close();
  console.log(`qrpay sim: stopped (${signal}): web server, terminals and authorizer closed`);
  return 0;
}
