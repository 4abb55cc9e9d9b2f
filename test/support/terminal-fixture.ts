/**
 * A terminal on portable HALs (memory storage, software keystore, manual
 * clock) talking to an in-memory authorizer built from the same protocol
 * modules as the real one. Portable: used by the XS-lane terminal tests. The
 * real authorizer (SQLite, node:http) is exercised by test/node/e2e.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { HalError } from '../../hal/errors';
import type { Hal } from '../../hal/index';
import type { HttpClient, HttpRequest, HttpResponse } from '../../hal/http';
import type { Actuator, PulseTrain } from '../../hal/actuator';
import type { Storage } from '../../hal/storage';
import { ManualClock } from '../../hal/portable/manual-clock';
import { MemoryStorage } from '../../hal/portable/memory-storage';
import { MemoryLogger } from '../../hal/portable/memory-logger';
import { RecordingIndicators } from '../../hal/portable/recording-indicators';
import { SoftwareKeystore } from '../../hal/portable/software-keystore';
import { requestHash, signDecision, type Outcome } from '../../src/authorization/decision';
import { openEnrollmentRequest, signEnrollmentAnswer, type OfflineLimits } from '../../src/authorization/enrollment';
import { openAdvice } from '../../src/authorization/advice';
import { batchHash, openBatch, signBatchAck } from '../../src/authorization/offline-batch';
import { openRequest, type AuthorizationRequest } from '../../src/authorization/request';
import type { PublicKey, Signer } from '../../src/authorization/signer';
import { signedBy } from '../../src/authorization/envelope';
import { encode } from '../../src/codec/cbor';
import { keyThumbprint, signKeyRotation } from '../../src/authorization/key-rotation';
import { openReversal, signReversalAck, type Reversal, type ReversalEffect } from '../../src/authorization/reversal';
import { instructionHash, openInstruction, signInstructionResult, type Instruction } from '../../src/authorization/instruction';
import type { CodeChecker } from '../../src/terminal/code-check';
import { deterministicEntropy } from './deterministic-entropy';

export function edSigner(seed: string): Signer & { publicKey: PublicKey } {
  const secret = deterministicEntropy(seed).fill(new Uint8Array(32));
  return {
    alg: 'EdDSA',
    publicKey: { alg: 'EdDSA', publicKey: ed25519.getPublicKey(secret) },
    sign: (message) => ed25519.sign(message, secret),
  };
}

export class CountingActuator implements Actuator {
  holds: number[] = [];
  pulses: PulseTrain[] = [];
  async hold(ms: number): Promise<void> {
    this.holds.push(ms);
  }
  async pulse(train: PulseTrain): Promise<void> {
    this.pulses.push(train);
  }
}

export const demoMerchant = {
  merchantId: 'M-CAFE',
  name: 'Cafe Lumiere',
  currency: 'EUR',
  purposes: ['counter-sale', 'bike-unlock'] as ('counter-sale' | 'bike-unlock')[],
  site: { latitude: 48.8566, longitude: 2.3522, radius: 200 },
};

/** What the in-memory authorizer does with the next authorization request. */
export type Behaviour =
  | { kind: 'decide'; outcome: Outcome; reason: string }
  | { kind: 'fail'; error: HalError }
  | { kind: 'answer'; body: (request: Uint8Array) => Uint8Array };

