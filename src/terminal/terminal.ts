/**
 * The embedding API: `createTerminal({ hal, config })`, then `start()` (loads
 * or creates the identity) and `charge({ amount, currency, purpose, reference })`,
 * which waits for a payment code (`present(text)`, from the scanner or the host),
 * checks it, signs a request with the terminal key, a fresh trace number and
 * the location, sends it, verifies the signed decision and, on a verified
 * approval only, fires the actuator once. A request it gives up on (no
 * verifiable answer, an unfinished step-up, goods not released, a power cut)
 * is reversed: the money follows the goods. Events tell the host each stage.
 */
import type { Hal } from '../../hal/index';
import { isHalError } from '../../hal/errors';
import type { LocationSensor } from '../../hal/gnss';
import type { KeyValueStore } from '../../hal/storage';
import { chargeProblem, type Charge } from '../authorization/charge';
import { requestHash, verifyDecision, type DecisionBody } from '../authorization/decision';
import { locationFromSample, type WireLocation } from '../authorization/location';
import { signRequest, type CodeVerdict } from '../authorization/request';
import { paths, resolveConfig, type Actuation, type ResolvedConfig, type TerminalConfig } from './config';
import type { CodeChecker, ListUpdate } from './code-check';
import type { CodeSource } from './code-source';
import { createPaycodeChecker } from './paycode-checker';
import type { Decision } from './decision';
import { TerminalError } from './errors';
import { Emitter } from './events';
import { enroll, loadIdentity, terminalSigner, type Identity } from './identity';
import { fireOnce, show, showOutcome, titleOf } from './outcome';
import { TraceCounter } from './trace-counter';
import { exchange, type Acceptance, type AttemptFailure } from './transport';
import type { HttpResponse } from '../../hal/http';
import type { ReversalEffect, ReversalReason } from '../authorization/reversal';
import { WorkQueue } from './work-queue';
import { deliverReversal, reversalOf } from './reversals';
import { awaitStepUp } from './step-up';
import { ClockTrust, type ClockVerdict } from './clock-trust';

/**
 * A decision bound to the request just sent (its hash covers a trace number
 * that never repeats) cannot be an old one: it is fresh by construction,
 * within the exchange's own timeouts. So the live exchange does not judge
 * freshness by the wall clock: an approval the authorizer made is never
 * dropped as "stale" because the terminal's clock is wrong (charged, nothing
 * released); the clock is judged against it instead (clock-trust.ts).
 */
const boundToRequest = Number.MAX_SAFE_INTEGER;

export interface TerminalEvents extends Record<string, unknown> {
  enrolled: { terminalId: string; merchant: string; fromStorage: boolean };
  waiting: { charge: Charge };
  scanned: { code: string };
  'code-checked': { verdict: CodeVerdict; summary: string };
  'request-signed': { trace: number; bytes: number; location: WireLocation };
  attempt: { trace: number; attempt: number };
  'attempt-failed': { trace: number; failure: AttemptFailure };
  /** An authorizer decision passed verification (signature, binding, freshness); sent before anything is acted on. */
  verified: { trace: number; outcome: Decision['outcome']; reason: string; approvalCode?: string };
  /** The authorizer asked the customer to confirm in the wallet app; the terminal shows it and waits for the final decision. */
  'step-up': { trace: number; display: string };
  decision: Decision;
  /** The terminal gave request `trace` up; its signed reversal is stored and delivered until acknowledged. */
  'reversal-queued': { trace: number; reason: ReversalReason };
  /**
   * The authorizer acknowledged the reversal of request `trace` (signed, verified): `effect` says what it did
   * (voided a capture and returned the funds, released a hold, never saw the request...). Nothing was released for it.
   */
  reversed: { trace: number; reason: ReversalReason; effect: ReversalEffect; signed: Uint8Array };
  actuated: { trace: number; actuation: Actuation };
  /**
   * The terminal's clock disagrees with the authorizer's (learned from a verified answer) beyond the skew: it takes
   * no payment until the clock agrees again. `authorizerTime` is the trusted time, for a host that sets the clock.
   */
  'clock-skew': { terminalTime: number; authorizerTime: number; detail: string };
  'listener-error': { error: unknown };
}

