/**
 * The simulator demo (`npm start`): one payment end to end on this machine,
 * then the same code shown again, as a copy would be. Every stage is printed
 * with the time since the start, so a newcomer can follow what happens and
 * where the time goes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatorHal, type SimulatorHal } from '../../boards/simulator/hal';
import { nodeEntropy } from '../../hal/sim/entropy';
import { decodePng } from '../../hal/sim/png';
import { SystemClock } from '../../hal/sim/system-clock';
import { stationary } from '../../hal/sim/tracks';
import { trackSerial } from '../../hal/sim/track-serial';
import type { Charge } from '../../src/authorization/charge';
import { describeLocation } from '../../src/authorization/location';
import { NmeaLocationSensor } from '../../src/location/index';
import { codePrefix } from '../../src/paycode/format';
import { hex } from '../../src/paycode/hex';
import { createTerminal, formatAmount, type Terminal } from '../../src/terminal/terminal';
import type { Decision } from '../../src/terminal/decision';
import { startAuthorizer, simulatorMerchant, type RunningAuthorizer } from '../authorizer/authorizer';
import { schemaVersion } from '../authorizer/database';
import { qrInfo, qrPngBuffer } from '../wallet/render';
import { createDeviceKey, createIssuer, issueCredential, makePaymentCode } from '../wallet/wallet';
import { scanCamera } from './camera-scanner';
import { PhoneScene } from './phone-scene';

export interface DemoOptions {
  /** Keep the databases and keys here (default: a temporary directory removed at the end). */
  dataDir?: string;
  /** Where lines go (default stdout). */
  write?: (line: string) => void;
}

interface Station {
  name: string;
  hal: SimulatorHal;
  terminal: Terminal;
  location: NmeaLocationSensor;
  scene: PhoneScene;
  stop(): void;
}

export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const write = options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
  const started = performance.now();
  const say = (stage: string, text: string) => write(`${`+${((performance.now() - started) / 1000).toFixed(3)} s`.padStart(10)}  ${stage.padEnd(10)} ${text}`);
  const heading = (text: string) => write(`\n── ${text} ${'─'.repeat(Math.max(0, 72 - text.length))}`);
  const root = options.dataDir ?? mkdtempSync(join(tmpdir(), 'qrpay-demo-'));
  const stations: Station[] = [];
  let authorizer: RunningAuthorizer | undefined;

  try {
    write('qrpay demo: a QR payment from phone to verified decision, on this machine.');
    write(`data in ${root}`);

    heading('1. the authorizer and the wallet issuer');
    authorizer = await startAuthorizer({ dataDir: join(root, 'authorizer') });
    say('authorizer', `listening on ${authorizer.url}; SQLite database ${join(root, 'authorizer', 'authorizer.sqlite')} (schema v${schemaVersion(authorizer.db)})`);
    const issuer = createIssuer({ alg: 'ES256' }, nodeEntropy);
    authorizer.operator.trustIssuer({ alg: issuer.alg, kid: issuer.kid, publicKey: issuer.publicKey });
    say('wallet', `issuer key created (ES256, kid ${hex(issuer.kid)}); the operator's signed trust list now includes it`);

    heading('2. a terminal boots: key, enrollment, GNSS');
    const counter = await bootStation('counter', join(root, 'terminal-1'), authorizer.url, say);
    stations.push(counter);

    heading('3. a customer\'s phone: credential and payment code');
    const device = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
    const now = Math.floor(Date.now() / 1000);
    const credential = issueCredential(issuer, { device: { alg: 'ES256', publicKey: device.publicKey }, notBefore: now - 60, expiresAt: now + 30 * 86400 }, nodeEntropy);
    say('wallet', `credential issued: account ${hex(credential.account)}, device key ES256, valid 30 days`);
    const code = makePaymentCode(credential, device, { clock: new SystemClock({ unref: true }), entropy: nodeEntropy, lifetimeSeconds: 60 });
    const qr = qrInfo(code.text);
    say('wallet', `payment code ${hex(code.codeId)}: ${code.bytes.length} bytes, ${code.text.length} characters of QR text, QR version ${qr.version}, valid 60 s`);
    const screen = decodePng(new Uint8Array(await qrPngBuffer(code.text, { scale: 3 })));

    heading('4. the payment: 4.50 EUR at the counter');
    const coffee: Charge = { amount: 450, currency: 'EUR', purpose: 'counter-sale', reference: 'DEMO-0001' };
    const first = await chargeWithPhone(counter, coffee, screen, say);
    if (first.outcome !== 'approved' || !first.actuated) {
      say('demo', `expected an approval, got ${first.outcome} (${first.reason})`);
      return 1;
    }

    heading('5. the same code again: a screenshot shown a second time');
    const copy = await chargeWithPhone(counter, { ...coffee, reference: 'DEMO-0002' }, screen, say);

    heading('6. the copy at another terminal, which never saw it');
    const kiosk = await bootStation('kiosk', join(root, 'terminal-2'), authorizer.url, say);
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

async function bootStation(name: string, dataDir: string, url: string, say: (stage: string, text: string) => void): Promise<Station> {
  const scene = new PhoneScene();
  const hal = createSimulatorHal({ dataDirectory: dataDir, quiet: true, camera: { scene, frameRate: 15 } });
  const merchant = simulatorMerchant.site;
  // A receiver on the counter, a few metres from the merchant's registered site.
  const serial = trackSerial('ublox-m8n', stationary({ start: Date.now(), seconds: 3600, seed: name.length, latitude: merchant.latitude + 0.00004, longitude: merchant.longitude - 0.00003, altitude: 41, acquisition: 0 }), { clock: hal.clock });
  const location = new NmeaLocationSensor({ serial, clock: hal.clock, maxAge: 5000 });
  const terminal = createTerminal({
    hal,
    location,
    config: {
      authorizerUrl: url,
      firmware: '0.1.0-sim',
      device: { model: 'qrpay-sim', serial: `SIM-${name.toUpperCase()}`, board: 'simulator' },
      actuation: { kind: 'hold', ms: 300 },
    },
  });
  const stop = () => {
    location.close();
    hal.shutdown();
  };
  try {
    const hadKey = hal.keystore.has('terminal');
    const identity = await terminal.start();
    say('terminal', `${name}: ${hadKey ? 'key loaded' : 'P-256 key created in the keystore'}; enrolled as ${identity.terminalId} for ${identity.merchant.name} (${identity.merchant.currency}, ${identity.merchant.purposes.join(', ')})`);
    say('terminal', `${name}: trust list and deny list installed (signed by the operator key); authorizer decision key recorded (trusted on first use)`);
    const fix = await waitForFix(location, hal);
    say('gnss', `${name}: ${fix}`);
  } catch (error) {
    stop();
    throw error;
  }
  return { name, hal, terminal, location, scene, stop };
}

async function waitForFix(location: NmeaLocationSensor, hal: SimulatorHal): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const sample = location.sample();
    if (sample.status === 'fix') return `fix ${describeLocation({ ...sample, reason: undefined })} (${sample.satellites} satellites, ${sample.fix})`;
    await new Promise<void>((resolve) => hal.clock.setTimer(resolve, 100));
  }
  return 'no fix yet: requests will say so';
}

