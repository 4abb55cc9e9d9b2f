/**
 * Seeed XIAO ESP32S3 Sense as a self-service unlock terminal (a bike lock, a
 * locker, an arcade machine): it charges the configured amount for every code
 * shown to its OV2640 camera and, on a verified approval only, holds the relay.
 *
 * Wiring (configurable in manifest.json `config`): GNSS module TX → D7 (GPIO44),
 * RX ← D6 (GPIO43) at 9600 baud; relay driver on D0 (GPIO1); active-high buzzer on
 * D1 (GPIO2); the user LED (GPIO21, lit on 0) shows the status.
 *
 * Trust: the authorizer key is pinned (manifest `config.authorizerKey`, or as
 * provisioned in NVS), so the enrollment, the stored enrollment at every boot
 * and every decision must carry that key's signature; the authorizer is
 * reached over https only (`config.allowPlainHttp` for a lab bench). When the
 * terminal finds its clock wrong it sets it from the authorizer's signed time.
 */
import config from 'mc/config';
import Digital from 'embedded:io/digital';
import HTTPClient from 'embedded:network/http/client';
import Time from 'time';
import { createEsp32Entropy } from 'qrpay-entropy';
import {
  DigitalActuator,
  NmeaLocationSensor,
  SoftwareKeystore,
  cameraCodeSource,
  createTerminal,
  formatAmount,
  pinnedAuthorizerKey,
  type Charge,
  type Hal,
} from '../../src/index';
import { createEsp32Camera } from '../esp32/camera';
import { createEsp32Clock } from '../esp32/clock';
import { createEsp32Http, type HttpProvider } from '../esp32/http';
import { createEsp32Indicators } from '../esp32/indicators';
import { createEsp32Logger } from '../esp32/logger';
import { createEsp32Serial } from '../esp32/serial';
import { createEsp32Storage } from '../esp32/storage';

const clock = createEsp32Clock();
const entropy = createEsp32Entropy();
const storage = createEsp32Storage();
const logger = createEsp32Logger();

const hal: Hal = {
  clock,
  entropy,
  storage,
  keystore: new SoftwareKeystore({ store: storage.open({ path: 'qrpay-keys' }), entropy }),
  // device.network.https: set up by the https client's config module (Moddable's examples/io/tcp/httpsclient).
  http: createEsp32Http({
    https: (globalThis as { device?: { network?: { https?: HttpProvider } } }).device?.network?.https,
    ...(config.allowPlainHttp === true ? { http: { io: HTTPClient } } : {}),
  }),
  logger,
  camera: createEsp32Camera(() => clock.monotonic()),
  gnssSerial: createEsp32Serial({ receive: config.gnssReceivePin ?? 44, transmit: config.gnssTransmitPin ?? 43, port: 1 }),
  indicators: createEsp32Indicators({ led: 21, ledActiveLow: true, buzzer: config.buzzerPin ?? 2 }, clock, (message) =>
    logger.log('info', `display: ${message.title}${message.detail ? ` — ${message.detail}` : ''}`),
  ),
  actuator: new DigitalActuator({ output: new Digital({ pin: config.relayPin ?? 1, mode: Digital.Output }), clock }),
};

const location = new NmeaLocationSensor({ serial: hal.gnssSerial!, clock, maxAge: 5000 });
const terminal = createTerminal({
  hal,
  location,
  codeSource: cameraCodeSource({ camera: hal.camera!, clock, onError: (error) => logger.log('warn', `camera: ${error.message}`) }),
  config: {
    authorizerUrl: config.authorizer ?? 'https://authorizer.invalid',
    authorizerKey: pinnedAuthorizerKey(config.authorizerKey, storage),
    firmware: '0.1.0',
    device: { model: 'xiao-esp32s3-sense', serial: config.serial ?? 'XIAO-UNSET', board: 'xiao_esp32s3_sense' },
    actuation: { kind: 'hold', ms: config.holdMs ?? 3000 },
  },
});

const charge: Charge = {
  amount: config.amount ?? 150,
  currency: config.currency ?? 'EUR',
  purpose: config.purpose ?? 'bike-unlock',
  reference: '',
};

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