export interface CreateTerminalOptions {
  hal: Hal;
  config: TerminalConfig;
  /** Judges payment codes on the terminal. Default: the payment-code verifier with the enrollment's lists. */
  codes?: CodeChecker;
  /** The GNSS sensor; absent on boards without a receiver (requests then say "no-receiver"). */
  location?: LocationSensor;
  /** Where codes come from while a charge waits (`cameraCodeSource` on a board with a camera); `present()` works too. */
  codeSource?: CodeSource;
}

export interface Terminal {
  /** Loads the stored identity, or enrolls when there is none. */
  start(): Promise<Identity>;
  readonly identity: Identity | undefined;
  charge(charge: Charge): Promise<Decision>;
  /** Hands a scanned payload to the waiting charge; false when no charge is waiting for one. */
  present(code: string): boolean;
  /** The requests not settled yet and the reversals not acknowledged yet, oldest first. */
  pendingWork(): { trace: number; kind: 'request' | 'releasing' | 'reversal' }[];
  /**
   * Delivers the waiting reversals now (at boot and before each charge this happens anyway); resolves with how
   * many still wait. Never throws for network trouble.
   */
  settle(): Promise<number>;
  /**
   * Downloads the operator's current trust list and deny list and installs
   * them when they are genuine and newer (a new wallet issuer, a revocation).
   * Never throws: each entry says what happened.
   */
  refreshLists(): Promise<{ trust: ListUpdate; deny: ListUpdate }>;
  on<K extends keyof TerminalEvents>(name: K, listener: (event: TerminalEvents[K]) => void): () => void;
}

export function createTerminal(options: CreateTerminalOptions): Terminal {
  return new TerminalCore(options);
}

class TerminalCore implements Terminal {
  readonly #hal: Hal;
  readonly #config: ResolvedConfig;
  #codes: CodeChecker | undefined;
  readonly #location: LocationSensor | undefined;
  readonly #codeSource: CodeSource | undefined;
  readonly #store: KeyValueStore;
  readonly #trace: TraceCounter;
  readonly #work: WorkQueue;
  readonly #events: Emitter<TerminalEvents>;
  readonly #time: ClockTrust;
  #identity: Identity | undefined;
  #busy = false;
  #waiting: ((code: string) => void) | undefined;

  constructor(options: CreateTerminalOptions) {
    this.#hal = options.hal;
    this.#config = resolveConfig(options.config);
    this.#codes = options.codes;
    this.#location = options.location;
    this.#codeSource = options.codeSource;
    this.#store = options.hal.storage.open({ path: this.#config.storageDomain });
    this.#trace = new TraceCounter(this.#store);
    this.#work = new WorkQueue(this.#store);
    this.#events = new Emitter<TerminalEvents>((error) => this.#events.emit('listener-error', { error }));
    this.#time = new ClockTrust(options.hal.clock, this.#config.decisionMaxSkew);
  }

  get identity(): Identity | undefined {
    return this.#identity;
  }

  on<K extends keyof TerminalEvents>(name: K, listener: (event: TerminalEvents[K]) => void): () => void {
    return this.#events.on(name, listener);
  }