/** An HttpClient that IS the authorizer: no sockets, same message formats. */
export class MemoryAuthorizer implements HttpClient {
  /** The decision key: what signs every answer; `rotate` replaces it. */
  key: Signer & { publicKey: PublicKey } = edSigner('authorizer');
  /** The key-rotation messages GET /v1/decision-keys serves, oldest first (the first key is generation 1). */
  readonly rotations: Uint8Array[] = [];
  readonly operator = edSigner('operator');
  readonly clock: ManualClock;
  /** Every authorization request body received, in order. */
  readonly received: Uint8Array[] = [];
  readonly decided: AuthorizationRequest[] = [];
  /** Consumed one per authorization request; when empty, approve. */
  script: Behaviour[] = [];
  /** What a step-up poll (GET /v1/step-up/...) gets: 202 "not yet" while undefined, else this final decision for the last request. */
  stepUpFinal: { outcome: Outcome; reason: string } | undefined;
  /** Step-up polls received. */
  polls = 0;
  /** Every reversal received (verified), in order. */
  readonly reversals: Reversal[] = [];
  /** Consumed one per reversal: a failure, or (when empty) a signed acknowledgement. */
  reversalScript: { kind: 'fail'; error: HalError }[] = [];
  /** Every instruction received (verified), in order; answered done (a close: balanced) unless scripted. */
  readonly instructions: Instruction[] = [];
  instructionScript: ({ kind: 'fail'; error: HalError } | { kind: 'refuse'; reason: string })[] = [];
  /** The answer each instruction got, by its hash: a resend gets the same one, as from the real authorizer. */
  readonly #answers = new Map<string, Uint8Array>();
  /** Offline advices received (the requests they carry), what they are decided, and failures to script. */
  readonly advices: Uint8Array[] = [];
  adviceOutcome: 'approved' | 'declined' = 'approved';
  /** Per upload: it fails, or only its first `decided` advices are decided (the rest answered "pending"). */
  adviceScript: ({ kind: 'fail'; error: HalError } | { kind: 'partial'; decided: number })[] = [];
  /** Every upload batch received (signed by the terminal), in order. */
  readonly batches: Uint8Array[] = [];
  /** The offline limits enrollment answers carry (none: the terminal never approves on its own). */
  offlineLimits: OfflineLimits | undefined;
  /** The link is down: every request times out. */
  unreachable = false;
  /** The list versions decisions name as current (none: they name none). */
  listVersions: { trust: number; deny: number } | undefined;
  /** Trust-list and deny-list downloads asked for. */
  listFetches = 0;
  /** What enrollment answers tell the terminal about its next trace number. */
  nextTrace = 1;
  #terminalKey: PublicKey | undefined;

  constructor(clock: ManualClock) {
    this.clock = clock;
  }

