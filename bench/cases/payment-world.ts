/**
 * The end-to-end payment benchmark's world: a terminal made with the public
 * API (`createTerminal`, `cameraCodeSource`) on the portable HAL (manual
 * clock, memory storage, software keystore, recording indicators), its own
 * ES256 key, enrolled with an in-memory authorizer that answers at once with
 * an ES256-signed decision, and the default payment-code checker (the real
 * verifier, trust and deny lists signed by the operator, replay cache in
 * storage). One `op` is one payment: charge, a gray8 frame with the payment
 * code in front of the camera, scan, verify the code, sign the request, the
 * hop to the authorizer, verify its decision, fire the relay.
 *
 * Each op presents a fresh code (the replay cache is real). A returning
 * customer's credential is already in the terminal's credential cache (one
 * signature on the code to verify); a first-time customer brings a
 * credential the terminal has not seen (the issuer's signature too).
 *
 * Left out, on purpose: the camera's capture (DMA into a frame buffer on a
 * device; here the frame is rendered in `prepare`) and the network's latency.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import type { Camera, CameraOptions, Frame } from '../../hal/camera';
import { HalError } from '../../hal/errors';
import type { HttpClient, HttpRequest, HttpResponse } from '../../hal/http';
import { ManualClock } from '../../hal/portable/manual-clock';
import { MemoryLogger } from '../../hal/portable/memory-logger';
import { MemoryStorage } from '../../hal/portable/memory-storage';
import { RecordingIndicators } from '../../hal/portable/recording-indicators';
import { SoftwareKeystore } from '../../hal/portable/software-keystore';
import { requestHash, signDecision } from '../../src/authorization/decision';
import { openEnrollmentRequest, signEnrollmentAnswer } from '../../src/authorization/enrollment';
import { openRequest } from '../../src/authorization/request';
import type { Signer } from '../../src/authorization/signer';
import type { CoseAlgName } from '../../src/cose/sign1';
import { cameraCodeSource, createTerminal, type Terminal } from '../../src/index';
import { CountingActuator, demoMerchant } from '../../test/support/terminal-fixture';
import { deterministicEntropy } from '../../test/support/deterministic-entropy';
import { renderQrLuma } from '../../test/support/qr-frame';
import { makeWorld, type World } from '../../test/core/paycode/world';
import { issueCredential, keyPairFromSecret, makePaymentCode, signerFor } from '../../tools/wallet/wallet';

/** Payments prepared per run: at least the bench's warm-up plus repetitions. */
const payments = 12;
const width = 320;
const height = 240;
const charge = { amount: 450, currency: 'EUR', purpose: 'counter-sale' as const, reference: 'bench' };

