/**
 * The terminal's ledger: its pending work and its open batch, over the
 * durable work queue (work-queue.ts). Every money event of the terminal goes
 * through here in order, one atomic write per step:
 *
 *   a request      request → releasing → sale | hold      or → reversal → reversed
 *   an instruction instruction → adjusted                   (refused: deleted)
 *   a batch close  instruction (closes the batch for new items) → closed
 *
 * Delivery of reversals and instructions is best effort per call and repeated
 * at boot, before each charge and on `settle()`, until the authorizer answers
 * with a signature the terminal verifies: an unsigned error settles nothing.
 */
import type { Hal } from '../../hal/index';
import { requestHash, verifyDecision, type DecisionBody } from '../authorization/decision';
import { openInstruction, verifyInstructionResult, type BatchItem, type Instruction, type InstructionResult, type ItemKind } from '../authorization/instruction';
import { openRequest } from '../authorization/request';
import type { ReversalEffect, ReversalReason } from '../authorization/reversal';
import { paths, type ResolvedConfig } from './config';
import { terminalSigner, type Identity } from './identity';
import { deliverReversal, reversalOf } from './reversals';
import { TerminalError } from './errors';
import { exchange, type RetryPolicy } from './transport';
import { isWorkKind, offlineKinds, pendingKinds, WorkQueue, type DamagedEntry, type EntryDamage, type WorkEntry } from './work-queue';
import { maxMessageBytes, signedBy } from '../authorization/envelope';
import { parsePaymentCode } from '../paycode/parse';
import { hex } from '../paycode/hex';
import { openAdvice } from '../authorization/advice';
import { batchOverheadBytes, maxBatchAdvices, signBatch, verifyBatchAck, type BatchAck } from '../authorization/offline-batch';
import type { KeyValueStore } from '../../hal/storage';
import { verifyWith, type SignatureCheck } from '../crypto/verify';

export type ReversalState = { reason: ReversalReason; state: 'acknowledged'; effect: ReversalEffect } | { reason: ReversalReason; state: 'queued' };

/** What an instruction came to: the authorizer's signed result, or queued when none came back yet. */
export type InstructionOutcome =
  | { trace: number; action: Instruction['action']; state: 'answered'; result: InstructionResult; signed: Uint8Array }
  | { trace: number; action: Instruction['action']; state: 'queued' };

export interface LedgerEvents {
  reversalQueued(event: { trace: number; reason: ReversalReason }): void;
  reversed(event: { trace: number; reason: ReversalReason; effect: ReversalEffect; signed: Uint8Array }): void;
  answered(event: { trace: number; action: Instruction['action']; result: InstructionResult; signed: Uint8Array }): void;
  uploaded(event: { trace: number; decision: DecisionBody; signed: Uint8Array }): void;
  damaged(event: JournalDamage): void;
}

/** A ledger entry found damaged on flash: what is wrong, and whether it was rebuilt from its signed advice. */
export interface JournalDamage {
  key: string;
  trace?: number;
  problem: EntryDamage;
  repaired: boolean;
  /** Not repaired: the bytes as found, for the host to hand to the operator (then `discardDamaged(key)`). */
  stored?: Uint8Array;
}

/** The offline journal's exposure: approvals not uploaded yet, in all and for one credential. */
export interface OfflineExposure {
  count: number;
  total: number;
  forCredential: number;
}

/** What the request `bytes` of a release asked for, as the terminal signed it (given, it need not be decoded again). */
export interface SoldAs {
  amount: number;
  currency: string;
  kind?: 'pre-auth';
}

/** Reversal effects that gave money back: the batch counts them. */
const undoing: readonly ReversalEffect[] = ['voided', 'released'];
const itemOf: Record<'complete' | 'void' | 'refund', ItemKind> = { complete: 'completion', void: 'void', refund: 'refund' };

export class Ledger {
  readonly #hal: Hal;
  readonly #config: ResolvedConfig;
  readonly #work: WorkQueue;
  readonly #events: LedgerEvents;
  /** `verify` with the board's accelerator (hal.crypto): the authorizer's and the terminal's own signatures. */
  readonly #verify: SignatureCheck;

