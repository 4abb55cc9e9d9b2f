/**
 * The authorizer's HTTP endpoints for wallets and for terminals waiting on a
 * step-up (mounted by server.ts through its `routes` hook):
 *
 *   POST /v1/wallet              application/cose wallet message → JSON
 *        step-up-confirm / step-up-refuse  signed by the paying credential's device key
 *        report                            signed by a device key of the account; subject = request hash
 *        freeze                            signed by a device key of the account or a trusted contact
 *        name-contact                      signed by a device key of the account; subject = contact key
 *   GET  /v1/step-up/<request hash hex>  the final signed decision (200 application/cose),
 *        202 while the customer has not answered, 404 for no such step-up
 *
 * A message must be signed within `maxSkewMs` of the authorizer's clock.
 * The owner's keys are the device keys of credentials that paid for the
 * account and are not revoked (domain/owner-authority.ts).
 */
import type { IncomingMessage } from 'node:http';
import { serverSignedBy as signedBy } from '../crypto';
import type { PublicKey } from '../../../src/authorization/signer';
import { openWalletMessage, type OpenedWalletMessage } from '../../../src/authorization/wallet-message';
import { hex, unhex } from '../../../src/paycode/hex';
import type { SignatureAlgorithm } from '../../../hal/keystore';
import { problemOf } from '../domain/authorization';
import type { Disputes } from '../domain/disputes';
import { ownerKeys } from '../domain/owner-authority';
import { DomainRefusal, refused, value, type Answer } from '../domain/results';
import type { StepUps } from '../domain/step-ups';
import type { Store } from '../store/ports';
import { json, reply, type Reply } from './server';

export const maxSkewMs = 5 * 60_000;

export interface WalletApiOptions {
  store: Store;
  stepUps: StepUps;
  disputes: Disputes;
  now: () => number;
  readBody(request: IncomingMessage): Promise<Uint8Array | undefined>;
}

export function walletRoutes(options: WalletApiOptions) {
  return async (request: IncomingMessage, path: string): Promise<Reply | undefined> => {
    const method = request.method ?? '';
    const poll = /^\/v1\/step-up\/([0-9a-f]{64})$/.exec(path);
    if (poll) {
      if (method !== 'GET') return json(405, { error: 'GET only' });
      return reply(await options.stepUps.final(unhex(poll[1])!, options.now()), 'json');
    }
    if (path !== '/v1/wallet') return undefined;
    if (method !== 'POST') return json(405, { error: 'POST only' });
    if ((request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() !== 'application/cose') return json(415, { error: 'send application/cose' });
    const body = await options.readBody(request);
    if (!body) return json(413, { error: 'too large' });
    return reply(await handle(options, body), 'json');
  };
}

/** Acts on one wallet message; exported for tests and the operator tools. */
export async function handle(options: WalletApiOptions, body: Uint8Array): Promise<Answer<unknown>> {
  let opened: OpenedWalletMessage;
  try {
    opened = openWalletMessage(body);
  } catch (error) {
    return refused('malformed', problemOf(error));
  }
  const { message } = opened;
  const now = options.now();
  if (Math.abs(message.signedAt - now) > maxSkewMs) return refused('malformed', 'signed too far from now');
  const { store } = options;
  try {
    switch (message.action) {
      case 'step-up-confirm':
      case 'step-up-refuse':
        return await options.stepUps.answer(opened, now);
      case 'report': {
        const payment = await store.transaction(async (tx) => {
          if (!signedByAny(opened, await ownerKeys(tx, message.account))) return 'forbidden' as const;
          const found = await tx.payments.byHash(message.subject);
          return found && found.account === message.account ? found : undefined;
        });
        if (payment === 'forbidden') return refused('forbidden', 'not signed by a device key of this account in good standing');
        if (!payment) return refused('not-found', 'no such payment for this account');
        return value(await options.disputes.report({ requestId: payment.requestId, by: 'owner', note: message.note ?? '', account: message.account }));
      }
      case 'freeze': {
        if (hex(message.subject) !== message.account.split('/')[1]) return refused('malformed', 'the subject must be the account being frozen');
        const by = await store.transaction(async (tx) => {
          if (signedByAny(opened, await ownerKeys(tx, message.account))) return 'owner';
          const contact = (await tx.disputes.contacts(message.account)).find((c) => signedBy(opened.envelope, { alg: c.alg, publicKey: c.publicKey }));
          return contact ? `contact:${contact.name}` : undefined;
        });
        if (!by) return refused('forbidden', 'signed by neither the owner nor a trusted contact of this account');
        const fresh = await options.disputes.freeze(message.account, by, message.note ?? '');
        return value({ ok: true, frozen: true, already: !fresh, by });
      }
      case 'name-contact': {
        const owner = await store.transaction(async (tx) => signedByAny(opened, await ownerKeys(tx, message.account)));
        if (!owner) return refused('forbidden', 'not signed by a device key of this account in good standing');
        const alg = keyAlg(message.subject);
        if (!alg || !message.note) return refused('malformed', 'the subject must be an ES256 or Ed25519 public key and the note a name');
        await options.disputes.nameContact(message.account, { name: message.note, alg, publicKey: message.subject });
        return value({ ok: true, contact: message.note });
      }
    }
  } catch (error) {
    if (error instanceof DomainRefusal) return refused(error.refusal, error.message);
    throw error;
  }
}

function signedByAny(opened: OpenedWalletMessage, keys: PublicKey[]): boolean {
  return keys.some((key) => signedBy(opened.envelope, key));
}

function keyAlg(key: Uint8Array): SignatureAlgorithm | undefined {
  if (key.length === 32) return 'EdDSA';
  if ((key.length === 33 && (key[0] === 2 || key[0] === 3)) || (key.length === 65 && key[0] === 4)) return 'ES256';
  return undefined;
}