  async request(request: HttpRequest): Promise<HttpResponse> {
    if (this.unreachable) throw new HalError('timeout', 'the authorizer cannot be reached');
    const body = request.body ?? new Uint8Array(0);
    if (request.url.endsWith('/v1/enroll')) return ok(this.#enroll(body));
    if (request.url.endsWith('/v1/reverse')) return this.#reverse(body);
    if (request.url.endsWith('/v1/decision-keys')) return ok(encode(this.rotations));
    if (request.url.endsWith('/v1/trust-list') || request.url.endsWith('/v1/deny-list')) {
      // The lists are opaque stand-ins here (list tests live in test/core/paycode): count the fetches only.
      this.listFetches++;
      throw new HalError('bad-status', 'no lists here', 404);
    }
    if (request.url.endsWith('/v1/instruct')) return this.#instruct(body);
    if (request.url.endsWith('/v1/offline-batch')) {
      const next = this.adviceScript.shift();
      if (next && next.kind === 'fail') throw next.error;
      const { envelope, batch } = openBatch(body);
      if (!this.#terminalKey || !signedBy(envelope, this.#terminalKey)) throw new HalError('bad-status', 'not signed by the terminal', 403);
      this.batches.push(body);
      const entries = batch.advices.map((bytes, i) => {
        if (next && i >= next.decided) return 'pending' as const;
        const { envelope: signedAdvice, advice } = openAdvice(bytes);
        if (!signedBy(signedAdvice, this.#terminalKey!)) return 'forbidden' as const;
        this.advices.push(advice.request);
        return this.decide(advice.request, this.adviceOutcome, this.adviceOutcome === 'approved' ? 'approved' : 'replayed');
      });
      return ok(signBatchAck({ terminalId: batch.terminalId, batchHash: batchHash(body), entries, issuedAt: this.clock.now() }, this.key));
    }
    if (request.url.indexOf('/v1/step-up/') >= 0) {
      this.polls++;
      const final = this.stepUpFinal;
      if (!final) return { status: 202, headers: {}, body: new Uint8Array(0) };
      return ok(this.decide(this.received[this.received.length - 1], final.outcome, final.reason));
    }
    this.received.push(body);
    const next = this.script.shift() ?? { kind: 'decide', outcome: 'approved', reason: 'approved' };
    if (next.kind === 'fail') throw next.error;
    if (next.kind === 'answer') return ok(next.body(body));
    const opened = openRequest(body);
    if (!this.#terminalKey || !signedBy(opened.envelope, this.#terminalKey)) throw new HalError('bad-status', 'not signed by the terminal', 400);
    this.decided.push(opened.request);
    return ok(this.decide(body, next.outcome, next.reason));
  }

  /** Rotates the decision key to `next` (effective `from`, ms): a rotation signed by the current key, published; `next` signs from now on. */
  rotate(next: Signer & { publicKey: PublicKey }, from = this.clock.now()): Uint8Array {
    const rotation = signKeyRotation({ key: next.publicKey, kid: keyThumbprint(next.publicKey), generation: this.rotations.length + 2, from, issuedAt: this.clock.now() }, this.key);
    this.rotations.push(rotation);
    this.key = next;
    return rotation;
  }

  /** A correctly signed decision for `requestBytes`. */
  decide(requestBytes: Uint8Array, outcome: Outcome, reason: string, signer: Signer = this.key, issuedAt = this.clock.now()): Uint8Array {
    const { request } = openRequest(requestBytes);
    return signDecision(
      {
        requestHash: requestHash(requestBytes),
        terminalId: request.terminalId,
        trace: request.trace,
        outcome,
        reason,
        ...(outcome === 'approved' ? { approvalCode: 'A1B2C3' } : {}),
        display: outcome === 'approved' ? 'Approved' : `Declined: ${reason}`,
        issuedAt,
        ...(this.listVersions ? { lists: this.listVersions } : {}),
      },
      signer,
    );
  }

  /** Acknowledges a genuine reversal: "voided" when the request was decided, "not-received" when it never came. */
  #reverse(body: Uint8Array): HttpResponse {
    const next = this.reversalScript.shift();
    if (next) throw next.error;
    const { envelope, reversal } = openReversal(body);
    if (!this.#terminalKey || !signedBy(envelope, this.#terminalKey)) throw new HalError('bad-status', 'not signed by the terminal', 403);
    this.reversals.push(reversal);
    const decided = this.decided.some((r) => r.trace === reversal.trace);
    const effect: ReversalEffect = decided ? 'voided' : 'not-received';
    return ok(signReversalAck({ terminalId: reversal.terminalId, trace: reversal.trace, requestHash: reversal.requestHash, effect, issuedAt: this.clock.now() }, this.key));
  }

  #instruct(body: Uint8Array): HttpResponse {
    const next = this.instructionScript.shift();
    if (next && next.kind === 'fail') throw next.error;
    const { envelope, instruction } = openInstruction(body);
    if (!this.#terminalKey || !signedBy(envelope, this.#terminalKey)) throw new HalError('bad-status', 'not signed by the terminal', 403);
    const key = Array.from(instructionHash(body)).join(',');
    const earlier = this.#answers.get(key);
    if (earlier) return ok(earlier);
    this.instructions.push(instruction);
    const refused = next && next.kind === 'refuse' ? next.reason : undefined;
    const answer = signInstructionResult({
      terminalId: instruction.terminalId, trace: instruction.trace, instructionHash: instructionHash(body), outcome: refused ? 'refused' : 'done',
      reason: refused ?? (instruction.action === 'close-batch' ? 'balanced' : 'done'), amount: refused ? 0 : instruction.amount ?? 450,
      ...(instruction.action === 'close-batch' ? { settlement: { balanced: true, differences: [] } } : {}), issuedAt: this.clock.now(),
    }, this.key);
    this.#answers.set(key, answer);
    return ok(answer);
  }

  #enroll(body: Uint8Array): Uint8Array {
    const { request, possession } = openEnrollmentRequest(body);
    if (!possession) throw new HalError('bad-status', 'no proof of possession', 400);
    this.#terminalKey = request.key;
    return signEnrollmentAnswer(
      {
        requestHash: requestHash(body),
        status: 'approved',
        reason: 'enrolled',
        authorizer: this.key.publicKey,
        issuedAt: this.clock.now(),
        terminalId: 'T-TEST-1',
        merchant: demoMerchant,
        trustList: Uint8Array.of(1),
        denyList: Uint8Array.of(2),
        operator: this.operator.publicKey,
        limits: { maxAmount: 50_000, ...(this.offlineLimits ? { offline: this.offlineLimits } : {}) },
        nextTrace: this.nextTrace,
        ...(this.rotations.length > 0 ? { rotations: this.rotations } : {}),
      },
      this.key,
    );
  }
}

function ok(body: Uint8Array): HttpResponse {
  return { status: 200, headers: { 'content-type': 'application/cose' }, body };
}

/** Accepts every code that starts with "GOOD", declines the rest: the terminal's code check is another module's business. */
export const prefixChecker: CodeChecker = {
  check(text) {
    return text.indexOf('GOOD') === 0
      ? { verdict: { status: 'verified', codeId: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) }, decline: false, summary: 'test code' }
      : { verdict: { status: 'rejected', reason: 'bad-code-signature' }, decline: true, summary: 'test code' };
  },
};

export interface Bench {
  hal: Hal;
  clock: ManualClock;
  storage: Storage;
  authorizer: MemoryAuthorizer;
  indicators: RecordingIndicators;
  actuator: CountingActuator;
}

/** A fresh board; pass the `storage` (and authorizer) of an earlier bench to "reboot" a board that kept its flash. */
export function bench(
  storage: Storage = new MemoryStorage(),
  clock = new ManualClock({ wallTime: Date.UTC(2026, 10, 25, 9, 0, 0) }),
  authorizer = new MemoryAuthorizer(clock),
): Bench {
  const indicators = new RecordingIndicators(clock);
  const actuator = new CountingActuator();
  const entropy = deterministicEntropy('terminal');
  const hal: Hal = {
    clock,
    entropy,
    storage,
    keystore: new SoftwareKeystore({ store: storage.open({ path: 'keys' }), entropy }),
    http: authorizer,
    logger: new MemoryLogger(),
    indicators,
    actuator,
  };
  return { hal, clock, storage, authorizer, indicators, actuator };
}

export const testConfig = {
  authorizerUrl: 'http://authorizer.test',
  firmware: '0.1.0-test',
  device: { model: 'sim', serial: 'SN-1', board: 'simulator' },
  keyAlgorithm: 'EdDSA' as const,
  retry: { timeout: 1000, attempts: 3, backoff: 100, maxBackoff: 400 },
  actuation: { kind: 'hold' as const, ms: 500 },
  // The in-memory authorizer's key is made per bench: these tests trust the first answer (the board pins it).
  trustOnFirstUse: true,
};

/** Runs the manual clock forward until `promise` settles (backoff sleeps and timeouts need the clock to move). */
export async function untilSettled<T>(clock: ManualClock, promise: Promise<T>): Promise<T> {
  let done = false;
  const watched = promise.then(
    (value) => {
      done = true;
      return value;
    },
    (error) => {
      done = true;
      throw error;
    },
  );
  for (let i = 0; i < 200 && !done; i++) await clock.advanceAsync(50);
  return watched;
}
