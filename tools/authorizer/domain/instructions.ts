/**
 * After the decision: a merchant completes a pre-authorization, voids a sale
 * before its batch is closed, refunds one after (several partial refunds,
 * never above the capture), and closes its batch. A terminal asks with a
 * signed instruction (src/authorization/instruction.ts) and gets a signed
 * result; the operator asks from the command line (`qrpay operator void |
 * refund`) with a reference of its own. Either way each is idempotent (the
 * same instruction, or the same reference, gets the same answer), moves the
 * payment through its one transition, is recorded, and the customer is told.
 *
 *   complete   authorized → captured (the amount, at most the hold); an expired hold is refused
 *   void       captured → voided, pending → reversed; refused once the sale's batch is closed
 *   refund     captured, partially-refunded → partially-refunded, refunded; refused above what remains
 *   close      the terminal's items against the authorizer's, listed where they differ
 *
 * A hold nobody completes expires (`expireHolds`, run by the server every
 * minute): authorized → expired, the funds released, the customer told.
 */
import { sameBytes } from '../../../src/authorization/bytes';
import { signedBy } from '../../../src/authorization/envelope';
import {
  instructionHash, openInstruction, signInstructionResult, type BatchItem, type Difference, type Instruction, type InstructionResult, type ItemKind,
} from '../../../src/authorization/instruction';
import type { Signer } from '../../../src/authorization/signer';
import type { BatchItemRecord, Payment, Store, Tx } from '../store/ports';
import { problemOf } from './authorization';
import { enqueue } from './outbox';
import { transition } from './payment-state';
import { DomainRefusal, refused, signed, type Answer } from './results';

export interface InstructionsOptions {
  store: Store;
  signer: Signer;
  now: () => number;
  onQueued?: () => void;
}

/** What an instruction did: `done` with the amount it moved, or `refused` with why (a typed reason). */
export interface Settled {
  outcome: 'done' | 'refused';
  reason: string;
  amount: number;
  currency: string | null;
  targetRequestId: number | null;
  settlement?: InstructionResult['settlement'];
}

const itemKindOf = { complete: 'completion', void: 'void', refund: 'refund' } as const;

export class Instructions {
  readonly #store: Store;
  readonly #signer: Signer;
  readonly #now: () => number;
  readonly #kick: () => void;

  constructor(options: InstructionsOptions) {
    this.#store = options.store;
    this.#signer = options.signer;
    this.#now = options.now;
    this.#kick = options.onQueued ?? (() => undefined);
  }

  /** A terminal's signed instruction → its signed result (the stored one for a resend). */
  receive(bytes: Uint8Array): Promise<Answer> {
    let opened;
    try {
      opened = openInstruction(bytes);
    } catch (error) {
      return Promise.resolve(refused('malformed', problemOf(error)));
    }
    const { envelope, instruction } = opened;
    const hash = instructionHash(bytes);
    const now = this.#now();
    return this.#store.transaction(async (tx): Promise<Answer> => {
      const terminal = await tx.terminals.byId(instruction.terminalId);
      if (!terminal || !signedBy(envelope, { alg: terminal.alg, publicKey: terminal.publicKey })) {
        return refused('forbidden', 'an instruction must be signed by the key of the terminal it names');
      }
      const earlier = await tx.lifecycle.instruction(instruction.terminalId, instruction.trace);
      if (earlier) {
        if (earlier.instructionHash && sameBytes(earlier.instructionHash, hash)) return signed(earlier.answer!);
        // Signed by the terminal, but its trace number already names another message: answered, not stored.
        return signed(this.#sign(instruction, hash, { outcome: 'refused', reason: 'trace-reused', amount: 0, currency: null, targetRequestId: null }, now));
      }
      if (await tx.requests.originalByTrace(instruction.terminalId, instruction.trace)) {
        return signed(this.#sign(instruction, hash, { outcome: 'refused', reason: 'trace-reused', amount: 0, currency: null, targetRequestId: null }, now));
      }
      const settled = await this.#act(tx, instruction, now);
      const answer = this.#sign(instruction, hash, settled, now);
      await tx.lifecycle.recordInstruction({
        terminalId: instruction.terminalId, trace: instruction.trace, source: 'terminal', reference: null, action: instruction.action,
        targetRequestId: settled.targetRequestId, amount: settled.amount, currency: settled.currency, outcome: settled.outcome, reason: settled.reason,
        instructionHash: hash, answer, receivedAt: now,
      });
      return signed(answer);
    });
  }

