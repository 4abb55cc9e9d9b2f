/**
 * The authorizer's HTTP endpoints for wallets and for terminals waiting on a
 * step-up (mounted by http-server.ts through its `routes` hook):
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
 * The owner's keys are the device keys of credentials that paid for the account.
 */
import type { IncomingMessage } from 'node:http';
import { signedBy } from '../../../src/authorization/envelope';
import { FormatError } from '../../../src/authorization/fields';
import type { PublicKey } from '../../../src/authorization/signer';
import { openWalletMessage, type OpenedWalletMessage } from '../../../src/authorization/wallet-message';
import { hex, unhex } from '../../../src/paycode/hex';
import type { SignatureAlgorithm } from '../../../hal/keystore';
import type { Db } from '../database';
import type { Reply } from '../service';
import type { StepUps } from '../stepup/step-ups';
import { DisputeError, type Disputes } from './disputes';

export const maxSkewMs = 5 * 60_000;

export interface WalletApiOptions {
  db: Db;
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
      const hash = unhex(poll[1])!;
      if (!options.stepUps.exists(hash)) return json(404, { error: 'no step-up for this request' });
      const final = options.stepUps.final(hash, options.now());
      return final ? { status: 200, contentType: 'application/cose', body: final } : json(202, { state: 'pending' });
    }
    if (path !== '/v1/wallet') return undefined;
    if (method !== 'POST') return json(405, { error: 'POST only' });
    if ((request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase() !== 'application/cose') return json(415, { error: 'send application/cose' });
    const body = await options.readBody(request);
    if (!body) return json(413, { error: 'too large' });
    return handle(options, body);
  };
}

/** Acts on one wallet message; exported for tests and the operator tools. */
export function handle(options: WalletApiOptions, body: Uint8Array): Reply {
  let opened: OpenedWalletMessage;
  try {
    opened = openWalletMessage(body);
  } catch (error) {
    const message = error instanceof FormatError ? `${error.field}: ${error.message}` : String((error as Error).message);
    return json(400, { error: message });
  }
  const { message } = opened;
  const now = options.now();
  if (Math.abs(message.signedAt - now) > maxSkewMs) return json(400, { error: 'signed too far from now' });
  try {
    switch (message.action) {
      case 'step-up-confirm':
      case 'step-up-refuse': {
        const result = options.stepUps.answer(opened, now);
        return result.ok ? json(200, result) : json(result.status, { error: result.problem });
      }
      case 'report': {
        if (!signedByAny(opened, ownerKeys(options.db, message.account))) return json(403, { error: 'not signed by a device key of this account' });
        const payment = options.db.prepare('SELECT request_id FROM payments WHERE request_hash = ? AND account = ?').get(message.subject, message.account) as
          { request_id: number } | undefined;
        if (!payment) return json(404, { error: 'no such payment for this account' });
        return json(200, options.disputes.report({ requestId: payment.request_id, by: 'owner', note: message.note ?? '', account: message.account }));
      }
      case 'freeze': {
        if (hex(message.subject) !== message.account.split('/')[1]) return json(400, { error: 'the subject must be the account being frozen' });
        let by: string | undefined;
        if (signedByAny(opened, ownerKeys(options.db, message.account))) by = 'owner';
        else {
          const contact = contactKeys(options.db, message.account).find((c) => signedBy(opened.envelope, c.key));
          if (contact) by = `contact:${contact.name}`;
        }
        if (!by) return json(403, { error: 'signed by neither the owner nor a trusted contact of this account' });
        const fresh = options.disputes.freeze(message.account, by, message.note ?? '');
        return json(200, { ok: true, frozen: true, already: !fresh, by });
      }
      case 'name-contact': {
        if (!signedByAny(opened, ownerKeys(options.db, message.account))) return json(403, { error: 'not signed by a device key of this account' });
        const alg = keyAlg(message.subject);
        if (!alg || !message.note) return json(400, { error: 'the subject must be an ES256 or Ed25519 public key and the note a name' });
        options.disputes.nameContact(message.account, { name: message.note, alg, publicKey: message.subject });
        return json(200, { ok: true, contact: message.note });
      }
    }
  } catch (error) {
    if (error instanceof DisputeError) return json(error.status, { error: error.message });
    throw error;
  }
}

function ownerKeys(db: Db, account: string): PublicKey[] {
  return (db.prepare('SELECT DISTINCT device_alg, device_key FROM payments WHERE account = ?').all(account) as { device_alg: SignatureAlgorithm; device_key: Uint8Array }[])
    .map((row) => ({ alg: row.device_alg, publicKey: new Uint8Array(row.device_key) }));
}

function contactKeys(db: Db, account: string): { name: string; key: PublicKey }[] {
  return (db.prepare('SELECT name, alg, public_key FROM trusted_contacts WHERE account = ?').all(account) as { name: string; alg: SignatureAlgorithm; public_key: Uint8Array }[])
    .map((row) => ({ name: row.name, key: { alg: row.alg, publicKey: new Uint8Array(row.public_key) } }));
}

function signedByAny(opened: OpenedWalletMessage, keys: PublicKey[]): boolean {
  return keys.some((key) => signedBy(opened.envelope, key));
}

function keyAlg(key: Uint8Array): SignatureAlgorithm | undefined {
  if (key.length === 32) return 'EdDSA';
  if ((key.length === 33 && (key[0] === 2 || key[0] === 3)) || (key.length === 65 && key[0] === 4)) return 'ES256';
  return undefined;
}

function json(status: number, value: unknown): Reply {
  return { status, contentType: 'application/json', body: new TextEncoder().encode(`${JSON.stringify(value)}\n`) };
}
