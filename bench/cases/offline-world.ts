/**
 * The offline benchmark's worlds (bench/offline.ts).
 *
 * `prepareOfflinePayment`: a terminal made with the public API on the portable
 * HAL, ES256 key, enrolled with offline limits by an authorizer that then
 * cannot be reached (every request after enrollment fails at once, as a
 * dropped link does after its timeout), the default payment-code checker with
 * the operator's lists. One `op` is one payment approved offline: the code
 * presented as text (the scan is bench/payment.ts's), verified, the request
 * signed, the one attempt failing, the offline decision, the advice signed and
 * journaled, the relay fired; before it, as before every charge with work
 * pending, the terminal tries to upload its journal (one batch signed, lost).
 *
 * `prepareJournal`: the ledger over memory storage holding `entries` offline
 * approvals (the documented advice vector), for the offline decision and the
 * journal append alone.
 */
import { hexToBytes } from '@noble/hashes/utils.js';
import { HalError } from '../../hal/errors';
import type { Hal } from '../../hal/index';
import type { HttpClient, HttpRequest, HttpResponse } from '../../hal/http';
import { ManualClock } from '../../hal/portable/manual-clock';
import { MemoryLogger } from '../../hal/portable/memory-logger';
import { MemoryStorage } from '../../hal/portable/memory-storage';
import { RecordingIndicators } from '../../hal/portable/recording-indicators';
import { SoftwareKeystore } from '../../hal/portable/software-keystore';
import { requestHash } from '../../src/authorization/decision';
import { openEnrollmentRequest, signEnrollmentAnswer, type OfflineLimits } from '../../src/authorization/enrollment';
import type { Signer } from '../../src/authorization/signer';
import { createTerminal, type Terminal } from '../../src/index';
import { resolveConfig } from '../../src/terminal/config';
import { Ledger } from '../../src/terminal/ledger';
import { WorkQueue } from '../../src/terminal/work-queue';
import { CountingActuator, demoMerchant } from '../../test/support/terminal-fixture';
import { deterministicEntropy } from '../../test/support/deterministic-entropy';
import { makeWorld, type World } from '../../test/core/paycode/world';
import { vectorHex } from '../../test/core/authorization/vectors';
import { keyPairFromSecret, makePaymentCode, signerFor } from '../../tools/wallet/wallet';

/** Payments prepared per run: the bench's warm-up and repetitions fit in the journal. */
const payments = 12;
const charge = { amount: 450, currency: 'EUR', purpose: 'counter-sale' as const, reference: 'bench-offline' };
/** Wide enough for every payment of a run (one returning customer, so the per-credential bound too). */
const benchLimits: OfflineLimits = { floorLimit: 2500, maxCount: 64, maxTotal: 1_000_000, maxPerCredential: 1_000_000, maxListAge: 30 * 86_400_000 };
const config = {
  authorizerUrl: 'http://authorizer.test', firmware: '0.1.0-bench', device: { model: 'bench', serial: 'SN-B', board: 'bench' },
  keyAlgorithm: 'ES256' as const, retry: { timeout: 1000, attempts: 1, backoff: 100, maxBackoff: 400 }, actuation: { kind: 'hold' as const, ms: 500 },
  trustOnFirstUse: true,
};

/** Enrolls the terminal with offline limits; after that, unreachable. */
class LostAuthorizer implements HttpClient {
  readonly #key = keyPairFromSecret('ES256', hexToBytes('61757468' + '6f72697a'.repeat(7)));
  readonly #signer: Signer = { alg: 'ES256', sign: signerFor(this.#key) };
  constructor(readonly world: World, readonly clock: ManualClock) {}