  /**
   * The operator voids or refunds the payment of request `requestId`. `reference` makes it idempotent: the same
   * reference again returns what was done the first time (and a different request under it is refused).
   */
  operator(input: { action: 'void' | 'refund'; requestId: number; amount?: number; reference: string }): Promise<Settled> {
    const now = this.#now();
    return this.#store.transaction(async (tx): Promise<Settled> => {
      const earlier = await tx.lifecycle.instructionByReference(input.reference);
      if (earlier) {
        if (earlier.action !== input.action || earlier.targetRequestId !== input.requestId) {
          throw new DomainRefusal('conflict', `reference ${input.reference} names another ${earlier.action}`);
        }
        return { outcome: earlier.outcome, reason: earlier.reason, amount: earlier.amount, currency: earlier.currency, targetRequestId: earlier.targetRequestId };
      }
      const payment = await tx.payments.byRequest(input.requestId);
      if (!payment) throw new DomainRefusal('not-found', `no payment for request ${input.requestId}`);
      const settled = input.action === 'void' ? await this.#void(tx, payment, now, 'operator') : await this.#refund(tx, payment, input.amount ?? 0, now, 'operator');
      await tx.lifecycle.recordInstruction({
        terminalId: payment.terminalId, trace: null, source: 'operator', reference: input.reference, action: input.action, targetRequestId: payment.requestId,
        amount: settled.amount, currency: settled.currency, outcome: settled.outcome, reason: settled.reason, instructionHash: null, answer: null, receivedAt: now,
      });
      return settled;
    });
  }

  /** Releases every hold past its expiry (authorized → expired) and tells the customers; returns how many. */
  expireHolds(limit = 100): Promise<number> {
    const now = this.#now();
    return this.#store.transaction(async (tx) => {
      const due = await tx.lifecycle.expiredHolds(now, limit);
      for (const hold of due) await this.#expire(tx, (await tx.payments.byRequest(hold.requestId))!, now);
      return due.length;
    });
  }

  async #act(tx: Tx, instruction: Instruction, now: number): Promise<Settled> {
    if (instruction.action === 'close-batch') return this.#close(tx, instruction, now);
    const target = instruction.target!;
    const original = await tx.requests.originalByTrace(instruction.terminalId, target.trace);
    const payment = original && sameBytes(original.hash, target.requestHash) ? await tx.payments.byRequest(original.requestId) : undefined;
    if (!payment) return refusal('unknown-payment');
    if (instruction.action === 'complete') return this.#complete(tx, payment, instruction.amount!, now);
    if (instruction.action === 'void') return this.#void(tx, payment, now, 'terminal');
    return this.#refund(tx, payment, instruction.amount!, now, 'terminal');
  }

  async #complete(tx: Tx, payment: Payment, amount: number, now: number): Promise<Settled> {
    const hold = await tx.lifecycle.hold(payment.requestId);
    if (!hold) return refusal('not-a-pre-authorization', payment);
    if (payment.state === 'authorized' && now >= hold.expiresAt) {
      await this.#expire(tx, payment, now);
      return refusal('hold-expired', payment);
    }
    if (payment.state === 'expired') return refusal('hold-expired', payment);
    if (payment.state !== 'authorized') return refusal(payment.state === 'captured' ? 'already-completed' : `payment-${payment.state}`, payment);
    if (amount > payment.amount) return refusal('over-hold', payment);
    await transition(tx, payment, 'captured', 'completion', `completed for ${amount} of ${payment.amount} held`, now);
    await this.#tell(tx, payment, 'completion', { captured: amount, held: payment.amount }, now);
    return done(payment, amount);
  }

  async #void(tx: Tx, payment: Payment, now: number, by: 'terminal' | 'operator'): Promise<Settled> {
    if (payment.state !== 'captured' && payment.state !== 'pending') return refusal(`payment-${payment.state}`, payment);
    if (await this.#closed(tx, payment)) return refusal('batch-closed', payment);
    const captured = await this.#captured(tx, payment);
    await transition(tx, payment, payment.state === 'captured' ? 'voided' : 'reversed', 'void', `voided by the ${by}`, now);
    await this.#tell(tx, payment, 'void', { amount: captured }, now);
    return done(payment, captured);
  }

  async #refund(tx: Tx, payment: Payment, amount: number, now: number, by: 'terminal' | 'operator'): Promise<Settled> {
    if (!(Number.isSafeInteger(amount) && amount >= 1)) return refusal('bad-amount', payment);
    if (payment.state !== 'captured' && payment.state !== 'partially-refunded') return refusal(`payment-${payment.state}`, payment);
    const captured = await this.#captured(tx, payment);
    const refunded = (await tx.lifecycle.doneOn(payment.requestId)).filter((i) => i.action === 'refund').reduce((sum, i) => sum + i.amount, 0);
    if (amount > captured - refunded) return refusal('over-refund', payment);
    const left = captured - refunded - amount;
    await transition(tx, payment, left === 0 ? 'refunded' : 'partially-refunded', 'refund', `refund of ${amount} by the ${by}, ${left} left`, now);
    await this.#tell(tx, payment, 'refund', { amount, left }, now);
    return done(payment, amount);
  }

  async #expire(tx: Tx, payment: Payment, now: number): Promise<void> {
    await transition(tx, payment, 'expired', 'expiry', 'not completed in time: the hold is released', now);
    await this.#tell(tx, payment, 'completion', { expired: true, held: payment.amount }, now);
  }

  /**
   * A sale counts in its terminal's batch (a completed pre-authorization: its completion does); once that batch
   * is closed the payment can only be refunded.
   */
  async #closed(tx: Tx, payment: Payment): Promise<boolean> {
    const completion = (await tx.lifecycle.doneOn(payment.requestId)).find((i) => i.action === 'complete');
    if (completion) return completion.trace !== null && (await tx.lifecycle.closedIn(payment.terminalId, completion.trace, 'completion')) !== undefined;
    const trace = (await tx.views.decision(payment.requestId))!.request.trace!;
    return (await tx.lifecycle.closedIn(payment.terminalId, trace, 'sale')) !== undefined;
  }

  /** What the payment took: a sale its amount, a completed pre-authorization what its completion captured. */
  async #captured(tx: Tx, payment: Payment): Promise<number> {
    const completion = (await tx.lifecycle.doneOn(payment.requestId)).find((i) => i.action === 'complete');
    return completion ? completion.amount : payment.amount;
  }

  async #close(tx: Tx, instruction: Instruction, now: number): Promise<Settled> {
    const batch = instruction.batch!;
    if (await tx.lifecycle.batch(instruction.terminalId, batch.number)) return refusal('batch-closed');
    const open = await tx.lifecycle.openBatch(instruction.terminalId);
    // One item per (trace): a sale the terminal reversed counts as the reversal only.
    const mine = new Map<number, BatchItemRecord>();
    for (const sale of open.sales) mine.set(sale.trace, { trace: sale.trace, kind: 'sale', ...money(sale) });
    for (const reversal of open.reversals) mine.set(reversal.trace, { trace: reversal.trace, kind: 'reversal', ...money(reversal) });
    for (const i of open.instructions) mine.set(i.trace, { trace: i.trace, kind: itemKindOf[i.action], ...money(i) });
    const theirs = new Map<number, BatchItem>(batch.items.map((item) => [item.trace, item]));
    const differences: Difference[] = [];
    for (const trace of [...new Set([...mine.keys(), ...theirs.keys()])].sort((a, b) => a - b)) {
      const a = mine.get(trace);
      const t = theirs.get(trace);
      if (a && t && a.kind === t.kind && a.amount === t.amount && a.currency === t.currency) continue;
      differences.push({ trace, terminal: t ? side(t.kind, t.amount) : null, authorizer: a ? side(a.kind, a.amount) : null });
    }
    const items = [...mine.values()];
    const balanced = differences.length === 0;
    await tx.lifecycle.closeBatch({
      terminalId: instruction.terminalId, number: batch.number, closedAt: now, balanced, differences: JSON.stringify(differences), items: JSON.stringify(items),
    }, items);
    return { outcome: 'done', reason: balanced ? 'balanced' : 'out-of-balance', amount: 0, currency: null, targetRequestId: null, settlement: { balanced, differences } };
  }

  #sign(instruction: Instruction, hash: Uint8Array, settled: Settled, now: number): Uint8Array {
    return signInstructionResult({
      terminalId: instruction.terminalId, trace: instruction.trace, instructionHash: hash, outcome: settled.outcome, reason: settled.reason,
      amount: settled.amount, ...(settled.settlement ? { settlement: settled.settlement } : {}), issuedAt: now,
    }, this.#signer);
  }

  #tell(tx: Tx, payment: Payment, kind: 'completion' | 'void' | 'refund', data: Record<string, unknown>, now: number): Promise<string> {
    return enqueue(tx, { account: payment.account, kind, data: { request: payment.requestId, currency: payment.currency, terminal: payment.terminalId, ...data }, now }, this.#kick);
  }
}

function money(x: { amount: number; currency: string }): { amount: number; currency: string } {
  return { amount: x.amount, currency: x.currency };
}

function side(kind: ItemKind, amount: number): { kind: ItemKind; amount: number } {
  return { kind, amount };
}

function refusal(reason: string, payment?: Payment): Settled {
  return { outcome: 'refused', reason, amount: 0, currency: payment?.currency ?? null, targetRequestId: payment?.requestId ?? null };
}

function done(payment: Payment, amount: number): Settled {
  return { outcome: 'done', reason: 'done', amount, currency: payment.currency, targetRequestId: payment.requestId };
}