  constructor(hal: Hal, config: ResolvedConfig, store: KeyValueStore, events: LedgerEvents) {
    this.#hal = hal;
    this.#verify = verifyWith(hal.crypto);
    this.#config = config;
    this.#work = new WorkQueue(store);
    this.#events = events;
  }

  /** The requests not settled yet, the reversals and instructions not answered yet, oldest first. */
  pending(): { trace: number; kind: WorkEntry['kind'] | 'damaged' }[] {
    const listed = this.#work.entries();
    const pending: { trace: number; kind: WorkEntry['kind'] | 'damaged' }[] = listed.entries.filter(isPending).map((entry) => ({ trace: entry.trace, kind: entry.kind }));
    // Kept for the operator: a damaged entry is work nobody finished.
    for (const damaged of listed.damaged) if (damaged.trace !== undefined) pending.push({ trace: damaged.trace, kind: 'damaged' });
    return pending;
  }

  /** Pending work that is not the offline journal (which has its own bounds, the offline limits). */
  unsettled(): number {
    return this.#entries().filter((entry) => isPending(entry) && offlineKinds.indexOf(entry.kind) < 0).length;
  }

  /**
   * The offline journal as the offline decision needs it (one read of the ledger): the approvals not uploaded
   * yet, in all and for `credential`, and whether any entry is damaged (then the exposure cannot be known).
   */
  journal(credential: string): OfflineExposure & { damaged: boolean } {
    const listed = this.#work.entries();
    let count = 0;
    let total = 0;
    let forCredential = 0;
    for (const entry of listed.entries) {
      if (offlineKinds.indexOf(entry.kind) < 0) continue;
      count++;
      total += entry.amount!;
      if (entry.detail === credential) forCredential += entry.amount!;
    }
    return { count, total, forCredential, damaged: listed.damaged.length > 0 };
  }

  /**
   * Approved offline: the signed advice replaces the request's entry (one write) BEFORE the goods move; if this
   * run dies before `releasedOffline`, the next boot reverses the request instead of uploading it.
   */
  approvedOffline(trace: number, advice: Uint8Array, amount: number, currency: string, credential: string): void {
    record('the offline approval', () => {
      // The journal's copy of the advice first: an entry damaged on flash later is rebuilt from it.
      this.#work.putMirror(trace, advice);
      this.#work.put({ trace, kind: 'offline-releasing', bytes: advice, amount, currency, detail: credential });
    });
  }