/** Answers like the authorizer, at once: enrollment with the world's lists, then an approval per request. */
export class InstantAuthorizer implements HttpClient {
  readonly #key = keyPairFromSecret('ES256', hexToBytes('61757468' + '6f72697a'.repeat(7)));
  readonly signer: Signer = { alg: 'ES256', sign: signerFor(this.#key) };
  readonly #world: World;
  readonly #clock: ManualClock;
  approvals = 0;
  /** The last authorization request it answered (the itemised bench replays it). */
  lastRequest: Uint8Array | undefined;

  constructor(world: World, clock: ManualClock) {
    this.#world = world;
    this.#clock = clock;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    const body = request.body ?? new Uint8Array(0);
    if (request.url.endsWith('/v1/enroll')) return ok(this.#enroll(body));
    this.lastRequest = body;
    this.approvals++;
    return ok(this.approve(body));
  }

  /**
   * The authorizer's own work on a request: decode it, hash it, sign the approval. It runs inside the bench's
   * payment but not on a device's critical path (bench/cases/payment-authorizer-answer.ts measures it alone).
   */
  approve(body: Uint8Array): Uint8Array {
    const { request: sent } = openRequest(body);
    return signDecision({
      requestHash: requestHash(body), terminalId: sent.terminalId, trace: sent.trace, outcome: 'approved',
      reason: 'approved', approvalCode: 'A1B2C3', display: 'Approved', issuedAt: this.#clock.now(),
    }, this.signer);
  }

  #enroll(body: Uint8Array): Uint8Array {
    const { possession } = openEnrollmentRequest(body);
    if (!possession) throw new HalError('bad-status', 'no proof of possession', 400);
    const world = this.#world;
    return signEnrollmentAnswer({
      requestHash: requestHash(body), status: 'approved', reason: 'enrolled',
      authorizer: { alg: 'ES256', publicKey: this.#key.publicKey }, issuedAt: this.#clock.now(),
      terminalId: 'T-BENCH-1', merchant: demoMerchant, trustList: world.trustList, denyList: world.denyList,
      operator: { alg: world.operator.alg, publicKey: world.operator.publicKey }, limits: { maxAmount: 50_000 }, nextTrace: 1,
    }, this.signer);
  }
}

function ok(body: Uint8Array): HttpResponse {
  return { status: 200, headers: { 'content-type': 'application/cose' }, body };
}

/** A camera whose frame buffer holds the payment code in view: ready as soon as it starts. */
class FrameCamera implements Camera {
  readonly imageType = 'gray8' as const;
  readonly width = width;
  readonly height = height;
  #ready: Frame | undefined;
  constructor(readonly frame: () => Frame, readonly options: CameraOptions) {}
  start(): void {
    this.#ready = this.frame();
    this.options.onReadable?.(1);
  }
  stop(): void {}
  read(): Frame | undefined {
    const frame = this.#ready;
    this.#ready = undefined;
    return frame;
  }
  close(): void {}
}

export interface PaymentState {
  terminal: Terminal;
  clock: ManualClock;
  authorizer: InstantAuthorizer;
  actuator: CountingActuator;
  frames: Frame[];
  texts: string[];
  done: number;
}

export async function preparePayment(alg: CoseAlgName, returning: boolean): Promise<PaymentState> {
  const world = makeWorld(alg);
  const clock = new ManualClock({ wallTime: world.clock.now() });
  const storage = new MemoryStorage();
  const entropy = deterministicEntropy('bench-terminal');
  const authorizer = new InstantAuthorizer(world, clock);
  const actuator = new CountingActuator();
  const frames: Frame[] = [];
  const texts: string[] = [];
  const codeEntropy = deterministicEntropy('bench-codes');
  for (let i = 0; i < payments; i++) {
    // A first-time customer: a device key and credential of their own, new to this terminal.
    const device = returning ? world.device : keyPairFromSecret(alg, deterministicEntropy(`device-${i}`).fill(new Uint8Array(32)));
    const credential = returning ? world.credential : issueCredential(world.issuer, {
      device: { alg: device.alg, publicKey: device.publicKey }, notBefore: world.clock.now() / 1000 - 60,
      expiresAt: world.clock.now() / 1000 + 86400, limits: { perPaymentCap: 50000, offlineAllowed: true },
    }, codeEntropy);
    const text = makePaymentCode(credential, device, { clock, entropy: codeEntropy }).text;
    const qr = renderQrLuma(text, { width, height, scale: 3 });
    texts.push(text);
    frames.push({ imageType: 'gray8', width, height, stride: width, data: qr.data, timestamp: 0, sequence: i });
  }
  let state: PaymentState | undefined;
  const terminal = createTerminal({
    hal: {
      clock, entropy, storage, http: authorizer, logger: new MemoryLogger(), indicators: new RecordingIndicators(clock), actuator,
      keystore: new SoftwareKeystore({ store: storage.open({ path: 'keys' }), entropy }),
    },
    config: {
      authorizerUrl: 'http://authorizer.test', firmware: '0.1.0-bench', device: { model: 'bench', serial: 'SN-B', board: 'bench' },
      keyAlgorithm: 'ES256', retry: { timeout: 1000, attempts: 1, backoff: 100, maxBackoff: 400 }, actuation: { kind: 'hold', ms: 500 },
      trustOnFirstUse: true,
    },
    codeSource: cameraCodeSource({
      camera: (options) => new FrameCamera(() => {
        const frame = state!.frames[state!.done % payments];
        return { ...frame, timestamp: clock.monotonic() };
      }, options),
      clock,
    }),
  });
  await terminal.start();
  state = { terminal, clock, authorizer, actuator, frames, texts, done: 0 };
  if (returning) {
    // The customer paid here before: their credential is in the terminal's cache.
    await payOnce(state);
  }
  return state;
}

export async function payOnce(state: PaymentState): Promise<void> {
  const holds = state.actuator.holds.length;
  const decision = await state.terminal.charge(charge);
  state.done++;
  state.clock.advance(500);
  if (decision.outcome !== 'approved' || !decision.actuated || state.actuator.holds.length !== holds + 1) {
    throw new Error(`payment ${state.done} was not approved and actuated: ${JSON.stringify(decision)}`);
  }
}
