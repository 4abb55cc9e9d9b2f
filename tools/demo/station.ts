/**
 * A simulated terminal station for the desktop tools: the simulator board, a
 * GNSS receiver standing near the simulator merchant's site, a camera looking
 * at whatever the customer holds up (a `PhoneScene`), and the terminal core.
 * Its stages are narrated through `say(stage, text)`.
 */
import type { ReversalEffect } from '../../src/authorization/reversal';
import { publicKeyToText, type PublicKey } from '../../src/authorization/signer';
import { createSimulatorHal, type SimulatorHal } from '../../boards/simulator/hal';
import type { RgbImage } from '../../hal/portable/rgb-to-frame';
import type { HttpClient } from '../../hal/http';
import type { ReceiverEpoch } from '../../hal/sim/nmea-format';
import type { PowerCutOptions } from '../../hal/sim/power-switch';
import { stationary } from '../../hal/sim/tracks';
import { trackSerial } from '../../hal/sim/track-serial';
import type { Charge } from '../../src/authorization/charge';
import type { Site } from '../../src/authorization/enrollment';
import { describeLocation } from '../../src/authorization/location';
import { NmeaLocationSensor } from '../../src/location/index';
import { createTerminal, formatAmount, type Terminal } from '../../src/terminal/terminal';
import type { Decision } from '../../src/terminal/decision';
import { simulatorMerchant } from '../authorizer/authorizer';
import { cameraCodeSource } from '../../src/terminal/code-source';
import { PhoneScene } from './phone-scene';

export type Say = (stage: string, text: string) => void;

/** What a scenario changes about the station's hardware (tools/scenario); the demo takes the defaults. */
export interface StationHardware {
  /** The storage loses power during this write (boards/simulator/hal.ts). */
  powerCut?: PowerCutOptions;
  /** The network, e.g. one a scenario can cut. Default node:http. */
  http?: HttpClient;
  /** What the GNSS receiver reports from `start` (ms) on. Default: standing at the counter under open sky. */
  track?: (start: number, site: { latitude: number; longitude: number }) => Iterable<ReceiverEpoch>;
  /** Where the terminal stands (its merchant's site). Default: the simulator's cafe. */
  site?: Site;
}

export interface Station {
  name: string;
  hal: SimulatorHal;
  terminal: Terminal;
  location: NmeaLocationSensor;
  scene: PhoneScene;
  stop(): void;
}

/**
 * `authorizerKey`: the authorizer's key, pinned. Without it the station trusts whichever key answers its first
 * enrollment (trust on first use, simulator only) and says so. `http`: the board's HTTP client (one that pins the
 * authorizer's TLS certificate, say); default the simulator's. `site`: where the station stands (its GNSS fixes are
 * a few metres from it); default the simulator merchant's.
 */