async function chargeWithPhone(station: Station, charge: Charge, screen: ReturnType<typeof decodePng>, say: (stage: string, text: string) => void): Promise<Decision> {
  const { terminal, hal, scene, name } = station;
  const off: (() => void)[] = [];
  const on: Terminal['on'] = (event, listener) => {
    const remove = terminal.on(event, listener);
    off.push(remove);
    return remove;
  };
  on('waiting', (e) => say('charge', `${name}: ${formatAmount(e.charge.amount)} ${e.charge.currency} ${e.charge.purpose}, ref ${e.charge.reference}: show your code`));
  on('code-checked', (e) => say('terminal', e.verdict.status === 'verified' ? `code verified offline: ${e.summary}` : `code rejected offline: ${e.verdict.reason} (${e.summary})`));
  on('request-signed', (e) => say('terminal', `request signed with the terminal key: trace ${e.trace}, location ${describeLocation(e.location)}, ${e.bytes} bytes`));
  on('attempt', (e) => say('network', `POST /v1/authorize (application/cose), attempt ${e.attempt}`));
  on('attempt-failed', (e) => say('network', `attempt ${e.failure.attempt}: ${e.failure.reason}: ${e.failure.detail}`));
  on('verified', (d) => say('terminal', `decision verified (authorizer signature, bound to the request's SHA-256, fresh): ${d.outcome.toUpperCase()}${d.approvalCode ? `, approval ${d.approvalCode}` : ''}, ${d.reason}`));
  on('decision', (d) => {
    if (d.source === 'terminal') say('terminal', `decided on the terminal: ${d.outcome.toUpperCase()}, ${d.reason}`);
    say('display', `"${d.display}"`);
  });
  on('actuated', (e) => say('actuator', `fired once: relay held ${e.actuation.kind === 'hold' ? `${e.actuation.ms} ms` : 'as a pulse train'} (trace ${e.trace})`));

  const scanner = scanCamera(hal.camera!, (text) => text.indexOf(codePrefix) === 0, (report) => {
    say('camera', `${name}: code read from frame ${report.frame.sequence} (${report.frame.width}x${report.frame.height} ${report.frame.imageType}, QR version ${report.version}, ${report.path} path, ${report.scanMs.toFixed(1)} ms)`);
    if (!terminal.present(report.text)) scanner.resume();
  });
  try {
    const pending = terminal.charge(charge);
    scene.show(screen);
    say('phone', 'code held up to the camera');
    const decision = await pending;
    scene.clear();
    if (!decision.actuated) say('actuator', 'stays locked');
    return decision;
  } finally {
    scanner.stop();
    for (const remove of off) remove();
  }
}
