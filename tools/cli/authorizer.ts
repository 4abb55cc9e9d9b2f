/**
 * `qrpay authorizer`: runs the reference authorizer on loopback with its
 * SQLite database (or a PostgreSQL one), in one process or several
 * (--workers), over HTTP or HTTPS, logging one JSON line per exchange, until
 * SIGTERM or SIGINT, which it answers by draining (the requests under way
 * finish) and closing the database. `qrpay authorizer tls-keygen` makes a
 * self-signed certificate for development.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { publicKeyToText } from '../../src/authorization/signer';
import type { CoseAlgName } from '../../src/cose/sign1';
import { startAuthorizer } from '../authorizer/authorizer';
import { composeAuthorizer, DatabaseUrlError } from '../authorizer/composition';
import { isWorker, leaveCluster, runPrimary } from '../authorizer/workers';
import { trustedProxies, TrustedProxyError } from '../authorizer/http/client-address';
import { jsonLog } from '../authorizer/ops/log';
import { clusterMetricsText, parseHostPort, serveMetrics, type MetricsListener } from '../authorizer/ops/metrics';
import { defaultTlsNames, generateDevelopmentTls, readTlsPair, TlsFileError, type TlsPair } from '../authorizer/ops/tls';
import type { IssuerEntry } from '../authorizer/domain/lists';
import { enrollmentModes, type EnrollmentMode } from '../authorizer/domain/provisioning';
import { loadIssuer } from '../wallet/files';
import { riskConfigFor, type RiskConfig } from '../authorizer/domain/risk/config';
import { keptNotice, merchantsConfigFor, type MerchantsConfig } from '../authorizer/domain/merchants';
import { databaseFileName } from '../authorizer/store/sqlite/database';
import { CliError, exitCodes } from './exit';

const help = `usage: qrpay authorizer [options]
       qrpay authorizer tls-keygen [--out-dir DIR] [--name HOST]... [--days N] [--force]

Runs the reference authorizer (enrollment, authorization, trust lists) over HTTP or HTTPS.
Logs one JSON line per exchange on stdout; GET /v1/health is liveness, GET /v1/ready readiness.
SIGTERM or SIGINT drains it: no new connections, the requests under way answered, then
the database closed.

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
  --merchants FILE       the merchants and their sites (JSON, docs/authorizer.md; default: DATA_DIR/merchants.json
                         if present, else the simulator's merchant); terminals enrolling without a token join the
                         first merchant's first site
  --trust-proxy ADDR     a reverse proxy in front (IP address, repeatable): requests from it are counted against
                         the client its X-Forwarded-For names (the per-source enrollment limit); from any other
                         peer the header is ignored (docs/security.md)
  --tls-cert FILE        serve HTTPS with this PEM certificate (chain) ...
  --tls-key FILE         ... and its PEM private key (both or neither; tls-keygen makes a pair)
  --metrics HOST:PORT    serve Prometheus metrics at http://HOST:PORT/metrics (off by default; bind it to
                         an address only your monitoring reaches: counts say how busy the system is)
  --drain-seconds N      on SIGTERM, how long requests under way may take to finish (default 10)
  --wallet-webhook URL   deliver customer notifications to the wallet push service (default: spool in DATA_DIR/outbox)
  --gateway URL          deliver them to an SMS / e-mail gateway too (default: spool in DATA_DIR/outbox)
  --approve TERMINAL_ID  approve a pending (or re-approve a suspended) terminal and exit
  --print-keys           print the authorizer's public keys (to pin on terminals: qrpay terminal
                         --authorizer-key) and exit; the database must exist
  -h, --help             this text`;

const keygenHelp = `usage: qrpay authorizer tls-keygen [--out-dir DIR] [--name HOST]... [--days N] [--ca] [--force]

Makes a P-256 certificate and key for development (openssl), in DIR/tls-cert.pem and DIR/tls-key.pem
(owner-only): self-signed, or with --ca signed by a new development CA (DIR/ca-cert.pem, its key
DIR/ca-key.pem owner-only; tls-cert.pem then holds the certificate followed by the CA's). Serve with
qrpay authorizer --tls-cert DIR/tls-cert.pem --tls-key DIR/tls-key.pem; pin on terminals with
qrpay terminal --authorizer-ca DIR/tls-cert.pem (or DIR/ca-cert.pem). A Moddable board trusts a CA,
not a lone self-signed certificate: use --ca and build it with
npm run build:device -- <board> --authorizer-ca DIR/ca-cert.pem (docs/moddable.md).

options:
  --out-dir DIR    where to write the files (default var/authorizer/tls)
  --name HOST      a host name or IP address the certificate is for (repeatable; default ${defaultTlsNames.join(', ')})
  --days N         validity in days (default 365, at most 825)
  --ca             sign it with a new development CA (for boards)
  --force          replace existing files
  -h, --help       this text`;

function keygen(args: string[]): number {
  let values;
  try {
    values = parseArgs({
      args,
      options: {
        'out-dir': { type: 'string', default: 'var/authorizer/tls' },
        name: { type: 'string', multiple: true, default: [] },
        days: { type: 'string', default: '365' },
        ca: { type: 'boolean', default: false },
        force: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }).values;
  } catch (error) {
    throw new CliError(`${(error as Error).message}\n\n${keygenHelp}`, exitCodes.usage);
  }
  if (values.help) {
    console.log(keygenHelp);
    return exitCodes.ok;
  }
  try {
    const made = generateDevelopmentTls({ outDir: values['out-dir'], names: values.name, days: Number(values.days), force: values.force, ca: values.ca });
    console.log(`certificate ${made.certPath} (${made.ca ? 'signed by the CA, then the CA\'s' : 'self-signed'}, SHA-256 ${made.fingerprint})`);
    console.log(`key         ${made.keyPath} (owner-only)`);
    if (made.ca) {
      console.log(`CA          ${made.ca.certPath} (its key ${made.ca.keyPath}, owner-only)`);
      console.log(`board:      npm run build:device -- <board> --authorizer-ca ${made.ca.certPath}`);
    }
    console.log(`serve:      qrpay authorizer --tls-cert ${made.certPath} --tls-key ${made.keyPath}`);
    console.log(`pin:        qrpay terminal --authorizer https://${(values.name[0] ?? 'localhost').replace(/^(.*:.*)$/, '[$1]')}:8080 --authorizer-ca ${made.certPath}`);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof TlsFileError) throw new CliError(error.message, exitCodes.usage);
    throw error;
  }
}

export async function run(args: string[]): Promise<number> {
  if (args[0] === 'tls-keygen') return keygen(args.slice(1));
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
        merchants: { type: 'string' },
        'wallet-webhook': { type: 'string' },
        gateway: { type: 'string' },
        'trust-proxy': { type: 'string', multiple: true, default: [] },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        metrics: { type: 'string' },
        'drain-seconds': { type: 'string', default: '10' },
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
  const drainSeconds = Number(options['drain-seconds']);
  if (!Number.isFinite(drainSeconds) || drainSeconds < 0 || drainSeconds > 600) {
    console.error(`qrpay authorizer: --drain-seconds must be 0-600, got ${options['drain-seconds']}`);
    return exitCodes.usage;
  }
  const metricsAddress = options.metrics === undefined ? undefined : parseHostPort(options.metrics);
  if (options.metrics !== undefined && !metricsAddress) {
    console.error(`qrpay authorizer: --metrics wants HOST:PORT (127.0.0.1:9464, [::1]:9464), got ${options.metrics}`);
    return exitCodes.usage;
  }
  if ((options['tls-cert'] === undefined) !== (options['tls-key'] === undefined)) {
    console.error('qrpay authorizer: give both --tls-cert and --tls-key, or neither');
    return exitCodes.usage;
  }
  try {
    trustedProxies(options['trust-proxy']);
  } catch (error) {
    if (!(error instanceof TrustedProxyError)) throw error;
    console.error(`qrpay authorizer: ${error.message}`);
    return exitCodes.usage;
  }
  let tls: TlsPair | undefined;
  try {
    tls = options['tls-cert'] !== undefined ? readTlsPair(options['tls-cert'], options['tls-key']!) : undefined;
  } catch (error) {
    if (error instanceof TlsFileError) throw new CliError(error.message, exitCodes.usage);
    throw error;
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
  let merchants: MerchantsConfig | undefined;
  try {
    risk = riskConfigFor(options['data-dir'], options['risk-config']);
    merchants = merchantsConfigFor(options['data-dir'], options.merchants);
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
    const authorizer = await composeAuthorizer({ dataDir: options['data-dir'], ...(merchants ? { merchants } : {}) });
    console.log(`decision key       ${publicKeyToText(authorizer.decisionKey.publicKey)}`);
    console.log(`operator root key  ${publicKeyToText(authorizer.lists.rootKey)}`);
    await authorizer.close();
    return exitCodes.ok;
  }
  if (options.approve) {
    const authorizer = await composeAuthorizer({ ...storage, ...(merchants ? { merchants } : {}) });
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
    ...(merchants ? { merchants } : {}),
    notify: {
      ...(options['wallet-webhook'] ? { walletWebhook: options['wallet-webhook'] } : {}),
      ...(options.gateway ? { gatewayUrl: options.gateway } : {}),
    },
  };
  const log = jsonLog();
  if (workers > 1 && !isWorker()) {
    // Migrations, keys, the merchant and the trusted issuers once, before any worker races to create them.
    const composed = await composeAuthorizer(config);
    await composed.close();
    for (const line of composed.merchantsImport) if (line.action === 'kept') log.event('warn', 'merchants', { msg: keptNotice(line), id: line.id });
    // The primary answers scrapes for the whole cluster, summing what each worker counted.
    let metricsListener: MetricsListener | undefined;
    if (metricsAddress) {
      const cluster = clusterMetricsText();
      metricsListener = await serveMetrics(cluster.text, cluster.contentType, metricsAddress.host, metricsAddress.port);
      log.event('info', 'metrics', { msg: `metrics on ${metricsListener.url} (all ${workers} workers)`, url: metricsListener.url });
    }
    await runPrimary({
      workers,
      stop: stopRequested(),
      log: (line) => log.event('warn', 'worker', { msg: line }),
      onListening: ({ host, port: bound }) => {
        const shownHost = host.includes(':') ? `[${host}]` : host;
        const url = `${tls ? 'https' : 'http'}://${shownHost}:${bound}`;
        log.event('info', 'listening', { msg: `authorizer listening on ${url} (${workers} workers, database ${shownDatabase})`, url, workers });
      },
    });
    await metricsListener?.close();
    log.event('info', 'stopped', { msg: `authorizer stopped (${workers} workers drained)` });
    return 0;
  }
  const authorizer = await startAuthorizer({
    ...config,
    host: options.host,
    port,
    ...(tls ? { tls } : {}),
    trustedProxies: options['trust-proxy'],
    processMetrics: true,
    onExchange: (entry) => log.exchange(entry),
  });
  let metricsListener: MetricsListener | undefined;
  if (isWorker()) authorizer.metrics.shareWithPrimary();
  else {
    log.event('info', 'listening', { msg: `authorizer listening on ${authorizer.url} (database ${shownDatabase})`, url: authorizer.url });
    log.event('info', 'decision-key', { msg: `decision key ${publicKeyToText(authorizer.decisionKey)} (pin it: qrpay terminal --authorizer-key KEY)` });
    for (const line of authorizer.merchantsImport) if (line.action === 'kept') log.event('warn', 'merchants', { msg: keptNotice(line), id: line.id });
    if (enrollment === 'open') log.event('warn', 'enrollment', { msg: 'enrollment is OPEN: every terminal key that asks is enrolled (simulator and demos only)' });
    else if (enrollment === 'provisioned') log.event('info', 'enrollment', { msg: 'new terminals need a provisioning token: qrpay operator provision --merchant ID' });
    if (metricsAddress) {
      const registry = authorizer.metrics.registry;
      try {
        metricsListener = await serveMetrics(() => registry.metrics(), registry.contentType, metricsAddress.host, metricsAddress.port);
      } catch (error) {
        // A busy metrics port: nothing may be left listening, or the process would not exit with the error.
        await authorizer.close({ graceMs: 0 });
        throw error;
      }
      log.event('info', 'metrics', { msg: `metrics on ${metricsListener.url}`, url: metricsListener.url });
    }
  }
  // Only now: a failed start must exit, and the parent watch's timer would keep the process alive.
  const signal = await stopRequested();
  log.event('info', 'draining', { msg: `${signal}: draining (no new connections; up to ${drainSeconds} s for the requests under way)`, signal });
  await authorizer.close({ graceMs: drainSeconds * 1000 });
  await metricsListener?.close();
  log.event('info', 'stopped', { msg: 'authorizer stopped: requests answered, database closed' });
  leaveCluster();
  return 0;
}

/**
 * Resolves with the first SIGTERM or SIGINT (or 'parent-gone'). The handlers stay installed: a second signal
 * (systemd signals the whole control group, a terminal's Ctrl-C the whole process group, and a --workers primary
 * forwards it too) must not kill a process that is draining; signal handlers do not keep the process alive.
 */