  async start(): Promise<Identity> {
    const stored = loadIdentity(this.#hal, this.#store, this.#config);
    const sentAt = this.#hal.clock.monotonic();
    const identity = stored ?? (await enroll(this.#hal, this.#store, this.#config));
    if (stored) this.#time.notBefore(identity.enrolledAt);
    else this.#clockHeard(this.#time.observe(identity.enrolledAt, sentAt));
    // A key that survived a wiped storage continues above the numbers it already used.
    this.#trace.raiseTo(identity.nextTrace);
    this.#identity = identity;
    if (!this.#codes) this.#codes = createPaycodeChecker({ identity, storage: this.#hal.storage, clock: this.#hal.clock });
    this.#events.emit('enrolled', { terminalId: identity.terminalId, merchant: identity.merchant.name, fromStorage: stored !== undefined });
    show(this.#hal.indicators, 'READY', identity.merchant.name, 'idle');
    await this.#settleWork(identity);
    return identity;
  }

  pendingWork(): { trace: number; kind: 'request' | 'releasing' | 'reversal' }[] {
    return this.#work.entries().entries.map((entry) => ({ trace: entry.trace, kind: entry.kind }));
  }

  async settle(): Promise<number> {
    const identity = this.#identity;
    if (!identity) throw new TerminalError('not-enrolled', 'call start() first: the terminal has no enrollment');
    if (this.#busy) throw new TerminalError('busy', 'a charge is in progress');
    this.#busy = true;
    try {
      await this.#settleWork(identity);
    } finally {
      this.#busy = false;
    }
    return this.#work.size();
  }

  /**
   * Reverses what earlier charges left unsettled and delivers every waiting reversal, one attempt each (best
   * effort: what gets no verified acknowledgement waits for the next time). Called only between charges, so a
   * request or releasing entry belongs to a charge that ended without settling it (a power cut, a failed
   * write): nothing is released for it any more, so it is given up.
   */
  async #settleWork(identity: Identity): Promise<void> {
    let listed;
    try {
      listed = this.#work.entries();
      for (const key of listed.damaged) {
        this.#hal.logger.log('error', 'dropping a damaged pending-work entry', { key });
        this.#work.discard(key);
      }
    } catch (error) {
      this.#hal.logger.log('warn', 'cannot read the pending work', { error: (error as Error).message });
      return;
    }
    for (const entry of listed.entries) {
      let bytes = entry.bytes;
      try {
        if (entry.kind !== 'reversal') bytes = this.#queueReversal(entry.trace, entry.bytes, 'interrupted');
        await this.#deliver(identity, entry.trace, bytes, { ...this.#config.retry, attempts: 1 });
      } catch (error) {
        this.#hal.logger.log('warn', 'cannot settle pending work', { trace: entry.trace, error: (error as Error).message });
      }
    }
  }

  /** Replaces the entry of `trace` by the signed reversal of `requestBytes` (durably, before anything is sent). */
  #queueReversal(trace: number, requestBytes: Uint8Array, reason: ReversalReason): Uint8Array {
    const bytes = reversalOf(this.#hal, this.#config, requestBytes, reason);
    this.#work.put({ trace, kind: 'reversal', bytes });
    this.#hal.logger.log('warn', 'request given up; reversal queued', { trace, reason });
    this.#events.emit('reversal-queued', { trace, reason });
    return bytes;
  }

  /** Sends one reversal; on a verified acknowledgement the entry is settled and the host told. */
  async #deliver(identity: Identity, trace: number, bytes: Uint8Array, policy: ResolvedConfig['retry']): Promise<Decision['reversal']> {
    const delivery = await deliverReversal(this.#hal, this.#config, identity, bytes, policy);
    if (!delivery.ok) {
      const last = delivery.failures[delivery.failures.length - 1];
      this.#hal.logger.log('warn', 'reversal not acknowledged yet', { trace, reason: last ? last.reason : 'no-answer' });
      return { reason: delivery.reason, state: 'queued' };
    }
    this.#work.remove(trace);
    const { effect } = delivery.ack;
    this.#hal.logger.log('warn', 'reversal acknowledged; nothing released for it', { trace, effect });
    this.#events.emit('reversed', { trace, reason: delivery.reason, effect, signed: delivery.signed });
    return { reason: delivery.reason, state: 'acknowledged', effect };
  }

  /** A write of the pending work failed: the terminal stops before acting, and the next boot reverses what it left. */
  #record(what: string, write: () => void): void {
    try {
      write();
    } catch (error) {
      show(this.#hal.indicators, 'OUT OF ORDER', 'storage failure', 'failure');
      throw new TerminalError('storage', `cannot record ${what}: ${(error as Error).message}`);
    }
  }

  async refreshLists(): Promise<{ trust: ListUpdate; deny: ListUpdate }> {
    if (!this.#identity || !this.#codes) throw new TerminalError('not-enrolled', 'call start() first: the terminal has no enrollment');
    return { trust: await this.#refresh('trust', paths.trustList), deny: await this.#refresh('deny', paths.denyList) };
  }

  async #refresh(kind: 'trust' | 'deny', path: string): Promise<ListUpdate> {
    const codes = this.#codes!;
    if (!codes.installList) return { ok: false, reason: 'unsupported', detail: 'this code checker takes no lists' };
    try {
      const response = await this.#hal.http.request({ method: 'GET', url: this.#config.authorizerUrl + path, timeout: this.#config.retry.timeout });
      return codes.installList(kind, response.body, this.#hal.clock.now());
    } catch (error) {
      return { ok: false, reason: isHalError(error) ? error.kind : 'transport', detail: (error as Error).message };
    }
  }

  present(code: string): boolean {
    const waiting = this.#waiting;
    if (!waiting || typeof code !== 'string') return false;
    this.#waiting = undefined;
    waiting(code);
    return true;
  }

  async charge(charge: Charge): Promise<Decision> {
    const problem = chargeProblem(charge);
    if (problem) throw new TerminalError('bad-charge', problem);
    const identity = this.#identity;
    if (!identity) throw new TerminalError('not-enrolled', 'call start() first: the terminal has no enrollment');
    if (charge.currency !== identity.merchant.currency) {
      throw new TerminalError('bad-charge', `this terminal takes ${identity.merchant.currency}, not ${charge.currency}`);
    }
    if (identity.merchant.purposes.indexOf(charge.purpose) < 0) {
      throw new TerminalError('bad-charge', `this terminal is not enrolled for ${charge.purpose}`);
    }
    if (this.#busy) throw new TerminalError('busy', 'a charge is already in progress');
    this.#busy = true;
    try {
      return await this.#run(identity, charge);
    } finally {
      this.#busy = false;
      this.#waiting = undefined;
    }
  }

  /** Tells the host when the clock is found wrong; the terminal refuses the next charge until it agrees. */
  #clockHeard(verdict: ClockVerdict): boolean {
    if (verdict.ok) return true;
    this.#hal.logger.log('warn', 'clock disagrees with the authorizer', { detail: verdict.detail, terminalTime: verdict.terminalTime, authorizerTime: verdict.authorizerTime });
    this.#events.emit('clock-skew', { terminalTime: verdict.terminalTime, authorizerTime: verdict.authorizerTime, detail: verdict.detail });
    return false;
  }

  async #run(identity: Identity, charge: Charge): Promise<Decision> {
    const hal = this.#hal;
    if (charge.amount > identity.limits.maxAmount) {
      return this.#local('declined', 'over-terminal-limit', 'Amount over limit');
    }
    if (this.#work.size() >= this.#config.maxPendingWork) {
      await this.#settleWork(identity);
      // Every entry is a customer whose money is not settled: take no more until the authorizer hears of them.
      if (this.#work.size() >= this.#config.maxPendingWork) return this.#local('declined', 'pending-work', 'Out of order');
    }
    // Codes and lists are judged by the clock: a clock known to be wrong judges nothing.
    if (!this.#clockHeard(this.#time.check())) return this.#local('declined', 'clock-skew', 'Clock wrong');
    this.#events.emit('waiting', { charge });
    show(hal.indicators, 'SHOW CODE', `${formatAmount(charge.amount)} ${charge.currency}`, 'busy');
    // Ready for the code at once; meanwhile, learn the fate of an earlier unanswered request, if any.
    const presented = this.#nextCode();
    presented.catch(() => undefined);
    const stopLooking = this.#codeSource ? this.#codeSource((text) => this.present(text)) : undefined;
    let code: string;
    try {
      if (this.#work.size() > 0) await this.#settleWork(identity);
      code = await presented;
    } finally {
      if (stopLooking) stopLooking();
    }
    this.#events.emit('scanned', { code });

    const check = this.#codes!.check(code, { now: hal.clock.now(), amount: charge.amount });
    this.#events.emit('code-checked', { verdict: check.verdict, summary: check.summary });
    if (check.decline) {
      // Lists out of date: fetched again now, so the customer's next try is judged on current ones.
      if (check.refresh) await this.refreshLists();
      return this.#local('declined', check.verdict.reason ?? 'code-rejected', `Code ${check.verdict.reason ?? 'rejected'}`);
    }

    // Reserve the trace number durably BEFORE it goes into a request.
    let trace: number;
    try {
      trace = this.#trace.take();
    } catch (error) {
      show(hal.indicators, 'OUT OF ORDER', 'storage failure', 'failure');
      throw error instanceof TerminalError ? error : new TerminalError('storage', `cannot reserve a trace number: ${(error as Error).message}`);
    }
    const location = locationFromSample(this.#location ? this.#location.sample() : undefined);
    const bytes = signRequest(
      {
        ...pick(charge),
        terminalId: identity.terminalId,
        trace,
        localTime: hal.clock.now(),
        location,
        paymentCode: code,
        verdict: check.verdict,
        firmware: this.#config.firmware,
      },
      terminalSigner(hal, this.#config),
    );
    this.#events.emit('request-signed', { trace, bytes: bytes.length, location });
    // Recorded before it leaves: if this run dies before settling it, the next one reverses it.
    this.#record('the request before sending it', () => this.#work.put({ trace, kind: 'request', bytes }));

    const sentAt = hal.clock.monotonic();
    const result = await exchange<{ body: DecisionBody; signed: Uint8Array }>({
      http: hal.http,
      clock: hal.clock,
      url: this.#config.authorizerUrl + paths.authorize,
      body: bytes,
      policy: this.#config.retry,
      accept: decisionJudge(identity, bytes, trace, () => hal.clock.now(), boundToRequest),
      onAttempt: (attempt) => this.#events.emit('attempt', { trace, attempt }),
      onFailure: (failure) => {
        hal.logger.log('warn', 'no usable answer', { trace, attempt: failure.attempt, reason: failure.reason, detail: failure.detail });
        this.#events.emit('attempt-failed', { trace, failure });
      },
    });

    if (!result.ok) {
      // Even a refusal (4xx) is unauthenticated: the request may have been decided, so it is reversed all the same.
      const last = result.failures[result.failures.length - 1];
      const decision: Decision = {
        outcome: 'no-answer',
        reason: last ? last.reason : 'no-answer',
        display: 'No answer',
        source: 'terminal',
        trace,
        failures: result.failures,
        actuated: false,
      };
      return this.#giveUp(identity, decision, bytes, 'no-answer');
    }
    let answer = result.value;
    if (answer.body.outcome === 'step-up') {
      this.#events.emit('step-up', { trace, display: answer.body.display });
      showOutcome(hal.indicators, 'step-up', answer.body.display);
      const hash = requestHash(bytes);
      const final = await awaitStepUp({
        http: hal.http,
        clock: hal.clock,
        baseUrl: this.#config.authorizerUrl,
        requestHash: hash,
        policy: this.#config.stepUp,
        verify: (signed) => verifyDecision(signed, {
          authorizer: identity.authorizer, requestHash: hash, terminalId: identity.terminalId, trace, now: hal.clock.now(), maxSkew: boundToRequest,
        }),
      });
      if (!final.ok) {
        const decision: Decision = { outcome: 'no-answer', reason: final.reason, display: 'Not confirmed', source: 'terminal', trace, failures: result.failures, actuated: false };
        return this.#giveUp(identity, decision, bytes, 'step-up-unfinished');
      }
      answer = final;
    }
    const body = answer.body;
    this.#clockHeard(this.#time.observe(body.issuedAt, sentAt));
    const decision: Decision = {
      outcome: body.outcome,
      reason: body.reason,
      display: body.display,
      source: 'authorizer',
      trace,
      signed: answer.signed,
      failures: result.failures,
      actuated: false,
    };
    if (body.approvalCode !== undefined) decision.approvalCode = body.approvalCode;
    this.#events.emit('verified', { trace, outcome: body.outcome, reason: body.reason, ...(body.approvalCode ? { approvalCode: body.approvalCode } : {}) });
    if (body.outcome === 'approved' || body.outcome === 'held') return this.#release(identity, decision, bytes);
    this.#record('the decision', () => this.#work.remove(trace));
    return this.#finish(decision);
  }

  /**
   * A verified acceptance (a hold too: the funds wait for review, the customer gets what they paid for). The
   * entry says "releasing" while the actuator moves and is deleted once it finished: that deletion commits the
   * release. An actuator that fails releases nothing, so the payment is reversed.
   */
  async #release(identity: Identity, decision: Decision, bytes: Uint8Array): Promise<Decision> {
    const trace = decision.trace!;
    this.#record('the release', () => this.#work.put({ trace, kind: 'releasing', bytes }));
    const actuation = this.#config.actuation;
    try {
      decision.actuated = await fireOnce(this.#hal.actuator, actuation)();
    } catch (error) {
      this.#hal.logger.log('error', 'actuator failed after a verified approval; reversing', { trace, error: (error as Error).message });
      show(this.#hal.indicators, 'NOT RELEASED', 'payment reversed', 'failure');
      return this.#giveUp(identity, decision, bytes, 'not-released');
    }
    this.#record('the release', () => this.#work.remove(trace));
    if (decision.actuated) this.#events.emit('actuated', { trace, actuation });
    return this.#finish(decision);
  }

  /** The request is given up: its reversal is stored, tried once now, and delivered later if need be. */
  async #giveUp(identity: Identity, decision: Decision, requestBytes: Uint8Array, reason: ReversalReason): Promise<Decision> {
    const trace = decision.trace!;
    let reversal: Uint8Array | undefined;
    this.#record('the reversal', () => {
      reversal = this.#queueReversal(trace, requestBytes, reason);
    });
    try {
      decision.reversal = await this.#deliver(identity, trace, reversal!, { ...this.#config.retry, attempts: 1 });
    } catch (error) {
      // Acknowledged or not, the stored reversal is delivered again later; a second delivery gets the same answer.
      this.#hal.logger.log('warn', 'cannot settle the reversal now', { trace, error: (error as Error).message });
      decision.reversal = { reason, state: 'queued' };
    }
    return this.#finish(decision);
  }

  #finish(decision: Decision): Decision {
    this.#hal.logger.log(decision.outcome === 'approved' ? 'info' : 'warn', 'decision', {
      trace: decision.trace, outcome: decision.outcome, reason: decision.reason, source: decision.source, attempts: decision.failures.length + (decision.source === 'authorizer' ? 1 : 0),
    });
    if (!decision.reversal || decision.outcome === 'no-answer') showOutcome(this.#hal.indicators, decision.outcome, decision.display);
    this.#events.emit('decision', decision);
    return decision;
  }

  #local(outcome: 'declined', reason: string, display: string): Decision {
    return this.#finish({ outcome, reason, display, source: 'terminal', failures: [], actuated: false });
  }

  #nextCode(): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = this.#hal.clock.setTimer(() => {
        this.#waiting = undefined;
        show(this.#hal.indicators, titleOf('no-answer'), 'no code shown', 'failure');
        reject(new TerminalError('no-code', `no payment code within ${this.#config.codeTimeout} ms`));
      }, this.#config.codeTimeout);
      this.#waiting = (code) => {
        this.#hal.clock.clearTimer(timer);
        resolve(code);
      };
    });
  }
}

/** Judges an answer to the request `bytes` (trace `trace`): a verified decision, or why not. */
function decisionJudge(identity: Identity, bytes: Uint8Array, trace: number, now: () => number, maxSkew: number) {
  const hash = requestHash(bytes);
  return (response: HttpResponse): Acceptance<{ body: DecisionBody; signed: Uint8Array }> => {
    const verified = verifyDecision(response.body, { authorizer: identity.authorizer, requestHash: hash, terminalId: identity.terminalId, trace, now: now(), maxSkew });
    return verified.ok ? { accepted: { body: verified.decision, signed: response.body } } : { refused: verified.problem, detail: verified.detail };
  };
}

function pick(charge: Charge): Charge {
  return { amount: charge.amount, currency: charge.currency, purpose: charge.purpose, reference: charge.reference };
}

/** 1234 → "12.34" (two minor digits, what most currencies use; display only). */
export function formatAmount(minor: number): string {
  const units = Math.floor(minor / 100);
  const cents = minor % 100;
  return `${units}.${cents < 10 ? '0' : ''}${cents}`;
}
