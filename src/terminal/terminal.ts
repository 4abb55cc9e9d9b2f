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
import type { SignatureCheck } from '../crypto/verify';
import { PreparedKeys } from '../crypto/prepared-keys';
import { locationFromSample, type WireLocation } from '../authorization/location';
import { openRequest, signRequest, type CodeVerdict } from '../authorization/request';
import { paths, resolveConfig, type Actuation, type ResolvedConfig, type TerminalConfig } from './config';
import type { CodeCheck, CodeChecker, ListUpdate } from './code-check';
import { signAdvice } from '../authorization/advice';
import type { CodeSource } from './code-source';
import { createPaycodeChecker } from './paycode-checker';
import type { Decision } from './decision';
import { TerminalError } from './errors';
import { Emitter } from './events';
import { enroll, loadIdentity, presignNext, terminalSigner, type Identity } from './identity';
import { readRotationList, type KeyUpdate } from './decision-keys';
import { fireOnce, show, showOutcome, titleOf } from './outcome';
import { TraceCounter } from './trace-counter';
import { exchange, type Acceptance, type AttemptFailure } from './transport';
import type { HttpResponse } from '../../hal/http';
import type { ReversalEffect, ReversalReason } from '../authorization/reversal';
import { signInstruction, maxBatchItems, type Action, type InstructionResult } from '../authorization/instruction';
import { Ledger, type InstructionOutcome, type JournalDamage, type SoldAs } from './ledger';
import { awaitStepUp } from './step-up';
import { ClockTrust, type ClockVerdict } from './clock-trust';
import { offlineVerdict, type OfflineVerdict } from './offline';

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
  /** The terminal verified and stored the authorizer's next decision key(s): answers are verified with it from now on. */
  'decision-key': { generation: number; from: number };
  decision: Decision;
  /** The terminal gave request `trace` up; its signed reversal is stored and delivered until acknowledged. */
  'reversal-queued': { trace: number; reason: ReversalReason };
  /**
   * The authorizer acknowledged the reversal of request `trace` (signed, verified): `effect` says what it did
   * (voided a capture and returned the funds, released a hold, never saw the request...). Nothing was released for it.
   */
  reversed: { trace: number; reason: ReversalReason; effect: ReversalEffect; signed: Uint8Array };
  /**
   * A payment approved offline was uploaded and decided: approved or held (captured), or declined late (the goods
   * were gone: the merchant's loss, and both the customer and the merchant are told).
   */
  'offline-uploaded': { trace: number; decision: DecisionBody; signed: Uint8Array };
  /** The authorizer's signed result of a completion, void, refund or batch close (now, or after a reboot). */
  'instruction-answered': { trace: number; action: Action; result: InstructionResult; signed: Uint8Array };
  actuated: { trace: number; actuation: Actuation };
  /**
   * The terminal's clock disagrees with the authorizer's (learned from a verified answer) beyond the skew: it takes
   * no payment until the clock agrees again. `authorizerTime` is the trusted time, for a host that sets the clock.
   */
  'clock-skew': { terminalTime: number; authorizerTime: number; detail: string };
  /**
   * A ledger entry on flash does not pass its check (truncated, tampered, unreadable). An offline entry whose
   * signed advice is intact is rebuilt from it (`repaired`); anything else is kept as it is, reported at every
   * settle, and stops offline acceptance (`journal-damaged`) until an operator looks.
   */
  'journal-damaged': JournalDamage;
  'listener-error': { error: unknown };
}

/** Names a payment of this terminal: the trace number and request hash its decision carries. */
export interface PaymentRef {
  trace: number;
  requestHash: Uint8Array;
}

/** A pre-authorization: like a charge, with the most it may cost. */
export interface PreAuthorization {
  maxAmount: number;
  currency: string;
  purpose: Charge['purpose'];
  reference: string;
}

