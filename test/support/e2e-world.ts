/**
 * End-to-end fixtures on loopback: the real authorizer (SQLite in a temp
 * directory, node:http), a wallet (tools/wallet) whose issuer the authorizer
 * trusts, and simulated terminals (boards/simulator) with their own data
 * directories. Node-only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatorHal, type SimulatorHal } from '../../boards/simulator/hal';
import type { PowerCutOptions } from '../../hal/sim/power-switch';
import { SystemClock } from '../../hal/sim/system-clock';
import { nodeEntropy } from '../../hal/sim/entropy';
import type { Charge } from '../../src/authorization/charge';
import { createTerminal, type Terminal } from '../../src/terminal/terminal';
import type { TerminalConfig } from '../../src/terminal/config';
import type { Decision } from '../../src/terminal/decision';
import { simulatorMerchant, startAuthorizer, type AuthorizerConfig, type RunningAuthorizer } from '../../tools/authorizer/authorizer';
import { stationary } from '../../hal/sim/tracks';
import { trackSerial } from '../../hal/sim/track-serial';
import { NmeaLocationSensor } from '../../src/location/index';
import {
  createDeviceKey, createIssuer, issueCredential, makePaymentCode, type IssuedCredential, type IssuerKey, type KeyPair,
} from '../../tools/wallet/wallet';

export class Wallet {
  readonly issuer: IssuerKey;
  readonly device: KeyPair;
  readonly credential: IssuedCredential;
  readonly #clock = new SystemClock({ unref: true });

  constructor(issuer: IssuerKey = createIssuer({ alg: 'ES256' }, nodeEntropy), limits?: { perPaymentCap?: number; offlineAllowed?: boolean }) {
    this.issuer = issuer;
    this.device = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
    const now = Math.floor(Date.now() / 1000);
    this.credential = issueCredential(issuer, {
      device: { alg: 'ES256', publicKey: this.device.publicKey }, notBefore: now - 60, expiresAt: now + 86400, ...(limits ? { limits } : {}),
    }, nodeEntropy);
  }

  /** A fresh, genuine payment code (QR text). */
  code(): string {
    return makePaymentCode(this.credential, this.device, { clock: this.#clock, entropy: nodeEntropy }).text;
  }

  /** A code for this credential signed by some other key: what a forger without the phone's key can make. */
  forgedCode(): string {
    const stranger = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
    return makePaymentCode(this.credential, stranger, { clock: this.#clock, entropy: nodeEntropy }).text;
  }
}

export interface World {
  authorizer: RunningAuthorizer;
  wallet: Wallet;
  root: string;
  /** A new empty directory under the world's root. */
  dir(name: string): string;
  close(): Promise<void>;
}

export async function startWorld(config: Partial<AuthorizerConfig> = {}): Promise<World> {
  const root = mkdtempSync(join(tmpdir(), 'qrpay-e2e-'));
  const wallet = new Wallet();
  const authorizer = await startAuthorizer({
    dataDir: join(root, 'authorizer'),
    // The simulator's world: every terminal that asks is enrolled (provisioning has its own tests).
    enrollment: 'open',
    issuers: [{ alg: wallet.issuer.alg, kid: wallet.issuer.kid, publicKey: wallet.issuer.publicKey }],
    ...config,
  });
  return {
    authorizer,
    wallet,
    root,
    dir: (name) => join(root, name),
    close: async () => {
      await authorizer.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface BootOptions {
  url: string;
  dataDir: string;
  powerCut?: PowerCutOptions;
  config?: Partial<TerminalConfig>;
}

export interface Booted {
  terminal: Terminal;
  hal: SimulatorHal;
}

export const fastRetry = { timeout: 400, attempts: 3, backoff: 50, maxBackoff: 200 };

/** Boots a simulated terminal (enrolling if its data directory is new). */
export async function bootTerminal(options: BootOptions): Promise<Booted> {
  const hal = createSimulatorHal({ dataDirectory: options.dataDir, quiet: true, powerCut: options.powerCut });
  const terminal = createTerminal({
    hal,
    config: {
      authorizerUrl: options.url,
      firmware: '0.1.0-e2e',
      device: { model: 'qrpay-sim', serial: options.dataDir.slice(-12), board: 'simulator' },
      retry: fastRetry,
      actuation: { kind: 'hold', ms: 20 },
      trustOnFirstUse: true,
      ...options.config,
    },
  });
  try {
    await terminal.start();
  } catch (error) {
    hal.shutdown();
    throw error;
  }
  return { terminal, hal };
}

/** A terminal with a simulated GNSS receiver standing near the simulator merchant's site, waiting for its first fix. */
export async function bootTerminalWithGnss(world: World, name: string): Promise<Booted & { location: NmeaLocationSensor }> {
  const clock = new SystemClock();
  const site = simulatorMerchant.site;
  const serial = trackSerial('quectel-l76', stationary({ start: Date.now(), seconds: 600, seed: 5, latitude: site.latitude, longitude: site.longitude, altitude: 40, acquisition: 0 }), { clock });
  const location = new NmeaLocationSensor({ serial, clock });
  const hal = createSimulatorHal({ dataDirectory: world.dir(name), quiet: true, clock });
  const terminal = createTerminal({
    hal,
    location,
    config: { authorizerUrl: world.authorizer.url, firmware: '0.1.0-e2e', device: { model: 'qrpay-sim', serial: name, board: 'simulator' }, retry: fastRetry, actuation: { kind: 'hold', ms: 20 }, authorizerKey: world.authorizer.decisionKey },
  });
  await terminal.start();
  for (let i = 0; i < 50 && location.sample().status !== 'fix'; i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return { terminal, hal, location };
}

export const coffee: Charge = { amount: 450, currency: 'EUR', purpose: 'counter-sale', reference: 'order-1' };

/** Starts a charge and presents `code` to it, as the scanner would. */
export function pay(terminal: Terminal, code: string, charge: Charge = coffee): Promise<Decision> {
  const pending = terminal.charge(charge);
  if (!terminal.present(code)) throw new Error('the terminal was not waiting for a code');
  return pending;
}

/** Rows of the authorizer's journal, oldest first. */
export function journal(world: { authorizer: Pick<RunningAuthorizer, 'db'> }): { id: number; terminal_id: string | null; trace: number | null; retry_of: number | null; outcome: string | null; reason: string | null }[] {
  return world.authorizer.db.prepare(
    `SELECT r.id, r.terminal_id, r.trace, r.retry_of, d.outcome, d.reason
     FROM requests r LEFT JOIN decisions d ON d.request_id = r.id ORDER BY r.id`,
  ).all() as ReturnType<typeof journal>;
}
