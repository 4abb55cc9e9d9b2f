/**
 * A terminal's reversal of one of its requests (src/authorization/reversal.ts):
 * the terminal released nothing for it, so nothing may stay taken.
 *
 *   the request never arrived     recorded: if it ever arrives it is declined "reversed"
 *   declined                      nothing to undo
 *   awaiting confirmation, held,  the hold is released (reversed); an open step-up ends refused
 *   pre-authorized
 *   captured                      voided: the funds go back to the customer
 *   reversed, voided, disputed    the funds are back already
 *
 * The customer hears of a voided capture or a released hold on both channels.
 * Only the terminal that signed the request can reverse it (its key, whatever
 * its status: a suspended terminal can still give money back). One reversal
 * per (terminal, trace), answered with the same signed acknowledgement to every
 * genuine copy; a reversal naming another request hash for that trace is a
 * conflict. Unauthenticated input is refused without being stored.
 */
import { sameBytes } from '../../../src/authorization/bytes';
import { serverSignedBy as signedBy } from '../crypto';
import { openReversal, signReversalAck, type Reversal, type ReversalEffect } from '../../../src/authorization/reversal';
import type { Signer } from '../../../src/authorization/signer';
import { sha256 } from '../../../src/crypto/verify';
import type { Payment, Store, Tx } from '../store/ports';
import { problemOf } from './authorization';
import { enqueue } from './outbox';
import { transition } from './payment-state';
import { refused, signed, type Answer } from './results';
import type { StepUps } from './step-ups';

export interface ReversalsOptions {
  store: Store;
  signer: Signer;
  stepUps: StepUps;
  now: () => number;
  onQueued?: () => void;
}

export class Reversals {
  readonly #store: Store;
  readonly #signer: Signer;
  readonly #stepUps: StepUps;
  readonly #now: () => number;
  readonly #kick: () => void;

  constructor(options: ReversalsOptions) {
    this.#store = options.store;
    this.#signer = options.signer;
    this.#stepUps = options.stepUps;
    this.#now = options.now;
    this.#kick = options.onQueued ?? (() => undefined);
  }

  reverse(bytes: Uint8Array): Promise<Answer> {
    let opened;
    try {
      opened = openReversal(bytes);
    } catch (error) {
      return Promise.resolve(refused('malformed', problemOf(error)));
    }
    const { envelope, reversal } = opened;
    const now = this.#now();
    return this.#store.transaction(async (tx): Promise<Answer> => {
      const terminal = await tx.terminals.byId(reversal.terminalId);
      if (!terminal || !signedBy(envelope, { alg: terminal.alg, publicKey: terminal.publicKey })) {
        return refused('forbidden', 'a reversal must be signed by the key of the terminal that made the request');
      }
      const earlier = await tx.lifecycle.reversal(reversal.terminalId, reversal.trace);
      if (earlier) {
        if (!sameBytes(earlier.requestHash, reversal.requestHash)) return refused('conflict', `trace ${reversal.trace} was reversed for another request`);
        return signed(earlier.answer);
      }
      const effect = await this.#undo(tx, reversal, now);
      const answer = signReversalAck(
        { terminalId: reversal.terminalId, trace: reversal.trace, requestHash: reversal.requestHash, effect, issuedAt: now },
        this.#signer,
      );
      await tx.lifecycle.recordReversal({
        terminalId: reversal.terminalId, trace: reversal.trace, requestHash: reversal.requestHash, payloadHash: sha256(envelope.sign1.payload),
        reason: reversal.reason, receivedAt: now, effect, answer,
      });
      return signed(answer);
    });
  }

  async #undo(tx: Tx, reversal: Reversal, now: number): Promise<ReversalEffect> {
    const original = await tx.requests.originalByTrace(reversal.terminalId, reversal.trace);
    // A request with another hash under this trace is not the one the terminal gave up (a clone's, or a replay):
    // the terminal's own never arrived. It is declined if it comes (authorization.ts checks the reversal first).
    if (!original || !sameBytes(original.hash, reversal.requestHash)) return 'not-received';
    const payment = await tx.payments.byRequest(original.requestId);
    if (!payment || payment.state === 'declined') return 'not-captured';
    const detail = `terminal reversal: ${reversal.reason}`;
    switch (payment.state) {
      case 'awaiting-confirmation':
        await this.#stepUps.cancel(tx, payment.requestId, now);
        await transition(tx, payment, 'reversed', 'reversal', detail, now);
        await this.#tell(tx, payment, 'released', now);
        return 'released';
      case 'pending':
      case 'authorized':
        await transition(tx, payment, 'reversed', 'reversal', detail, now);
        await this.#tell(tx, payment, 'released', now);
        return 'released';
      case 'captured':
        await transition(tx, payment, 'voided', 'reversal', detail, now);
        await this.#tell(tx, payment, 'voided', now);
        return 'voided';
      default:
        return 'already-returned';
    }
  }

  #tell(tx: Tx, payment: Payment, effect: 'released' | 'voided', now: number): Promise<string> {
    return enqueue(tx, {
      account: payment.account, kind: 'reversal',
      data: { request: payment.requestId, effect, amount: payment.amount, currency: payment.currency, terminal: payment.terminalId },
      now,
    }, this.#kick);
  }
}