export type { InstructionOutcome };

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
  /**
   * Like `charge`, for goods priced by time or use (a bike ride, arcade credit): holds `maxAmount` and releases
   * the goods on a verified approval; `complete` later captures what they cost (the hold expires otherwise).
   */
  authorize(preAuthorization: PreAuthorization): Promise<Decision>;
  /** Captures `amount` (at most the hold) of a pre-authorization whose goods were released. */
  complete(payment: PaymentRef, amount: number): Promise<InstructionOutcome>;
  /** Cancels a sale of the open batch: the funds go back to the customer. */
  void(payment: PaymentRef): Promise<InstructionOutcome>;
  /** Gives back `amount` of a captured payment (several refunds never exceed the capture). */
  refund(payment: PaymentRef, amount: number): Promise<InstructionOutcome>;
  /** Sends the open batch's items; the authorizer answers balanced, or out of balance with the differences listed. */
  closeBatch(): Promise<InstructionOutcome>;
  /** Pre-authorizations whose goods were released, waiting for `complete` (they survive a reboot). */
  openHolds(): PaymentRef[];
  /** The requests not settled yet and the reversals and instructions not answered yet, oldest first. */
  pendingWork(): { trace: number; kind: string }[];
  /**
   * Delivers the waiting reversals and instructions now (at boot and before each charge this happens anyway);
   * resolves with how many still wait. Never throws for network trouble.
   */
  settle(): Promise<number>;
  /**
   * Downloads the authorizer's decision-key rotations, and the operator's current trust list and deny list, and
   * installs them when they are genuine and newer (a new decision key, a new wallet issuer, a revocation).
   * Never throws: each entry says what happened.
   */
  refreshLists(): Promise<{ keys: KeyUpdate; trust: ListUpdate; deny: ListUpdate }>;
  /**
   * Deletes a ledger entry reported damaged (event `journal-damaged`, whose `stored` bytes the host handed to the
   * operator): until then it stays, and offline acceptance stays stopped. False when `key` names no damaged entry.
   */
  discardDamaged(key: string): boolean;
  on<K extends keyof TerminalEvents>(name: K, listener: (event: TerminalEvents[K]) => void): () => void;
}

export function createTerminal(options: CreateTerminalOptions): Terminal {
  return new TerminalCore(options);
}

class TerminalCore implements Terminal {
  readonly #hal: Hal;
  /**
   * Every authorizer signature is checked with this: `verify` with the board's accelerator (hal.crypto), and with a
   * precomputed table for the authorizer's current decision key once it is prepared in idle time (and the one before
   * it, through a rotation): the check of a decision on the critical path then skips decoding the key and making its table.
   */
  readonly #verify: SignatureCheck;
  readonly #decisionKeyTables: PreparedKeys;
  readonly #config: ResolvedConfig;
  #codes: CodeChecker | undefined;
  readonly #location: LocationSensor | undefined;
  readonly #codeSource: CodeSource | undefined;
  readonly #store: KeyValueStore;
  readonly #trace: TraceCounter;
  readonly #ledger: Ledger;
  readonly #events: Emitter<TerminalEvents>;
  readonly #time: ClockTrust;
  #identity: Identity | undefined;
  #busy = false;
  /** An offline payment was uploaded since the lists were last fetched. */
  #uploaded = false;
  /** A decision said newer lists exist: fetched once the charge is over. */
  #listsOutdated = false;
  /** An answer was not signed by a key the terminal knows: perhaps the authorizer rotated it; asked once the charge is over. */
  #keysOutdated = false;
  #refreshTimer: number | undefined;
  /** The idle-time work, when some is due (`#prepareWhenIdle`). */
  #idleTimer: number | undefined;
  #waiting: ((code: string) => void) | undefined;

