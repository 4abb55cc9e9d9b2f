/**
 * A self-service unlock terminal (a bike lock, a locker, an arcade machine) on
 * an ESP32 camera board: it charges the configured amount for every code shown
 * to the camera and, on a verified approval only, drives the relay. Each
 * board's main passes only what differs between boards (pins, model name);
 * the configuration comes from the board manifest's `config` (mc/config).
 */
import './text-encoder';
import config from 'mc/config';
import Digital from 'embedded:io/digital';
import Time from 'time';
import { createEsp32Entropy } from 'qrpay-entropy';
import { createModdableCrypto } from 'qrpay-native-crypto';
import { DigitalActuator, NmeaLocationSensor, SoftwareKeystore, cameraCodeSource, createTerminal, formatAmount, pinnedAuthorizerKey, provisioningToken, type Charge, type Hal } from '../../src/index';
import { createEsp32Camera } from './camera';
import { createEsp32Clock } from './clock';
import type { HttpProvider } from './http';
import { createEsp32Indicators, type Esp32IndicatorPins } from './indicators';
import { createEsp32Logger } from './logger';
import { createEsp32Serial } from './serial';
import { createEsp32Storage } from './storage';
import { authorizerHttp } from './tls';

export interface UnlockBoard {
  /** `device.model` and `device.board` in the enrollment. */
  model: string;
  board: string;
  /** Status LED and buzzer. */
  indicators: Esp32IndicatorPins;
  /** Defaults for pins the manifest's config may override. */
  relayPin: number;
  gnss: { receive: number; transmit: number; port: number };
}

export function runUnlockTerminal(board: UnlockBoard): void {
  const clock = createEsp32Clock();
  const entropy = createEsp32Entropy();
  const storage = createEsp32Storage();
  const logger = createEsp32Logger();
  const network = (globalThis as { device?: { network?: { https?: HttpProvider; http?: HttpProvider } } }).device?.network;
  const hal: Hal = {
    clock,
    entropy,
    storage,
    keystore: new SoftwareKeystore({ store: storage.open({ path: 'qrpay-keys' }), entropy }),
    // device.network.https: set up by the https client's config module (Moddable's examples/io/tcp/httpsclient),
    // trusting the CA certificate in the build (tls.ts). Plain http only with config.allowPlainHttp (a lab bench):
    // device.network.http, the http client with its DNS resolver and TCP socket.
    http: authorizerHttp(network, { allowPlainHttp: config.allowPlainHttp === true, warn: (message) => logger.log('warn', message) }),
    logger,
    camera: createEsp32Camera(() => clock.monotonic()),
    gnssSerial: createEsp32Serial({ receive: config.gnssReceivePin ?? board.gnss.receive, transmit: config.gnssTransmitPin ?? board.gnss.transmit, port: board.gnss.port }),
    indicators: createEsp32Indicators({ ...board.indicators, buzzer: config.buzzerPin ?? board.indicators.buzzer }, clock, (message) =>
      logger.log('info', `display: ${message.title}${message.detail ? ` — ${message.detail}` : ''}`),
    ),
    actuator: new DigitalActuator({ output: new Digital({ pin: config.relayPin ?? board.relayPin, mode: Digital.Output }), clock }),
    // SHA-256 and the ES256 equation in native code (modules/crypt); every check before them stays in the core.
    crypto: createModdableCrypto(),
  };
  const location = new NmeaLocationSensor({ serial: hal.gnssSerial!, clock, maxAge: 5000 });
  // The one-time token for the first enrollment (manifest config.provisioningToken or NVS provisioning), if any.
  const enrollmentToken = provisioningToken(config.provisioningToken, storage);
  const terminal = createTerminal({
    hal,
    location,
    codeSource: cameraCodeSource({ camera: hal.camera!, clock, onError: (error) => logger.log('warn', `camera: ${error.message}`) }),
    config: {
      authorizerUrl: config.authorizer ?? 'https://authorizer.invalid',
      // Pinned (manifest config.authorizerKey or NVS provisioning): the enrollment, the stored enrollment at
      // every boot and every decision must carry that key's signature.
      authorizerKey: pinnedAuthorizerKey(config.authorizerKey, storage),
      ...(enrollmentToken ? { provisioningToken: enrollmentToken } : {}),
      firmware: '0.1.0',
      device: { model: board.model, serial: config.serial ?? 'UNSET', board: board.board },
      actuation: { kind: 'hold', ms: config.holdMs ?? 3000 },
    },
  });
  const charge: Charge = { amount: config.amount ?? 150, currency: config.currency ?? 'EUR', purpose: config.purpose ?? 'bike-unlock', reference: '' };
  terminal.on('decision', (decision) => logger.log('info', `decision ${decision.outcome}: ${decision.reason}`));
  // The authorizer's time, from an answer signed by the pinned key: better than a clock found wrong.
  terminal.on('clock-skew', (event) => {
    Time.set(Math.round(event.authorizerTime / 1000));
    logger.log('warn', `clock set from the authorizer's time: ${event.detail}`);
  });

  async function serve(): Promise<void> {
    const identity = await terminal.start();
    logger.log('info', `terminal ${identity.terminalId} for ${identity.merchant.name}: ${formatAmount(charge.amount)} ${charge.currency} a ${charge.purpose}`);
    for (let n = 1; ; n++) {
      try {
        await terminal.charge({ ...charge, reference: `${identity.terminalId}-${clock.now()}-${n}` });
      } catch (error) {
        logger.log('error', `charge failed: ${(error as Error).message}`);
        await new Promise<void>((resolve) => clock.setTimer(resolve, 2000));
      }
    }
  }
  serve().catch((error) => logger.log('error', `terminal stopped: ${(error as Error).message}`));
}
