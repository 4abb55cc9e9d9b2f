/**
 * The world a scenario runs in: the reference authorizer on 127.0.0.1 with its
 * SQLite database, a wallet issuer it trusts, customers with phones, and
 * simulated terminals (tools/demo/station.ts, the demo's own stations) whose
 * network a scenario can cut. Plain functions and objects, no printing of its
 * own: everything is told through `say`, so another UI can run the same
 * scenarios.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HalError } from '../../hal/errors';
import type { HttpClient, HttpRequest, HttpResponse } from '../../hal/http';
import { nodeEntropy } from '../../hal/sim/entropy';
import { NodeHttpClient } from '../../hal/sim/http';
import { SystemClock } from '../../hal/sim/system-clock';
import type { Clock } from '../../hal/clock';
import { readPngFile } from '../../hal/sim/png';
import type { RgbImage } from '../../hal/portable/rgb-to-frame';
import { hex } from '../../src/paycode/hex';
import type { Decision } from '../../src/terminal/decision';
import { startAuthorizer, type RunningAuthorizer } from '../authorizer/authorizer';
import { parseRiskConfig } from '../authorizer/domain/risk/config';
import type { DecisionDetail, Payment } from '../authorizer/store/ports';
import { bootStation, type Say, type Station, type StationHardware } from '../demo/station';
import { writeQrPng } from '../wallet/render';
import {
  createDeviceKey, createIssuer, issueCredential, makePaymentCode, type IssuedCredential, type IssuerKey, type KeyPair, type PaymentCode,
} from '../wallet/wallet';

/** A network a scenario can cut: while `down`, every request fails as a dead link does (no answer, nothing sent). */
export class Link implements HttpClient {
  down = false;
  readonly #inner = new NodeHttpClient();

  request(request: HttpRequest): Promise<HttpResponse> {
    if (this.down) return Promise.reject(new HalError('unreachable', `the link to ${request.url} is down`));
    return this.#inner.request(request);
  }
}

/** A customer's phone: a device key and the credential the issuer gave it. */
export interface Phone {
  device: KeyPair;
  credential: IssuedCredential;
  /** A fresh payment code (`issuedAt`: when the phone thinks it is, default now). */
  code(options?: { issuedAt?: number; lifetimeSeconds?: number }): PaymentCode;
  /** The code as the phone's screen shows it to a camera. */
  screen(code: PaymentCode): Promise<RgbImage>;
}

export interface WorldOptions {
  /** Keep the databases and keys here (default: a temporary directory removed at close). */
  dataDir?: string;
  /** Risk settings for the authorizer (domain/risk/config.ts), e.g. to make a step-up likely. */
  risk?: unknown;
  /** Where the authorizer posts wallet notifications (a scenario's wallet app). */
  walletWebhook?: string;
}

export interface World {
  root: string;
  authorizer: RunningAuthorizer;
  issuer: IssuerKey;
  say: Say;
  /** Boots a terminal that enrolls with the authorizer (it keeps its data under the world's root, by name). */
  station(name: string, hardware?: StationHardware): Promise<Station>;
  phone(options?: { offlineAllowed?: boolean; perPaymentCap?: number }): Phone;
  /** What the authorizer holds of the payment a decision names, if anything. */
  payment(decision: Decision): Promise<Payment | undefined>;
  /** The authorizer's record of a payment a decision answered: factors, step-up, state journal. */
  detail(decision: Decision): Promise<DecisionDetail | undefined>;
  close(): Promise<void>;
}

export async function openWorld(say: Say, options: WorldOptions = {}): Promise<World> {
  const root = options.dataDir ?? mkdtempSync(join(tmpdir(), 'qrpay-scenario-'));
  const stations: Station[] = [];
  const authorizer = await startAuthorizer({
    dataDir: join(root, 'authorizer'),
    // Terminals of a scenario enroll openly, as in the demo (a real authorizer wants a provisioning token).
    enrollment: 'open',
    ...(options.risk ? { risk: parseRiskConfig(options.risk) } : {}),
    notify: { ...(options.walletWebhook ? { walletWebhook: options.walletWebhook } : {}), dispatcher: { intervalMs: 200 } },
  }).catch((error: unknown) => {
    if (!options.dataDir) rmSync(root, { recursive: true, force: true });
    throw error;
  });
  say('authorizer', `listening on ${authorizer.url}, SQLite database in ${join(root, 'authorizer')}`);
  const issuer = createIssuer({ alg: 'ES256' }, nodeEntropy);
  await authorizer.trustIssuer({ alg: issuer.alg, kid: issuer.kid, publicKey: issuer.publicKey });
  say('wallet', `issuer key created (ES256, kid ${hex(issuer.kid)}); the operator's signed trust list includes it`);
  const clock = new SystemClock({ unref: true });
  let screens = 0;

  const payment = (decision: Decision) => decision.requestHash
    ? authorizer.store.transaction((tx) => tx.payments.byHash(decision.requestHash!))
    : Promise.resolve(undefined);

  return {
    root, authorizer, issuer, say,
    async station(name, hardware = {}) {
      const station = await bootStation(name, join(root, name), authorizer.url, say, undefined, authorizer.decisionKey, undefined, hardware);
      stations.push(station);
      return station;
    },
    phone(limits = {}) {
      const device = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
      const now = Math.floor(Date.now() / 1000);
      const credential = issueCredential(issuer, {
        device: { alg: 'ES256', publicKey: device.publicKey }, notBefore: now - 60, expiresAt: now + 30 * 86400,
        limits: { offlineAllowed: limits.offlineAllowed ?? false, ...(limits.perPaymentCap ? { perPaymentCap: limits.perPaymentCap } : {}) },
      }, nodeEntropy);
      say('wallet', `phone set up: account ${hex(credential.account)}, credential ${hex(credential.credentialId)}${limits.offlineAllowed ? ', offline payments allowed' : ''}`);
      return {
        device, credential,
        code(at = {}) {
          const phoneClock: Pick<Clock, 'now'> = at.issuedAt === undefined ? clock : { now: () => at.issuedAt! };
          return makePaymentCode(credential, device, { clock: phoneClock, entropy: nodeEntropy, lifetimeSeconds: at.lifetimeSeconds ?? 60 });
        },
        async screen(code) {
          const png = join(root, `screen-${++screens}.png`);
          await writeQrPng(png, code.text, { scale: 3 });
          return readPngFile(png);
        },
      };
    },
    payment,
    async detail(decision) {
      const paid = await payment(decision);
      return paid ? authorizer.store.transaction((tx) => tx.views.decision(paid.requestId)) : undefined;
    },
    async close() {
      for (const station of stations) station.stop();
      await authorizer.close();
      if (!options.dataDir) rmSync(root, { recursive: true, force: true });
    },
  };
}
