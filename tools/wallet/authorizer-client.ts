/**
 * The wallet's side of talking to the authorizer: answering a step-up
 * challenge, reporting a payment that was not the customer's, freezing the
 * account, naming a trusted contact. Each is a wallet message
 * (src/authorization/wallet-message.ts) signed by the device key that the
 * credential certifies, or for a freeze by a trusted contact's own key.
 * On a phone the device key stays in the secure enclave; here it is a software key.
 */
import { signWalletMessage, type WalletAction } from '../../src/authorization/wallet-message';
import type { Signer } from '../../src/authorization/signer';
import { hex, unhex } from '../../src/paycode/hex';
import { signerFor, type IssuedCredential, type KeyPair } from './wallet';

/** "<issuer kid hex>/<account hex>": how the authorizer names the account. */
export function accountOf(credential: Pick<IssuedCredential, 'issuerKid' | 'account'>): string {
  return `${hex(credential.issuerKid)}/${hex(credential.account)}`;
}

function signer(key: KeyPair): Signer {
  const sign = signerFor(key);
  return { alg: key.alg, sign };
}

function message(key: KeyPair, action: WalletAction, account: string, subject: Uint8Array, now: number, note?: string): Uint8Array {
  return signWalletMessage({ action, account, subject, signedAt: now, ...(note !== undefined ? { note } : {}) }, signer(key));
}

function bytesOf(hexText: string, what: string, length: number): Uint8Array {
  const bytes = unhex(hexText);
  if (!bytes || bytes.length !== length) throw new TypeError(`${what} is not ${length} bytes of hex`);
  return bytes;
}

export function stepUpAnswer(device: KeyPair, credential: IssuedCredential, challenge: string, confirm: boolean, now: number): Uint8Array {
  return message(device, confirm ? 'step-up-confirm' : 'step-up-refuse', accountOf(credential), bytesOf(challenge, 'challenge', 16), now);
}

/** `payment` is the request hash the payment notification carried. */
export function reportPayment(device: KeyPair, credential: IssuedCredential, payment: string, note: string, now: number): Uint8Array {
  return message(device, 'report', accountOf(credential), bytesOf(payment, 'payment', 32), now, note);
}

/** Signed by the owner's device key or by a trusted contact's key. */
export function freezeAccount(key: KeyPair, account: string, reason: string, now: number): Uint8Array {
  const id = unhex(account.split('/')[1] ?? '');
  if (!id) throw new TypeError(`account ${account} is not "<issuer kid hex>/<account hex>"`);
  return message(key, 'freeze', account, id, now, reason);
}

export function nameContact(device: KeyPair, credential: IssuedCredential, contact: { name: string; publicKey: Uint8Array }, now: number): Uint8Array {
  return message(device, 'name-contact', accountOf(credential), contact.publicKey, now, contact.name);
}

export interface AuthorizerAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs a wallet message to the authorizer's /v1/wallet and returns its JSON answer. */
export async function send(authorizerUrl: string, bytes: Uint8Array, timeoutMs = 5000): Promise<AuthorizerAnswer> {
  const response = await fetch(`${authorizerUrl.replace(/\/+$/, '')}/v1/wallet`, {
    method: 'POST',
    headers: { 'content-type': 'application/cose' },
    body: bytes,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { error: text.trim() };
  }
  return { status: response.status, body };
}
