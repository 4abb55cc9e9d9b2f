/**
 * `qrpay authorizer`: runs the reference authorizer on loopback with its
 * SQLite database (or a PostgreSQL one), in one process or several
 * (--workers), until interrupted.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { publicKeyToText } from '../../src/authorization/signer';
import type { CoseAlgName } from '../../src/cose/sign1';
import { startAuthorizer } from '../authorizer/authorizer';
import { composeAuthorizer, DatabaseUrlError } from '../authorizer/composition';
import { isWorker, leaveCluster, runPrimary } from '../authorizer/workers';
import type { IssuerEntry } from '../authorizer/domain/lists';
import { enrollmentModes, type EnrollmentMode } from '../authorizer/domain/provisioning';
import { loadIssuer } from '../wallet/files';
import { riskConfigFor, type RiskConfig } from '../authorizer/domain/risk/config';
import { databaseFileName } from '../authorizer/store/sqlite/database';
import { CliError, exitCodes } from './exit';

const help = `usage: qrpay authorizer [options]

Runs the reference authorizer (enrollment, authorization, trust lists) over HTTP.

options:
  --data-dir DIR         where authorizer.sqlite lives (default var/authorizer), and the notification spool
  --database URL         PostgreSQL instead of SQLite: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE
  --workers N            N server processes sharing the port and the database (default 1; node:cluster)
  --host HOST            address to listen on (default 127.0.0.1)
  --port N               port (default $QRPAY_PORT, else 8080; 0 picks a free one)
  --enrollment MODE      how new terminals enroll: provisioned (default: a one-time token from
                         \`qrpay operator provision\`), manual (they wait for --approve), or open (every key
                         that asks is enrolled at once: for the simulator and demos only)
  --open-enrollment      the same as --enrollment open
  --manual-approval      the same as --enrollment manual
  --trust-issuer SPEC    trust a wallet issuer: ALG:KID_HEX:PUBLIC_KEY_HEX (repeatable)
  --trust-issuer-file F  trust the issuer in a \`qrpay wallet issuer\` key file (only its public key is used; repeatable)
  --risk-config FILE     factor points, parameters and thresholds (JSON, docs/authorizer.md;
                         default: DATA_DIR/risk.json if present, else the safe defaults)
  --wallet-webhook URL   deliver customer notifications to the wallet push service (default: spool in DATA_DIR/outbox)
  --gateway URL          deliver them to an SMS / e-mail gateway too (default: spool in DATA_DIR/outbox)
  --approve TERMINAL_ID  approve a pending (or re-approve a suspended) terminal and exit
  --print-keys           print the authorizer's public keys (to pin on terminals: qrpay terminal
                         --authorizer-key) and exit; the database must exist
  -h, --help             this text`;

export async function run(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        'data-dir': { type: 'string', default: 'var/authorizer' },
        database: { type: 'string' },
        workers: { type: 'string', default: '1' },
        host: { type: 'string', default: '127.0.0.1' },
        port: { type: 'string', default: process.env.QRPAY_PORT ?? '8080' },
        enrollment: { type: 'string' },
        'open-enrollment': { type: 'boolean', default: false },
        'manual-approval': { type: 'boolean', default: false },
        'trust-issuer': { type: 'string', multiple: true, default: [] },
        'trust-issuer-file': { type: 'string', multiple: true, default: [] },
        approve: { type: 'string' },
        'print-keys': { type: 'boolean', default: false },
        'risk-config': { type: 'string' },
        'wallet-webhook': { type: 'string' },
        gateway: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    console.error(`qrpay authorizer: ${(error as Error).message}\n\n${help}`);
    return exitCodes.usage;
  }
  const options = parsed.values;
  if (options.help) {
    console.log(help);
    return 0;
  }
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`qrpay authorizer: --port must be 0-65535, got ${options.port}`);
    return exitCodes.usage;
  }
  const workers = Number(options.workers);
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    console.error(`qrpay authorizer: --workers must be 1-64, got ${options.workers}`);
    return 2;
  }
  const database = options.database;
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) {
    console.error(`qrpay authorizer: ${new DatabaseUrlError(database).message}`);
    return 2;
  }
  const storage = { dataDir: options['data-dir'], ...(database !== undefined ? { database } : {}) };
  const shownDatabase = database !== undefined ? database.replace(/\/\/[^@/]*@/, '//…@') : `${options['data-dir']}/authorizer.sqlite`;
  const modes = [options.enrollment, options['open-enrollment'] ? 'open' : undefined, options['manual-approval'] ? 'manual' : undefined].filter((m) => m !== undefined);
  if (modes.length > 1) {
    console.error('qrpay authorizer: choose one of --enrollment, --open-enrollment, --manual-approval');
    return 2;
  }
  const enrollment = (modes[0] ?? 'provisioned') as EnrollmentMode;
  if (!enrollmentModes.includes(enrollment)) {
    console.error(`qrpay authorizer: --enrollment must be one of ${enrollmentModes.join(', ')}, got ${enrollment}`);
    return 2;
  }
  let issuers: IssuerEntry[];
  let risk: RiskConfig | undefined;
  try {
    risk = riskConfigFor(options['data-dir'], options['risk-config']);
    issuers = options['trust-issuer'].map(parseIssuer);
    for (const path of options['trust-issuer-file']) {
      const issuer = loadIssuer(path);
      issuers.push({ alg: issuer.alg, kid: issuer.kid, publicKey: issuer.publicKey });
    }
  } catch (error) {
    console.error(`qrpay authorizer: ${(error as Error).message}`);
    return exitCodes.usage;
  }
  if (options.approve || options['print-keys']) {
    // A mistyped --data-dir must not silently create a new database with new keys.
    if (!existsSync(join(options['data-dir'], databaseFileName))) {
      throw new CliError(`no authorizer database in ${options['data-dir']} (see --data-dir; qrpay authorizer creates it on its first start)`, exitCodes.usage);
    }
  }
  if (options['print-keys']) {
    const authorizer = await composeAuthorizer({ dataDir: options['data-dir'] });
    console.log(`decision key       ${publicKeyToText(authorizer.decisionKey.publicKey)}`);
    console.log(`operator root key  ${publicKeyToText(authorizer.lists.rootKey)}`);
    await authorizer.close();
    return exitCodes.ok;
  }
  if (options.approve) {
    const authorizer = await composeAuthorizer(storage);
    const changed = await authorizer.service.approveTerminal(options.approve);
    await authorizer.close();
    console.log(changed ? `approved ${options.approve}` : `no pending or suspended terminal ${options.approve}`);
    return changed ? exitCodes.ok : exitCodes.failed;
  }
  const config = {
    ...storage,
    enrollment,
    issuers,
    ...(risk ? { risk } : {}),
    notify: {
      ...(options['wallet-webhook'] ? { walletWebhook: options['wallet-webhook'] } : {}),
      ...(options.gateway ? { gatewayUrl: options.gateway } : {}),
    },
  };
  if (workers > 1 && !isWorker()) {
    // Migrations, keys, the merchant and the trusted issuers once, before any worker races to create them.
    await (await composeAuthorizer(config)).close();
    await runPrimary({
      workers,
      log: (line) => console.log(`${new Date().toISOString()} ${line}`),
      onListening: ({ host, port: bound }) => {
        const shownHost = host.includes(':') ? `[${host}]` : host;
        console.log(`authorizer listening on http://${shownHost}:${bound} (${workers} workers, database ${shownDatabase})`);
      },
    });
    return 0;
  }
  const who = isWorker() ? ` [worker ${process.pid}]` : '';
  const authorizer = await startAuthorizer({
    ...config,
    host: options.host,
    port,
    onExchange: (e) => console.log(`${new Date().toISOString()}${who} ${e.method} ${e.path} → ${e.status} (${e.ms} ms)`),
  });
  if (!isWorker()) {
    console.log(`authorizer listening on ${authorizer.url} (database ${shownDatabase})`);
    console.log(`decision key ${publicKeyToText(authorizer.decisionKey)} (pin it: qrpay terminal --authorizer-key KEY)`);
    if (enrollment === 'open') console.log('enrollment is OPEN: every terminal key that asks is enrolled (simulator and demos only)');
    else if (enrollment === 'provisioned') console.log('new terminals need a provisioning token: qrpay operator provision --merchant ID');
  }
  await new Promise<void>((resolve) => {
    // Started through npx, a `kill %1` stops npm's process, not this one: leave with our parent rather than
    // linger on the port as an orphan. The watch is cleared on every way out, or it would keep the process alive.
    const parent = process.ppid;
    const leave = () => {
      clearInterval(watch);
      resolve();
    };
    const watch = setInterval(() => {
      if (process.ppid !== parent) leave();
    }, 500);
    process.once('SIGINT', leave);
    process.once('SIGTERM', leave);
  });
  await authorizer.close();
  leaveCluster();
  return 0;
}

function parseIssuer(spec: string): IssuerEntry {
  const [alg, kid, key] = spec.split(':');
  if ((alg !== 'ES256' && alg !== 'EdDSA') || !/^([0-9a-f]{2}){1,8}$/i.test(kid ?? '') || !/^([0-9a-f]{2})+$/i.test(key ?? '')) {
    throw new Error(`--trust-issuer wants ALG:KID_HEX:PUBLIC_KEY_HEX with ALG ES256 or EdDSA, got ${spec}`);
  }
  return { alg: alg as CoseAlgName, kid: Uint8Array.from(Buffer.from(kid, 'hex')), publicKey: Uint8Array.from(Buffer.from(key, 'hex')) };
}