function stopRequested(): Promise<string> {
  return new Promise<string>((resolve) => {
    // Started through npx, a `kill %1` stops npm's process, not this one: leave with our parent rather than
    // linger on the port as an orphan. The watch is cleared on every way out, or it would keep the process alive.
    const parent = process.ppid;
    let stopping = false;
    const leave = (why: string) => {
      if (stopping) return;
      stopping = true;
      clearInterval(watch);
      resolve(why);
    };
    const watch = setInterval(() => {
      if (process.ppid !== parent) leave('parent-gone');
    }, 500);
    process.on('SIGINT', () => leave('SIGINT'));
    process.on('SIGTERM', () => leave('SIGTERM'));
  });
}

function parseIssuer(spec: string): IssuerEntry {
  const [alg, kid, key] = spec.split(':');
  if ((alg !== 'ES256' && alg !== 'EdDSA') || !/^([0-9a-f]{2}){1,8}$/i.test(kid ?? '') || !/^([0-9a-f]{2})+$/i.test(key ?? '')) {
    throw new Error(`--trust-issuer wants ALG:KID_HEX:PUBLIC_KEY_HEX with ALG ES256 or EdDSA, got ${spec}`);
  }
  return { alg: alg as CoseAlgName, kid: Uint8Array.from(Buffer.from(kid, 'hex')), publicKey: Uint8Array.from(Buffer.from(key, 'hex')) };
}