  constructor(options: CreateTerminalOptions) {
    this.#hal = options.hal;
    this.#decisionKeyTables = new PreparedKeys(2, options.hal.crypto, 'windows');
    this.#verify = (alg, publicKey, message, signature) => this.#decisionKeyTables.verify(alg, publicKey, message, signature);
    this.#config = resolveConfig(options.config);
    this.#codes = options.codes;
    this.#location = options.location;
    this.#codeSource = options.codeSource;
    this.#store = options.hal.storage.open({ path: this.#config.storageDomain });
    this.#trace = new TraceCounter(this.#store);
    this.#ledger = new Ledger(options.hal, this.#config, this.#store, {
      reversalQueued: (event) => this.#events.emit('reversal-queued', event),
      reversed: (event) => this.#events.emit('reversed', event),
      answered: (event) => this.#events.emit('instruction-answered', event),
      uploaded: (event) => {
        this.#uploaded = true;
        this.#events.emit('offline-uploaded', event);
      },
      damaged: (event) => this.#events.emit('journal-damaged', event),
    });
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
    if (!this.#codes) this.#codes = createPaycodeChecker({ identity, storage: this.#hal.storage, clock: this.#hal.clock, crypto: this.#hal.crypto });
    this.#events.emit('enrolled', { terminalId: identity.terminalId, merchant: identity.merchant.name, fromStorage: stored !== undefined });
    show(this.#hal.indicators, 'READY', identity.merchant.name, 'idle');
    await this.#settleAndRefresh(identity, true);
    this.#scheduleRefresh();
    this.#prepareWhenIdle();
    return identity;
  }

  /**
   * Once the terminal is idle (the next turns of the clock HAL's timers, after a boot or a charge), one step a turn:
   * the keystore presigns the next request's signature (hal/keystore.ts `presign`); the table of the authorizer's
   * current decision key is made if it has none yet (after enrolling or a rotation: ~124 M XS instructions, ~0.8 s
   * on an ESP32-S3, for ES256; ~270 M for EdDSA); the code checker prepares the keys of the customers who just paid
   * (`CodeChecker.prepareWhenIdle`). Each takes costly work out of a later customer's wait. A charge asked for
   * between steps runs first (the rest is done after it); a step that fails changes nothing but the speed of a
   * later check.
   */
  #prepareWhenIdle(): void {
    const steps: [string, () => void][] = [
      ['presign the next request', () => presignNext(this.#hal, this.#config, this.#trace.peek())],
      ['prepare the decision key', () => {
        const { key, generation } = this.#identity!.decisionKeys.current;
        if (this.#decisionKeyTables.has(key.alg, key.publicKey)) return;
        if (this.#decisionKeyTables.prepare(key.alg, key.publicKey)) this.#hal.logger.log('info', 'decision key prepared', { generation });
      }],
      ['prepare the customers\' keys', () => this.#codes?.prepareWhenIdle?.()],
    ];
    const run = (index: number) => this.#whenIdle(() => {
      const [what, step] = steps[index];
      try {
        step();
      } catch (error) {
        this.#hal.logger.log('warn', `cannot ${what}`, { error: (error as Error).message });
      }
      if (index + 1 < steps.length) run(index + 1);
    });
    run(0);
  }

  #whenIdle(work: () => void): void {
    const clock = this.#hal.clock;
    if (this.#idleTimer !== undefined) clock.clearTimer(this.#idleTimer);
    this.#idleTimer = clock.setTimer(() => {
      this.#idleTimer = undefined;
      if (!this.#busy && this.#identity) work();
    }, 0);
  }

  /** Settles the ledger; then fetches the lists at boot (the decision keys before settling), or when offline payments were uploaded (they may have taught the authorizer of copies). */
  async #settleAndRefresh(identity: Identity, boot: boolean): Promise<void> {
    // At boot the decision keys first: the answers to what is settled may be signed by a key rotated in meanwhile.
    if (boot) await this.#refreshKeys(identity);
    await this.#ledger.settle(identity);
    if (boot || this.#uploaded) {
      this.#uploaded = false;
      await this.#refreshOperatorLists();
    }
  }

  /** Fetches the lists every `listRefreshInterval` on the clock HAL, between operations (a busy terminal tries at the next tick). */
  #scheduleRefresh(): void {
    const clock = this.#hal.clock;
    if (this.#refreshTimer !== undefined) clock.clearTimer(this.#refreshTimer);
    this.#refreshTimer = clock.setTimer(() => {
      this.#refreshTimer = undefined;
      const due = this.#busy ? Promise.resolve() : this.refreshLists().then(() => undefined);
      due.then(() => this.#scheduleRefresh(), () => this.#scheduleRefresh());
    }, this.#config.listRefreshInterval);
  }

  pendingWork(): { trace: number; kind: string }[] {
    return this.#ledger.pending();
  }

  discardDamaged(key: string): boolean {
    if (this.#busy) throw new TerminalError('busy', 'a charge is in progress');
    return this.#ledger.discardDamaged(key);
  }

  openHolds(): PaymentRef[] {
    return this.#ledger.holds().map(({ trace, requestHash }) => ({ trace, requestHash }));
  }

  async settle(): Promise<number> {
    const identity = this.#enrolled();
    await this.#exclusive(() => this.#settleAndRefresh(identity, false));
    return this.#ledger.pending().length;
  }

  complete(payment: PaymentRef, amount: number): Promise<InstructionOutcome> {
    return this.#instruct('complete', { target: payment, amount });
  }

  void(payment: PaymentRef): Promise<InstructionOutcome> {
    return this.#instruct('void', { target: payment });
  }

  refund(payment: PaymentRef, amount: number): Promise<InstructionOutcome> {
    return this.#instruct('refund', { target: payment, amount });
  }

  async closeBatch(): Promise<InstructionOutcome> {
    const number = this.#ledger.openBatch();
    return this.#instruct('close-batch', { batch: { number, items: this.#ledger.items() } });
  }

  /** Signs an instruction with a fresh trace number and hands it to the ledger (which stores, then sends it). */
  #instruct(action: Action, details: { target?: PaymentRef; amount?: number; batch?: { number: number; items: ReturnType<Ledger['items']> } }): Promise<InstructionOutcome> {
    const identity = this.#enrolled();
    const target = details.target;
    if (target !== undefined && !(target && Number.isSafeInteger(target.trace) && target.requestHash instanceof Uint8Array && target.requestHash.length === 32)) {
      throw new TerminalError('bad-charge', 'name the payment by its trace number and request hash (decision.trace, decision.requestHash)');
    }
    const amount = details.amount;
    if (amount !== undefined && !(Number.isSafeInteger(amount) && amount >= 1)) throw new TerminalError('bad-charge', 'the amount is a whole number of minor units, 1 or more');
    return this.#exclusive(async () => {
      await this.#ledger.settle(identity);
      const trace = this.#takeTrace();
      const bytes = signInstruction({
        terminalId: identity.terminalId, trace, action, localTime: this.#hal.clock.now(),
        ...(target ? { target: { trace: target.trace, requestHash: target.requestHash } } : {}),
        ...(amount !== undefined ? { amount } : {}),
        ...(details.batch ? { batch: details.batch } : {}),
      }, terminalSigner(this.#hal, this.#config, identity.key));
      return this.#ledger.instruct(identity, trace, bytes);
    });
  }

  #enrolled(): Identity {
    const identity = this.#identity;
    if (!identity) throw new TerminalError('not-enrolled', 'call start() first: the terminal has no enrollment');
    return identity;
  }

  /** One operation at a time: a charge, a settle, an instruction. */
  async #exclusive<T>(work: () => Promise<T>): Promise<T> {
    if (this.#busy) throw new TerminalError('busy', 'a charge is in progress');
    this.#busy = true;
    try {
      return await work();
    } finally {
      this.#busy = false;
      // Its signatures (a reversal, an instruction) discarded any presigned one.
      this.#prepareWhenIdle();
    }
  }

  /** Reserves the next trace number durably before anything carries it. */
  #takeTrace(): number {
    try {
      return this.#trace.take();
    } catch (error) {
      show(this.#hal.indicators, 'OUT OF ORDER', 'storage failure', 'failure');
      throw error instanceof TerminalError ? error : new TerminalError('storage', `cannot reserve a trace number: ${(error as Error).message}`);
    }
  }

  async refreshLists(): Promise<{ keys: KeyUpdate; trust: ListUpdate; deny: ListUpdate }> {
    if (!this.#identity || !this.#codes) throw new TerminalError('not-enrolled', 'call start() first: the terminal has no enrollment');
    const keys = await this.#refreshKeys(this.#identity);
    return { keys, ...(await this.#refreshOperatorLists()) };
  }

  async #refreshOperatorLists(): Promise<{ trust: ListUpdate; deny: ListUpdate }> {
    return { trust: await this.#refresh('trust', paths.trustList), deny: await this.#refresh('deny', paths.denyList) };
  }

  /** Fetches the decision-key rotations and follows those past the current key (decision-keys.ts). */
  async #refreshKeys(identity: Identity): Promise<KeyUpdate> {
    this.#keysOutdated = false;
    let update: KeyUpdate;
    try {
      const response = await this.#hal.http.request({ method: 'GET', url: this.#config.authorizerUrl + paths.decisionKeys, timeout: this.#config.retry.timeout });
      update = identity.decisionKeys.apply(readRotationList(response.body));
    } catch (error) {
      return { ok: false, reason: isHalError(error) ? error.kind : 'garbled', detail: (error as Error).message };
    }
    if (update.ok) {
      const current = identity.decisionKeys.current;
      this.#hal.logger.log('info', 'decision key rotated', { generation: current.generation, from: current.from });
      this.#events.emit('decision-key', { generation: current.generation, from: current.from });
    } else if (update.reason !== 'not-newer') {
      this.#hal.logger.log('warn', 'decision-key rotation refused', { reason: update.reason, detail: update.detail });
    }
    return update;
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

  charge(charge: Charge): Promise<Decision> {
    return this.#pay(charge, undefined);
  }

  authorize(pre: PreAuthorization): Promise<Decision> {
    if (!pre || typeof pre !== 'object') throw new TerminalError('bad-charge', 'a pre-authorization needs maxAmount, currency, purpose and reference');
    return this.#pay({ amount: pre.maxAmount, currency: pre.currency, purpose: pre.purpose, reference: pre.reference }, 'pre-auth');
  }

  async #pay(charge: Charge, kind: 'pre-auth' | undefined): Promise<Decision> {
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
      const decision = await this.#run(identity, charge, kind);
      if (this.#keysOutdated) await this.#refreshKeys(identity);
      if (this.#listsOutdated) {
        this.#listsOutdated = false;
        await this.#refreshOperatorLists();
      }
      return decision;
    } finally {
      this.#busy = false;
      this.#waiting = undefined;
      this.#prepareWhenIdle();
    }
  }

  /** Whether the decision names a list version above the installed one. */
  #listsBehind(current: { trust: number; deny: number }): boolean {
    const installed = this.#codes!.listVersions ? this.#codes!.listVersions() : undefined;
    if (!installed) return false;
    return current.trust > (installed.trust ?? -1) || current.deny > (installed.deny ?? -1);
  }

  /** Tells the host when the clock is found wrong; the terminal refuses the next charge until it agrees. */
  #clockHeard(verdict: ClockVerdict): boolean {
    if (verdict.ok) return true;
    this.#hal.logger.log('warn', 'clock disagrees with the authorizer', { detail: verdict.detail, terminalTime: verdict.terminalTime, authorizerTime: verdict.authorizerTime });
    this.#events.emit('clock-skew', { terminalTime: verdict.terminalTime, authorizerTime: verdict.authorizerTime, detail: verdict.detail });
    return false;
  }

  async #run(identity: Identity, charge: Charge, kind: 'pre-auth' | undefined): Promise<Decision> {
    const hal = this.#hal;
    if (charge.amount > identity.limits.maxAmount) {
      return this.#local('declined', 'over-terminal-limit', 'Amount over limit');
    }
    if (this.#ledger.unsettled() >= this.#config.maxPendingWork) {
      await this.#ledger.settle(identity);
      // Every entry is a customer whose money is not settled: take no more until the authorizer hears of them.
      if (this.#ledger.unsettled() >= this.#config.maxPendingWork) return this.#local('declined', 'pending-work', 'Out of order');
    }
    // A close carries at most maxBatchItems: the host closes the batch before it fills.
    if (this.#ledger.items().length >= maxBatchItems) return this.#local('declined', 'batch-full', 'Close the batch');
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
      if (this.#ledger.pending().length > 0) await this.#settleAndRefresh(identity, false);
      code = await presented;
    } finally {
      if (stopLooking) stopLooking();
    }
    this.#events.emit('scanned', { code });

    const check = this.#codes!.check(code, { now: hal.clock.now(), amount: charge.amount });
    this.#events.emit('code-checked', { verdict: check.verdict, summary: check.summary });
    if (check.decline) {
      // Lists out of date: fetched again now, so the customer's next try is judged on current ones.
      if (check.refresh) await this.#refreshOperatorLists();
      const reason = check.verdict.reason ?? 'code-rejected';
      // A frozen account is the customer's whole account, not this code: say so, as the authorizer's display does.
      return this.#local('declined', reason, reason === 'frozen' ? 'Account frozen' : `Code ${check.verdict.reason ?? 'rejected'}`);
    }

    // Reserve the trace number durably BEFORE it goes into a request.
    const trace = this.#takeTrace();
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
        ...(kind ? { kind } : {}),
      },
      terminalSigner(hal, this.#config, identity.key, trace),
    );
    const hash = requestHash(bytes);
    this.#events.emit('request-signed', { trace, bytes: bytes.length, location });
    // Recorded before it leaves: if this run dies before settling it, the next one reverses it.
    this.#record(() => this.#ledger.sent(trace, bytes));

    const sentAt = hal.clock.monotonic();
    const result = await exchange<{ body: DecisionBody; signed: Uint8Array }>({
      http: hal.http,
      clock: hal.clock,
      url: this.#config.authorizerUrl + paths.authorize,
      body: bytes,
      policy: this.#config.retry,
      accept: decisionJudge(identity, hash, trace, () => hal.clock.now(), boundToRequest, this.#verify),
      onAttempt: (attempt) => this.#events.emit('attempt', { trace, attempt }),
      onFailure: (failure) => {
        if (failure.reason === 'bad-signature') this.#keysOutdated = true;
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
        requestHash: hash,
        failures: result.failures,
        actuated: false,
      };
      // An answer refused (4xx) means the authorizer was reached: offline acceptance is for when it cannot be.
      const reached = result.failures.some((f) => f.refused);
      const offline = reached ? { ok: false as const, reason: 'authorizer-reached' } : this.#offlineVerdict(identity, check, charge.amount, kind);
      if (offline.ok) return this.#approveOffline(identity, decision, bytes, offline.credential);
      decision.offline = { accepted: false, reason: offline.reason };
      return this.#giveUp(identity, decision, bytes, 'no-answer');
    }
    let answer = result.value;
    if (answer.body.outcome === 'step-up') {
      this.#events.emit('step-up', { trace, display: answer.body.display });
      showOutcome(hal.indicators, 'step-up', answer.body.display);
      const final = await awaitStepUp({
        http: hal.http,
        clock: hal.clock,
        baseUrl: this.#config.authorizerUrl,
        requestHash: hash,
        policy: this.#config.stepUp,
        verify: (signed) => verifyDecision(signed, {
          authorizer: identity.decisionKeys.accepted(), requestHash: hash, terminalId: identity.terminalId, trace, now: hal.clock.now(), maxSkew: boundToRequest, verify: this.#verify,
        }),
      });
      if (!final.ok) {
        const decision: Decision = { outcome: 'no-answer', reason: final.reason, display: 'Not confirmed', source: 'terminal', trace, requestHash: hash, failures: result.failures, actuated: false };
        return this.#giveUp(identity, decision, bytes, 'step-up-unfinished');
      }
      answer = final;
    }
    const body = answer.body;
    this.#clockHeard(this.#time.observe(body.issuedAt, sentAt));
    if (body.lists && this.#listsBehind(body.lists)) this.#listsOutdated = true;
    const decision: Decision = {
      outcome: body.outcome,
      reason: body.reason,
      display: body.display,
      source: 'authorizer',
      trace,
      requestHash: hash,
      signed: answer.signed,
      failures: result.failures,
      actuated: false,
    };
    if (body.approvalCode !== undefined) decision.approvalCode = body.approvalCode;
    this.#events.emit('verified', { trace, outcome: body.outcome, reason: body.reason, ...(body.approvalCode ? { approvalCode: body.approvalCode } : {}) });
    if (body.outcome === 'approved' || body.outcome === 'held') return this.#release(identity, decision, bytes, { amount: charge.amount, currency: charge.currency, ...(kind ? { kind } : {}) });
    this.#record(() => this.#ledger.declined(trace));
    return this.#finish(decision);
  }

  /**
   * A verified acceptance (a hold too: the funds wait for review, the customer gets what they paid for). The
   * ledger says "releasing" while the actuator moves and "sale" (or "hold" for a pre-authorization) once it
   * finished: that write commits the release. An actuator that fails releases nothing, so the payment is reversed.
   */
  async #release(identity: Identity, decision: Decision, bytes: Uint8Array, sold: SoldAs): Promise<Decision> {
    const trace = decision.trace!;
    this.#record(() => this.#ledger.releasing(trace, bytes));
    return this.#actuate(identity, decision, bytes, () => this.#ledger.released(trace, bytes, sold));
  }

  /**
   * Fires the actuator for an accepted payment whose ledger entry says it is being released; `commit` records
   * that it was. An actuator that fails released nothing, so the request is reversed instead.
   */
  async #actuate(identity: Identity, decision: Decision, bytes: Uint8Array, commit: () => void): Promise<Decision> {
    const trace = decision.trace!;
    const actuation = this.#config.actuation;
    try {
      decision.actuated = await fireOnce(this.#hal.actuator, actuation)();
    } catch (error) {
      this.#hal.logger.log('error', 'actuator failed after an acceptance; reversing', { trace, reason: decision.reason, error: (error as Error).message });
      show(this.#hal.indicators, 'NOT RELEASED', 'payment reversed', 'failure');
      return this.#giveUp(identity, decision, bytes, 'not-released');
    }
    this.#record(commit);
    if (decision.actuated) this.#events.emit('actuated', { trace, actuation });
    return this.#finish(decision);
  }

  /** Whether the terminal may approve on its own now (offline.ts), with what it knows at this moment. */
  #offlineVerdict(identity: Identity, check: CodeCheck, amount: number, kind: 'pre-auth' | undefined): OfflineVerdict {
    const codes = this.#codes!;
    const code = check.offline;
    return offlineVerdict({
      // The operator's latest word, signed into the deny list, else the enrollment's; nothing the embedder configures.
      limits: (codes.offlineLimits ? codes.offlineLimits() : undefined) ?? identity.limits.offline,
      check, amount, kind,
      journal: this.#ledger.journal(code ? code.credential : ''),
      now: this.#hal.clock.now(),
      listsIssuedAt: codes.listsIssuedAt ? codes.listsIssuedAt() : undefined,
      clockTrusted: this.#time.check().ok,
    });
  }

  /**
   * Approves offline: the signed advice is journaled before the goods move and uploaded when the link returns.
   * An actuator that fails releases nothing: the request is reversed instead.
   */
  async #approveOffline(identity: Identity, decision: Decision, bytes: Uint8Array, credential: string): Promise<Decision> {
    const trace = decision.trace!;
    const { request } = openRequest(bytes);
    const advice = signAdvice({ terminalId: identity.terminalId, trace, request: bytes, approvedAt: this.#hal.clock.now() }, terminalSigner(this.#hal, this.#config, identity.key));
    this.#record(() => this.#ledger.approvedOffline(trace, advice, request.amount, request.currency, credential));
    Object.assign(decision, { outcome: 'approved', reason: 'offline', display: 'Approved offline', offline: { accepted: true } });
    this.#events.emit('verified', { trace, outcome: 'approved', reason: 'offline' });
    return this.#actuate(identity, decision, bytes, () => this.#ledger.releasedOffline(trace, advice, request.amount, request.currency, credential));
  }

  /** The request is given up: its reversal is stored, tried once now, and delivered later if need be. */
  async #giveUp(identity: Identity, decision: Decision, requestBytes: Uint8Array, reason: ReversalReason): Promise<Decision> {
    decision.reversal = await this.#recorded(() => this.#ledger.giveUp(identity, decision.trace!, requestBytes, reason));
    return this.#finish(decision);
  }

  /** A ledger write that failed stops the terminal before it acts (the next boot settles what was left). */
  #record(write: () => void): void {
    try {
      write();
    } catch (error) {
      show(this.#hal.indicators, 'OUT OF ORDER', 'storage failure', 'failure');
      throw error;
    }
  }

  async #recorded<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      show(this.#hal.indicators, 'OUT OF ORDER', 'storage failure', 'failure');
      throw error;
    }
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

/** Judges an answer to the request whose hash is `hash` (trace `trace`): a verified decision, or why not. */
function decisionJudge(identity: Identity, hash: Uint8Array, trace: number, now: () => number, maxSkew: number, verify: SignatureCheck) {
  return (response: HttpResponse): Acceptance<{ body: DecisionBody; signed: Uint8Array }> => {
    const verified = verifyDecision(response.body, { authorizer: identity.decisionKeys.accepted(), requestHash: hash, terminalId: identity.terminalId, trace, now: now(), maxSkew, verify });
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
