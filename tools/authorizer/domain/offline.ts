/**
 * Offline losses: a payment a terminal approved on its own (the goods are
 * gone) that the authorizer declines when it is uploaded. Recorded once per
 * request, told to the customer and to the merchant on both channels, listed
 * by `qrpay operator offline-losses` with totals per merchant. A copied code
 * (declined `replayed`: the same code accepted offline at another terminal,
 * or online) suspends its credential: the copy cannot be used again anywhere
 * once the terminals have the next deny list.
 */
import type { AuthorizationRequest } from '../../../src/authorization/request';
import { hex } from '../../../src/paycode/hex';
import { parsePaymentCode } from '../../../src/paycode/parse';
import type { Tx } from '../store/ports';
import type { Lists } from './lists';
import { enqueue } from './outbox';

export class OfflineLosses {
  readonly #lists: Lists;
  readonly #kick: () => void;

  constructor(options: { lists: Lists; onQueued?: () => void }) {
    this.#lists = options.lists;
    this.#kick = options.onQueued ?? (() => undefined);
  }

  async lost(tx: Tx, loss: { requestId: number; request: AuthorizationRequest; reason: string; now: number }): Promise<void> {
    if (await tx.lifecycle.offlineLoss(loss.requestId)) return;
    const { request, now } = loss;
    const terminal = (await tx.terminals.byId(request.terminalId))!;
    await tx.lifecycle.recordOfflineLoss({
      requestId: loss.requestId, terminalId: terminal.id, merchantId: terminal.merchantId, trace: request.trace, amount: request.amount,
      currency: request.currency, reason: loss.reason, at: now,
    });
    const data = { request: loss.requestId, terminal: terminal.id, amount: request.amount, currency: request.currency, reason: loss.reason };
    await enqueue(tx, { account: `merchant:${terminal.merchantId}`, kind: 'offline-loss', data, now }, this.#kick);
    let credential;
    try {
      credential = parsePaymentCode(request.paymentCode).credential;
    } catch {
      return; // not a code at all: no customer to tell, no credential to suspend
    }
    await enqueue(tx, { account: `${hex(credential.issuerKid)}/${hex(credential.account)}`, kind: 'offline-loss', data, now }, this.#kick);
    if (loss.reason === 'replayed') await this.#lists.revokeCredential(tx, credential.issuerKid, credential.credentialId);
  }
}