  async request(request: HttpRequest): Promise<HttpResponse> {
    if (!request.url.endsWith('/v1/enroll')) throw new HalError('timeout', 'the link is down');
    const body = request.body!;
    if (!openEnrollmentRequest(body).possession) throw new HalError('bad-status', 'no proof of possession', 400);
    const world = this.world;
    const answer = signEnrollmentAnswer({
      requestHash: requestHash(body), status: 'approved', reason: 'enrolled', authorizer: { alg: 'ES256', publicKey: this.#key.publicKey },
      issuedAt: this.clock.now(), terminalId: 'T-BENCH-OFF', merchant: demoMerchant, trustList: world.trustList, denyList: world.denyList,
      operator: { alg: world.operator.alg, publicKey: world.operator.publicKey }, limits: { maxAmount: 50_000, offline: benchLimits }, nextTrace: 1,
    }, this.#signer);
    return { status: 200, headers: { 'content-type': 'application/cose' }, body: answer };
  }
}

export interface OfflinePaymentState {
  terminal: Terminal;
  clock: ManualClock;
  actuator: CountingActuator;
  texts: string[];
  done: number;
}

export async function prepareOfflinePayment(): Promise<OfflinePaymentState> {
  const world = makeWorld('ES256');
  const clock = new ManualClock({ wallTime: world.clock.now() });
  const storage = new MemoryStorage();
  const entropy = deterministicEntropy('bench-offline-terminal');
  const codeEntropy = deterministicEntropy('bench-offline-codes');
  const actuator = new CountingActuator();
  const texts: string[] = [];
  for (let i = 0; i < payments; i++) texts.push(makePaymentCode(world.credential, world.device, { clock, entropy: codeEntropy }).text);
  const terminal = createTerminal({
    hal: {
      clock, entropy, storage, http: new LostAuthorizer(world, clock), logger: new MemoryLogger(), indicators: new RecordingIndicators(clock), actuator,
      keystore: new SoftwareKeystore({ store: storage.open({ path: 'keys' }), entropy }),
    },
    config,
  });
  await terminal.start();
  const state = { terminal, clock, actuator, texts, done: 0 };
  // The customer paid here before (their credential is cached), offline too: the journal is not empty.
  await payOffline(state);
  return state;
}

export async function payOffline(state: OfflinePaymentState): Promise<void> {
  const holds = state.actuator.holds.length;
  const pending = state.terminal.charge(charge);
  // The charge first tries to upload the waiting journal; the code is shown meanwhile.
  state.terminal.present(state.texts[state.done % payments]);
  const decision = await pending;
  state.done++;
  state.clock.advance(500);
  if (decision.reason !== 'offline' || !decision.actuated || state.actuator.holds.length !== holds + 1) {
    throw new Error(`payment ${state.done} was not approved offline and actuated: ${JSON.stringify(decision)}`);
  }
}

export interface JournalState {
  ledger: Ledger;
  /** A second view of the ledger's entries, reading flash (as the ledger does at every settle). */
  flash: WorkQueue;
  advice: Uint8Array;
  trace: number;
}

/** A ledger holding `entries` offline approvals of as many credentials. */
export function prepareJournal(entries: number): JournalState {
  const clock = new ManualClock({ wallTime: Date.UTC(2026, 10, 25, 9, 0, 0) });
  const storage = new MemoryStorage();
  const entropy = deterministicEntropy('bench-journal');
  const hal: Hal = {
    clock, entropy, storage, logger: new MemoryLogger(), indicators: new RecordingIndicators(clock), actuator: new CountingActuator(),
    keystore: new SoftwareKeystore({ store: storage.open({ path: 'keys' }), entropy }),
    http: { request: () => Promise.reject(new HalError('timeout', 'the link is down')) },
  };
  const store = storage.open({ path: 'qrpay' });
  const ledger = new Ledger(hal, resolveConfig(config), store, {
    reversalQueued: () => undefined, reversed: () => undefined, answered: () => undefined, uploaded: () => undefined, damaged: () => undefined,
  });
  const advice = hexToBytes(vectorHex.advice);
  for (let trace = 1; trace <= entries; trace++) {
    ledger.approvedOffline(trace, advice, 450, 'EUR', `a1b2/c00000${trace.toString(16).padStart(2, '0')}`);
    ledger.releasedOffline(trace, advice, 450, 'EUR', `a1b2/c00000${trace.toString(16).padStart(2, '0')}`);
  }
  return { ledger, flash: new WorkQueue(store), advice, trace: entries };
}
