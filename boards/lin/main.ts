/**
 * The Linux host board (`BOARD=lin mcconfig -p lin`) as an unlock terminal:
 * the core and the ESP32 boards' HAL modules (clock, storage over
 * `preference`, the ECMA-419 HTTP client, logger) over the Linux stand-ins
 * for what a PC lacks: entropy from getrandom(2) (entropy.c), the camera from
 * a frame file (camera.ts), the relay's GPIO traced (recorded-output.ts).
 *
 * A board reads its authorizer and the key it pins from its manifest or NVS
 * provisioning; this one is provisioned by its host at launch, one message
 * (JSON: `authorizer`, `authorizerKey` as "ES256:<hex>", `frame` {path,
 * width, height}, `charges`, `allowPlainHttp` for an `http://` authorizer, and
 * `crypto: "javascript"` to leave the native crypto out, so the core verifies
 * and prepares keys in JavaScript as a board without it does), so a test can
 * start an authorizer on any port. It reaches the authorizer over
 * TLS trusting the CA certificate in its build (`authorizer-ca.der`, see
 * ../esp32/tls.ts), as the ESP32 boards do.
 * It then enrolls, charges `charges` times with the frame in front of its
 * camera, traces each decision (`decision <outcome> <reason> actuated=<bool>`)
 * and the XS machine's memory (`memory boot|peak chunks=<bytes> slots=<n>
 * stack=<slots>`: after boot, and the peaks once the charges are done), how
 * often the core used the native crypto (`native-crypto es256=<n> sha256=<n>`:
 * SHA-256 and the ES256 equation of modules/crypt, boards/esp32/native-crypto.js),
 * then
 * posts `exit 0` (`exit 1` on a failure), which ends the host.
 */
import '../esp32/text-encoder';
import config from 'mc/config';
import { createEsp32Entropy } from 'qrpay-entropy';
import { memory } from 'qrpay-memory';
import { createModdableCrypto } from 'qrpay-native-crypto';
import { DigitalActuator, SoftwareKeystore, cameraCodeSource, createTerminal, pinnedAuthorizerKey, type Charge, type CryptoAccelerator, type Hal } from '../../src/index';
import { createEsp32Clock } from '../esp32/clock';
import type { HttpProvider } from '../esp32/http';
import { createEsp32Logger } from '../esp32/logger';
import { createEsp32Storage } from '../esp32/storage';
import { authorizerHttp } from '../esp32/tls';
import { createFileCamera, type FrameFile } from './camera';
import { recordedOutput } from './recorded-output';

declare const screen: { onMessage?: (message: string) => void; postMessage(message: string): void };

interface Provisioning {
  authorizer: string;
  authorizerKey: string;
  frame: FrameFile;
  charges: number;
  allowPlainHttp?: boolean;
  crypto?: 'native' | 'javascript';
}

/** The native accelerator, counting its calls: the smoke run checks the payment used it. */
function countedCrypto(native: Required<CryptoAccelerator>, calls: { es256: number; sha256: number }): CryptoAccelerator {
  return {
    sha256: (data) => {
      calls.sha256++;
      return native.sha256(data);
    },
    es256: (digest, r, s, qx, qy) => {
      calls.es256++;
      return native.es256(digest, r, s, qx, qy);
    },
  };
}

async function run(provisioning: Provisioning): Promise<void> {
  const clock = createEsp32Clock();
  const entropy = createEsp32Entropy();
  const storage = createEsp32Storage();
  const logger = createEsp32Logger();
  const holdMs = config.holdMs ?? 200;
  const nativeCalls = { es256: 0, sha256: 0 };
  const hal: Hal = {
    clock,
    entropy,
    storage,
    keystore: new SoftwareKeystore({ store: storage.open({ path: 'qrpay-keys' }), entropy }),
    // The ECMA-419 HTTP client over Moddable's TLS on the lin TCP socket (httpsclient/config), trusting the
    // build's CA; plain http only when the provisioning allows it.
    http: authorizerHttp((globalThis as { device?: { network?: { https?: HttpProvider; http?: HttpProvider } } }).device?.network, {
      allowPlainHttp: provisioning.allowPlainHttp === true,
      warn: (message) => logger.log('warn', message),
    }),
    logger,
    camera: createFileCamera(provisioning.frame, clock),
    actuator: new DigitalActuator({ output: recordedOutput(config.relayPin ?? 1), clock }),
    crypto: provisioning.crypto === 'javascript' ? undefined : countedCrypto(createModdableCrypto(), nativeCalls),
  };
  const terminal = createTerminal({
    hal,
    codeSource: cameraCodeSource({ camera: hal.camera!, clock, onError: (error) => logger.log('warn', `camera: ${error.message}`) }),
    config: {
      authorizerUrl: provisioning.authorizer,
      authorizerKey: pinnedAuthorizerKey(provisioning.authorizerKey, storage),
      firmware: '0.1.0',
      device: { model: 'linux-host', serial: config.serial ?? 'LIN-0001', board: 'lin' },
      actuation: { kind: 'hold', ms: holdMs },
    },
  });
  terminal.on('actuated', (event) => trace(`actuated trace=${event.trace}\n`));
  const identity = await terminal.start();
  trace(`enrolled ${identity.terminalId} for ${identity.merchant.name}\n`);
  const charge: Charge = { amount: config.amount ?? 150, currency: config.currency ?? 'EUR', purpose: config.purpose ?? 'bike-unlock', reference: '' };
  for (let n = 1; n <= provisioning.charges; n++) {
    const decision = await terminal.charge({ ...charge, reference: `${identity.terminalId}-${n}` });
    trace(`decision ${decision.outcome} ${decision.reason} actuated=${decision.actuated}\n`);
    // The relay is held for holdMs after an approval; let it drop before the next customer.
    await new Promise<void>((resolve) => clock.setTimer(resolve, holdMs + 100));
  }
  trace(`native-crypto es256=${nativeCalls.es256} sha256=${nativeCalls.sha256}\n`);
}

function traceMemory(when: 'boot' | 'peak'): void {
  const used = memory();
  const chunks = when === 'boot' ? used.chunks : used.peakChunks;
  const slots = when === 'boot' ? used.slots : used.peakSlots;
  trace(`memory ${when} chunks=${chunks} slots=${slots}${when === 'peak' && used.peakStack !== undefined ? ` stack=${used.peakStack}` : ''}\n`);
}

screen.onMessage = (message: string) => {
  traceMemory('boot');
  run(JSON.parse(message) as Provisioning).then(
    () => {
      traceMemory('peak');
      screen.postMessage('exit 0');
    },
    (error: unknown) => {
      trace(`lin board failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`);
      screen.postMessage('exit 1');
    },
  );
};
