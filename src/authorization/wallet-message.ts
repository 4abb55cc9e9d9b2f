/**
 * What a customer's wallet (or a trusted contact's) tells the authorizer: a
 * COSE_Sign1, content type application/qrpay-wallet+cbor, signed by the
 * credential's device key (the owner) or by a trusted contact's key. Payload:
 *   1 action: "step-up-confirm" | "step-up-refuse" | "report" | "freeze" | "name-contact"
 *   2 account: text "<issuer kid hex>/<account hex>"
 *   3 subject (bytes): the step-up challenge id (16 bytes), the reported
 *     payment's request hash (32 bytes), the account again for a freeze (its
 *     issuer kid ++ account bytes), or the contact's public key to name
 *   4 signed at (uint, ms since the epoch)
 *   5 note (text, optional): why, or the contact's name
 * The authorizer checks the signature against the keys it knows for the
 * account, and the time against its own clock, before acting.
 */
import { ContentType, open, seal, type Opened } from './envelope';
import { FormatError, mapOf, onlyKeys, optional, readBytes, readChoice, readText, readUint } from './fields';
import type { Signer } from './signer';

export type WalletAction = 'step-up-confirm' | 'step-up-refuse' | 'report' | 'freeze' | 'name-contact';
export const walletActions: readonly WalletAction[] = ['step-up-confirm', 'step-up-refuse', 'report', 'freeze', 'name-contact'];

export interface WalletMessage {
  action: WalletAction;
  account: string;
  subject: Uint8Array;
  signedAt: number;
  note?: string;
}

export const accountPattern = (): RegExp => /^[0-9a-f]{2,64}\/[0-9a-f]{2,64}$/;

export function signWalletMessage(message: WalletMessage, signer: Signer): Uint8Array {
  if (!accountPattern().test(message.account)) throw new FormatError('account', 'account is not "<issuer kid hex>/<account hex>"');
  return seal({
    contentType: ContentType.wallet,
    payload: mapOf([[1, message.action], [2, message.account], [3, message.subject], [4, message.signedAt], [5, message.note]]),
    signer,
  });
}

export interface OpenedWalletMessage {
  envelope: Opened;
  message: WalletMessage;
}

/** Decodes a wallet message without checking its signature. Throws FormatError. */
export function openWalletMessage(bytes: Uint8Array): OpenedWalletMessage {
  const envelope = open(bytes, ContentType.wallet);
  const map = envelope.payload;
  onlyKeys(map, [1, 2, 3, 4, 5], 'wallet message');
  const message: WalletMessage = {
    action: readChoice(map, 1, 'action', walletActions),
    account: readText(map, 2, 'account', 129, accountPattern()),
    subject: readBytes(map, 3, 'subject', 1, 128),
    signedAt: readUint(map, 4, 'signed at'),
  };
  const note = optional(map, 5, (m, k) => readText(m, k, 'note', 200));
  if (note !== undefined) message.note = note;
  return { envelope, message };
}