  /** The goods moved for the offline approval `trace`: its advice waits for the upload (the release's commit point). */
  releasedOffline(trace: number, advice: Uint8Array, amount: number, currency: string, credential: string): void {
    record('the offline release', () => this.#work.put({ trace, kind: 'offline', bytes: advice, amount, currency, detail: credential }));
  }

  /** Pre-authorizations whose goods were released and which wait for their completion. */
  holds(): { trace: number; requestHash: Uint8Array; amount: number; currency: string }[] {
    return this.#entries().filter((entry) => entry.kind === 'hold').map((entry) => ({
      trace: entry.trace, requestHash: requestHash(entry.bytes!), amount: entry.amount!, currency: entry.currency!,
    }));
  }

  /**
   * Deletes a damaged entry the operator has dealt with (its bytes came with the `journal-damaged` event): the
   * only way one leaves the ledger. False when `key` names no entry found damaged.
   */
  discardDamaged(key: string): boolean {
    this.#work.entries(true);
    let discarded = false;
    record('the removal of a damaged entry', () => {
      discarded = this.#work.discardDamaged(key);
    });
    return discarded;
  }

  /** The batch that new items count in: one after the last one closed (or being closed). */
  openBatch(): number {
    let last = 0;
    for (const entry of this.#entries()) {
      const closes = entry.kind === 'closed' || (entry.kind === 'instruction' && entry.detail === 'close-batch');
      if (closes && entry.batch! > last) last = entry.batch!;
    }
    return last + 1;
  }

  /** The items of the open batch, as the close will send them. */
  items(): BatchItem[] {
    const batch = this.openBatch();
    return this.#entries()
      .filter((entry) => entry.item !== undefined && entry.batch === batch)
      .map((entry) => ({ trace: entry.trace, kind: entry.item!, amount: entry.amount!, currency: entry.currency! }));
  }

  sent(trace: number, bytes: Uint8Array): void {
    record('the request before sending it', () => this.#work.put({ trace, kind: 'request', bytes }));
  }

  declined(trace: number): void {
    record('the decision', () => this.#work.remove(trace));
  }

  releasing(trace: number, bytes: Uint8Array): void {
    record('the release', () => this.#work.put({ trace, kind: 'releasing', bytes }));
  }

  /**
   * The goods moved: the commit point of the release (docs/authorization.md, Reversal). A sale counts in the open
   * batch; a pre-authorization waits as a hold for its completion.
   */
  released(trace: number, bytes: Uint8Array, sold?: SoldAs): void {
    const request: SoldAs = sold ?? openRequest(bytes).request;
    const money = { amount: request.amount, currency: request.currency };
    const entry: WorkEntry = request.kind === 'pre-auth'
      ? { trace, kind: 'hold', bytes, ...money }
      : { trace, kind: 'sale', batch: this.openBatch(), item: 'sale', ...money };
    record('the release', () => this.#work.put(entry));
  }

  /** Gives request `trace` up: its reversal is stored, tried once now, and delivered later if need be. */
  async giveUp(identity: Identity, trace: number, requestBytes: Uint8Array, reason: ReversalReason): Promise<ReversalState> {
    let entry: WorkEntry | undefined;
    record('the reversal', () => {
      entry = this.#queueReversal(trace, requestBytes, reason);
    });
    try {
      return await this.#deliverReversal(identity, entry!, this.#once());
    } catch (error) {
      // Acknowledged or not, the stored reversal is delivered again later; a second delivery gets the same answer.
      this.#hal.logger.log('warn', 'cannot settle the reversal now', { trace, error: (error as Error).message });
      return { reason, state: 'queued' };
    }
  }

  /**
   * Stores the signed instruction `bytes` (trace `trace`) and sends it under the full retry policy. For a batch
   * close, that first write closes the open batch for new items.
   */
  async instruct(identity: Identity, trace: number, bytes: Uint8Array): Promise<InstructionOutcome> {
    const { instruction } = openInstruction(bytes);
    const entry: WorkEntry = { trace, kind: 'instruction', bytes, detail: instruction.action };
    if (instruction.target) entry.target = instruction.target.trace;
    if (instruction.batch) entry.batch = instruction.batch.number;
    record(`the ${instruction.action}`, () => this.#work.put(entry));
    try {
      return await this.#deliverInstruction(identity, entry, this.#config.retry);
    } catch (error) {
      this.#hal.logger.log('warn', 'cannot settle the instruction now', { trace, error: (error as Error).message });
      return { trace, action: instruction.action, state: 'queued' };
    }
  }

  /**
   * Called between charges: reverses requests an earlier charge left unsettled (a power cut, a failed write:
   * nothing is released for them any more), delivers every waiting reversal and instruction (one attempt each),
   * and tidies what a cut left between two writes.
   */
  async settle(identity: Identity): Promise<void> {
    let listed;
    try {
      // Read back from flash: what was written may have been damaged since.
      listed = this.#work.entries(true);
      for (const damaged of listed.damaged) {
        const repaired = this.#repair(damaged);
        this.#hal.logger.log('error', repaired ? 'repaired a damaged offline entry from its signed advice' : 'a damaged ledger entry is kept for the operator', { key: damaged.key, problem: damaged.problem });
        this.#events.damaged({
          key: damaged.key, ...(damaged.trace !== undefined ? { trace: damaged.trace } : {}), problem: damaged.problem, repaired,
          ...(!repaired && damaged.stored ? { stored: damaged.stored } : {}),
        });
      }
      if (listed.damaged.length > 0) listed = this.#work.entries();
    } catch (error) {
      this.#hal.logger.log('warn', 'cannot read the pending work', { error: (error as Error).message });
      return;
    }
    const journal: WorkEntry[] = [];
    for (const entry of listed.entries) {
      try {
        if (entry.kind === 'request' || entry.kind === 'releasing') {
          await this.#deliverReversal(identity, this.#queueReversal(entry.trace, entry.bytes!, 'interrupted'), this.#once());
        } else if (entry.kind === 'offline-releasing') {
          // Approved offline, but the goods may not have moved: reversed, never uploaded.
          const request = openAdvice(entry.bytes!).advice.request;
          await this.#deliverReversal(identity, this.#queueReversal(entry.trace, request, 'interrupted'), this.#once());
        } else if (entry.kind === 'offline') {
          journal.push(entry);
        } else if (entry.kind === 'reversal') {
          await this.#deliverReversal(identity, entry, this.#once());
        } else if (entry.kind === 'instruction') {
          await this.#deliverInstruction(identity, entry, this.#once());
        }
      } catch (error) {
        this.#hal.logger.log('warn', 'cannot settle pending work', { trace: entry.trace, error: (error as Error).message });
      }
    }
    if (journal.length > 0) {
      try {
        await this.#uploadJournal(identity, journal);
      } catch (error) {
        this.#hal.logger.log('warn', 'cannot upload the offline journal now', { error: (error as Error).message });
      }
    }
    this.#tidy();
  }

  /**
   * Uploads the offline journal in batches (offline-batch.ts): as many advices as fit one message, oldest first.
   * Each entry the acknowledgement answers with a decision the terminal verifies against the entry's own request
   * is settled by one write, as a sale of the open batch (approved, held) or a late decline (the merchant's loss);
   * every other entry stays for the next upload, which gets the same decision for what was decided already.
   */
  async #uploadJournal(identity: Identity, journal: WorkEntry[]): Promise<void> {
    let start = 0;
    while (start < journal.length) {
      const batch = [journal[start]];
      let size = batchOverheadBytes + journal[start].bytes!.length;
      while (start + batch.length < journal.length && batch.length < maxBatchAdvices) {
        const next = journal[start + batch.length].bytes!.length + 3;
        if (size + next > maxMessageBytes) break;
        size += next;
        batch.push(journal[start + batch.length]);
      }
      start += batch.length;
      if (!(await this.#uploadBatch(identity, batch))) return;
    }
  }

  /** One batch: false when it got no verified acknowledgement (the rest waits too: the link is down). */
  async #uploadBatch(identity: Identity, journal: WorkEntry[]): Promise<boolean> {
    const bytes = signBatch({ terminalId: identity.terminalId, advices: journal.map((entry) => entry.bytes!), sentAt: this.#hal.clock.now() }, terminalSigner(this.#hal, this.#config));
    const result = await exchange<BatchAck>({
      http: this.#hal.http,
      clock: this.#hal.clock,
      url: this.#config.authorizerUrl + paths.offlineBatch,
      body: bytes,
      policy: this.#once(),
      accept: (response) => {
        const verified = verifyBatchAck(response.body, { authorizer: identity.decisionKeys.accepted(), terminalId: identity.terminalId, batch: bytes, advices: journal.length, verify: this.#verify });
        return verified.ok ? { accepted: verified.ack } : { refused: verified.problem, detail: verified.detail };
      },
    });
    if (!result.ok) return false;
    const answers = result.value.entries;
    for (let i = 0; i < journal.length; i++) {
      const entry = journal[i];
      const answer = answers[i];
      if (!(answer instanceof Uint8Array)) {
        this.#hal.logger.log('warn', 'offline payment not decided yet', { trace: entry.trace, reason: answer });
        continue;
      }
      const request = openAdvice(entry.bytes!).advice.request;
      const verified = verifyDecision(answer, {
        authorizer: identity.decisionKeys.accepted(), requestHash: requestHash(request), terminalId: identity.terminalId, trace: entry.trace, now: this.#hal.clock.now(), maxSkew: Number.MAX_SAFE_INTEGER, verify: this.#verify,
      });
      if (!verified.ok || verified.decision.outcome === 'step-up') {
        this.#hal.logger.log('warn', 'offline payment answered without a final decision', { trace: entry.trace, problem: verified.ok ? 'step-up' : verified.problem });
        continue;
      }
      const body = verified.decision;
      const money = { amount: entry.amount!, currency: entry.currency! };
      record('the upload of an offline payment', () => this.#work.put(body.outcome === 'declined'
        ? { trace: entry.trace, kind: 'late-declined', detail: body.reason, ...money }
        : { trace: entry.trace, kind: 'sale', batch: this.openBatch(), item: 'sale', ...money }));
      this.#hal.logger.log(body.outcome === 'declined' ? 'warn' : 'info', 'offline payment uploaded', { trace: entry.trace, outcome: body.outcome, reason: body.reason });
      this.#events.uploaded({ trace: entry.trace, decision: body, signed: answer });
    }
    return true;
  }

  /**
   * A damaged entry of an offline payment is written again from its signed advice: the one in the entry when
   * that is intact, else the journal's copy (`a.<trace>`, written before the entry). Only an advice this
   * terminal signed for that trace counts; the amount, currency and credential come from the request it
   * carries, the state from field 1 when it still reads, else `offline` (released, waiting for its upload: an
   * entry spends its life there, its `offline-releasing` moment is the actuator's few seconds). True when
   * repaired. Anything else stays on flash as it is: the terminal cannot tell what it was.
   */
  #repair(damaged: DamagedEntry): boolean {
    const trace = damaged.trace;
    if (trace === undefined) return false;
    const map = damaged.map;
    const field = map ? map.get(1) : undefined;
    const inEntry = map ? map.get(2) : undefined;
    const kind: WorkEntry['kind'] = offlineKinds.indexOf(field as WorkEntry['kind']) >= 0 ? field as WorkEntry['kind'] : 'offline';
    if (isWorkKind(field) && kind !== field) return false; // an entry of another kind: not the journal's
    const key = this.#hal.keystore.publicKey(this.#config.keyName);
    for (const bytes of [inEntry, this.#work.mirror(trace)]) {
      if (!(bytes instanceof Uint8Array) || !key) continue;
      try {
        const { envelope, advice, request } = openAdvice(bytes);
        if (advice.trace !== trace || !signedBy(envelope, key, this.#verify)) continue;
        const credential = parsePaymentCode(request.request.paymentCode).credential;
        this.#work.put({
          trace, kind, bytes, amount: request.request.amount, currency: request.request.currency,
          detail: `${hex(credential.issuerKid)}/${hex(credential.credentialId)}`,
        });
        return true;
      } catch {
        // Not a genuine advice of this payment: try the copy.
      }
    }
    return false;
  }

  #once(): RetryPolicy {
    return { ...this.#config.retry, attempts: 1 };
  }

  #entries(): WorkEntry[] {
    return this.#work.entries().entries;
  }

  #queueReversal(trace: number, requestBytes: Uint8Array, reason: ReversalReason): WorkEntry {
    const { request } = openRequest(requestBytes);
    const entry: WorkEntry = { trace, kind: 'reversal', bytes: reversalOf(this.#hal, this.#config, requestBytes, reason), amount: request.amount, currency: request.currency };
    this.#work.put(entry);
    this.#hal.logger.log('warn', 'request given up; reversal queued', { trace, reason });
    this.#events.reversalQueued({ trace, reason });
    return entry;
  }

  async #deliverReversal(identity: Identity, entry: WorkEntry, policy: RetryPolicy): Promise<ReversalState> {
    const trace = entry.trace;
    const delivery = await deliverReversal(this.#hal, this.#config, identity, entry.bytes!, policy);
    if (!delivery.ok) {
      const last = delivery.failures[delivery.failures.length - 1];
      this.#hal.logger.log('warn', 'reversal not acknowledged yet', { trace, reason: last ? last.reason : 'no-answer' });
      return { reason: delivery.reason, state: 'queued' };
    }
    const { effect } = delivery.ack;
    const settled: WorkEntry = { trace, kind: 'reversed', batch: this.openBatch(), detail: effect, amount: entry.amount!, currency: entry.currency! };
    if (undoing.indexOf(effect) >= 0) settled.item = 'reversal';
    this.#work.put(settled);
    this.#hal.logger.log('warn', 'reversal acknowledged; nothing released for it', { trace, effect });
    this.#events.reversed({ trace, reason: delivery.reason, effect, signed: delivery.signed });
    return { reason: delivery.reason, state: 'acknowledged', effect };
  }

  async #deliverInstruction(identity: Identity, entry: WorkEntry, policy: RetryPolicy): Promise<InstructionOutcome> {
    const bytes = entry.bytes!;
    const action = entry.detail as Instruction['action'];
    const trace = entry.trace;
    const result = await exchange<{ result: InstructionResult; signed: Uint8Array }>({
      http: this.#hal.http,
      clock: this.#hal.clock,
      url: this.#config.authorizerUrl + paths.instruct,
      body: bytes,
      policy,
      accept: (response) => {
        const verified = verifyInstructionResult(response.body, { authorizer: identity.decisionKeys.accepted(), terminalId: identity.terminalId, trace, instruction: bytes, verify: this.#verify });
        return verified.ok ? { accepted: { result: verified.result, signed: response.body } } : { refused: verified.problem, detail: verified.detail };
      },
    });
    if (!result.ok) return { trace, action, state: 'queued' };
    const { result: answer, signed } = result.value;
    if (action === 'close-batch') {
      this.#work.put({ trace, kind: 'closed', batch: entry.batch!, detail: answer.reason });
    } else if (answer.outcome === 'done') {
      this.#work.put({ trace, kind: 'adjusted', batch: this.openBatch(), item: itemOf[action], amount: answer.amount, currency: identity.merchant.currency, detail: action, target: entry.target! });
    } else {
      this.#work.remove(trace);
    }
    this.#events.answered({ trace, action, result: answer, signed });
    this.#tidy();
    return { trace, action, state: 'answered', result: answer, signed };
  }

  /**
   * Deletes what no longer counts: the items and markers of closed batches (all but the last marker, which
   * says which batch is open), and holds whose completion is recorded (a cut between those two writes).
   */
  #tidy(): void {
    const entries = this.#entries();
    const open = this.openBatch();
    const completed = new Set(entries.filter((e) => e.kind === 'adjusted' && e.detail === 'complete').map((e) => e.target!));
    try {
      for (const entry of entries) {
        const stale = ((entry.kind === 'sale' || entry.kind === 'reversed' || entry.kind === 'adjusted') && entry.batch! < open) || entry.kind === 'late-declined';
        const superseded = entry.kind === 'closed' && entry.batch! < open - 1;
        const finished = entry.kind === 'hold' && completed.has(entry.trace);
        if (stale || superseded || finished) this.#work.remove(entry.trace);
      }
      // A copy of an advice is kept while its payment is in the journal, or its entry is damaged (the repair's source).
      const listed = this.#work.entries();
      const keep = new Set<number>();
      for (const entry of listed.entries) if (offlineKinds.indexOf(entry.kind) >= 0) keep.add(entry.trace);
      for (const damaged of listed.damaged) if (damaged.trace !== undefined) keep.add(damaged.trace);
      for (const trace of this.#work.mirrors()) if (!keep.has(trace)) this.#work.removeMirror(trace);
    } catch (error) {
      // Left for the next time: a stale entry counts nowhere (its batch is closed).
      this.#hal.logger.log('warn', 'cannot tidy the ledger now', { error: (error as Error).message });
    }
  }
}

function isPending(entry: WorkEntry): boolean {
  return pendingKinds.indexOf(entry.kind) >= 0;
}

/** A write of the ledger failed: the terminal stops before acting, and the next boot settles what it left. */
function record(what: string, write: () => void): void {
  try {
    write();
  } catch (error) {
    throw new TerminalError('storage', `cannot record ${what}: ${(error as Error).message}`);
  }
}