export async function bootStation(
  name: string, dataDir: string, url: string, say: Say, scene = new PhoneScene(), authorizerKey?: PublicKey, provisioningToken?: Uint8Array,
  hardware: StationHardware = {},
): Promise<Station> {
  const hal = createSimulatorHal({
    dataDirectory: dataDir, quiet: true, camera: { scene, frameRate: 15 },
    ...(hardware.powerCut ? { powerCut: hardware.powerCut } : {}), ...(hardware.http ? { http: hardware.http } : {}),
  });
  const merchant = hardware.site ?? simulatorMerchant.site;
  // A receiver on the counter, a few metres from the merchant's registered site.
  const counter = { latitude: merchant.latitude + 0.00004, longitude: merchant.longitude - 0.00003 };
  const track = hardware.track?.(Date.now(), counter) ?? stationary({ start: Date.now(), seconds: 3600, seed: name.length, ...counter, altitude: 41, acquisition: 0 });
  const serial = trackSerial('ublox-m8n', track, { clock: hal.clock });
  const location = new NmeaLocationSensor({ serial, clock: hal.clock, maxAge: 5000 });
  const codeSource = cameraCodeSource({
    camera: hal.camera!,
    clock: hal.clock,
    onRead: (code, frame, afterMs) =>
      say('camera', `${name}: code read from frame ${frame.sequence} (${frame.width}x${frame.height} ${frame.imageType}, QR version ${code.version}, ${code.path} path) ${Math.round(afterMs)} ms after the camera started looking`),
  });
  const terminal = createTerminal({
    hal,
    location,
    codeSource,
    config: {
      authorizerUrl: url,
      firmware: '0.1.0-sim',
      device: { model: 'qrpay-sim', serial: `SIM-${name.toUpperCase()}`, board: 'simulator' },
      actuation: { kind: 'hold', ms: 300 },
      ...(authorizerKey ? { authorizerKey } : { trustOnFirstUse: true }),
      ...(provisioningToken ? { provisioningToken } : {}),
    },
  });
  say('terminal', authorizerKey
    ? `${name}: authorizer key pinned (${publicKeyToText(authorizerKey).slice(0, 24)}...)`
    : `${name}: no authorizer key pinned: trusting the first key that answers (trust on first use, simulator only)`);
  const stop = () => {
    location.close();
    hal.shutdown();
  };
  // Earlier requests are settled at start(): tell what became of them.
  terminal.on('reversal-queued', (e) => say('terminal', `${name}: request trace ${e.trace} given up (${e.reason}): its reversal is stored and sent until the authorizer acknowledges it`));
  terminal.on('reversed', (e) => say('terminal', `${name}: request trace ${e.trace} (${e.reason}) reversed, acknowledged by the authorizer: ${reversalEffectText[e.effect]}; nothing was released for it`));
  try {
    const hadKey = hal.keystore.has('terminal');
    const identity = await terminal.start();
    const waiting = terminal.pendingWork().length;
    if (waiting > 0) say('terminal', `${name}: ${waiting} reversal${waiting === 1 ? '' : 's'} not acknowledged yet (authorizer unreachable): sent again before the next charge`);
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

const reversalEffectText: Record<ReversalEffect, string> = {
  'not-received': 'it never arrived, and will be declined if it does',
  'not-captured': 'it had been declined, nothing was taken',
  released: 'the hold is released, nothing was taken',
  voided: 'the capture is voided and the customer refunded',
  'already-returned': 'the money was back with the customer already',
};

/** Prints each stage of the station's charges; returns a function that stops it. */
export function narrate(station: Station, say: Say): () => void {
  const { terminal, name } = station;
  const off = [
    terminal.on('waiting', (e) => say('charge', `${name}: ${formatAmount(e.charge.amount)} ${e.charge.currency} ${e.charge.purpose}, ref ${e.charge.reference}: show your code`)),
    terminal.on('code-checked', (e) => say('terminal', e.verdict.status === 'verified' ? `code verified offline: ${e.summary}` : `code rejected offline: ${e.verdict.reason} (${e.summary})`)),
    terminal.on('request-signed', (e) => say('terminal', `request signed with the terminal key: trace ${e.trace}, location ${describeLocation(e.location)}, ${e.bytes} bytes`)),
    terminal.on('attempt', (e) => say('network', `POST /v1/authorize (application/cose), attempt ${e.attempt}`)),
    terminal.on('attempt-failed', (e) => say('network', `attempt ${e.failure.attempt}: ${e.failure.reason}: ${e.failure.detail}`)),
    terminal.on('step-up', (e) => say('terminal', `decision verified: STEP-UP (trace ${e.trace}): "${e.display}"; waiting for the customer's answer in the wallet app`)),
    terminal.on('verified', (d) => say('terminal', d.reason === 'offline'
      ? 'no verifiable answer: approved offline, within the limits the authorizer signed at enrollment; the signed request waits in the journal for its upload'
      : `decision verified (authorizer signature, bound to the request's SHA-256, fresh): ${d.outcome.toUpperCase()}${d.approvalCode ? `, approval ${d.approvalCode}` : ''}, ${d.reason}`)),
    terminal.on('decision', (d) => {
      if (d.source === 'terminal') say('terminal', `decided on the terminal: ${d.outcome.toUpperCase()}, ${d.reason}`);
      say('display', `"${d.display}"`);
      if (!d.actuated) say('actuator', 'stays locked');
      if (d.reversal) say('terminal', d.reversal.state === 'acknowledged' ? `reversed at once: ${reversalEffectText[d.reversal.effect]}` : 'reversal stored; it goes out when the authorizer answers again');
    }),
    terminal.on('actuated', (e) => say('actuator', `fired once: relay held ${e.actuation.kind === 'hold' ? `${e.actuation.ms} ms` : 'as a pulse train'} (trace ${e.trace})`)),
  ];
  return () => {
    for (const remove of off) remove();
  };
}

/** Runs a charge while the phone shows `screen` to the station's camera; narrates each stage. */
export async function chargeWithPhone(station: Station, charge: Charge, screen: RgbImage, say: Say): Promise<Decision> {
  const { terminal, scene } = station;
  const quiet = narrate(station, say);
  try {
    const pending = terminal.charge(charge);
    scene.show(screen);
    say('phone', 'code held up to the camera');
    return await pending;
  } finally {
    scene.clear();
    quiet();
  }
}

/** Runs a charge and hands the code over as text (a scanner elsewhere, or a test); narrates each stage. */
export async function chargeWithText(station: Station, charge: Charge, code: string, say: Say): Promise<Decision> {
  const quiet = narrate(station, say);
  try {
    const pending = station.terminal.charge(charge);
    station.terminal.present(code);
    say('scanner', `${station.name}: code handed over as text (${code.length} characters)`);
    return await pending;
  } finally {
    quiet();
  }
}
