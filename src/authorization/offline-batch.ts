/**
 * The upload of the offline journal (store-and-forward, docs/authorization.md,
 * Offline): the terminal sends its offline advices (advice.ts) in batches and
 * the authorizer answers each batch with one signed acknowledgement that
 * carries, per advice and in the batch's order, the signed decision on the
 * payment (the entry's own acknowledgement, bound to its request) or why it is
 * not decided yet. The terminal removes an entry from its journal only on a
 * decision it verified, so a lost, refused or partly answered batch loses
 * nothing, and the same advice sent again gets the same decision.
 *
 * Upload batch: COSE_Sign1 by the terminal key (`kid` = terminal id), content
 * type application/qrpay-offline-batch+cbor. Payload map:
 *   1 terminal id (text)   2 the advices, as signed (array of 1..16 bytes)
 *   3 sent at (uint, ms, the terminal's clock)
 *
 * Acknowledgement: COSE_Sign1 by the authorizer's decision key, content type
 * application/qrpay-offline-batch-ack+cbor. Payload map:
 *   1 terminal id (text)   2 batch hash: SHA-256 of the batch as sent (32 bytes)
 *   3 per advice, in order: the signed decision (bytes), or why none yet (text)
 *   4 issued at (uint, ms)
 */
import type { CborMap, CborValue } from '../codec/cbor';
import { sameBytes } from './bytes';
import { sha256, type SignatureCheck } from '../crypto/verify';
import { openAdvice } from './advice';
import { ContentType, maxMessageBytes, open, seal, signedBy, signedByOneOf, type AuthorizerKeys } from './envelope';
import { FormatError, mapOf, onlyKeys, readBytes, readText, readUint } from './fields';
import { terminalIdPattern, terminalKid } from './request';
import type { PublicKey, Signer } from './signer';

/** Most advices in one batch (and one acknowledgement stays well within maxMessageBytes). */
export const maxBatchAdvices = 16;
/** Room the batch's own fields and envelope take beside its advices, bytes. */
export const batchOverheadBytes = 160;

/** Why the authorizer did not decide an advice of the batch now (the entry stays in the journal). */
export const pendingReasons = ['pending', 'malformed', 'forbidden'] as const;
export type PendingReason = (typeof pendingReasons)[number];

export interface OfflineBatch {
  terminalId: string;
  advices: Uint8Array[];
  sentAt: number;
}

/** Per advice: its signed decision, or why there is none yet. */
export type BatchEntry = Uint8Array | PendingReason;

export interface BatchAck {
  terminalId: string;
  batchHash: Uint8Array;
  entries: BatchEntry[];
  issuedAt: number;
}

export function batchHash(batchBytes: Uint8Array): Uint8Array {
  return sha256(batchBytes);
}

export function signBatch(batch: OfflineBatch, signer: Signer): Uint8Array {
  checkAdvices(batch.terminalId, batch.advices);
  return seal({
    contentType: ContentType.offlineBatch,
    payload: mapOf([[1, batch.terminalId], [2, batch.advices.slice()], [3, batch.sentAt]]),
    signer,
    kid: terminalKid(batch.terminalId),
  });
}

/** Decodes a batch (every advice in it too), without checking signatures. Throws FormatError. */
export function openBatch(bytes: Uint8Array): { envelope: ReturnType<typeof open>; batch: OfflineBatch } {
  const envelope = open(bytes, ContentType.offlineBatch);
  const m = envelope.payload;
  onlyKeys(m, [1, 2, 3], 'offline batch');
  const terminalId = readText(m, 1, 'terminal id', 32, terminalIdPattern());
  const list = m.get(2);
  if (!Array.isArray(list)) throw new FormatError('advices', 'advices is not an array');
  const advices: Uint8Array[] = [];
  for (const item of list) {
    if (!(item instanceof Uint8Array)) throw new FormatError('advices', 'an advice is not a byte string');
    advices.push(item);
  }
  checkAdvices(terminalId, advices);
  const kid = envelope.kid;
  if (!kid || !sameBytes(kid, terminalKid(terminalId))) throw new FormatError('kid', 'the kid does not name the terminal in the payload');
  return { envelope, batch: { terminalId, advices, sentAt: readUint(m, 3, 'sent at') } };
}

/** 1..16 advices of this terminal, each payment once. */
function checkAdvices(terminalId: string, advices: Uint8Array[]): void {
  if (advices.length < 1 || advices.length > maxBatchAdvices) throw new FormatError('advices', `a batch carries 1 to ${maxBatchAdvices} advices`);
  const traces: number[] = [];
  for (const bytes of advices) {
    const { advice } = openAdvice(bytes);
    if (advice.terminalId !== terminalId) throw new FormatError('advices', 'an advice of another terminal');
    if (traces.indexOf(advice.trace) >= 0) throw new FormatError('advices', `trace ${advice.trace} twice in one batch`);
    traces.push(advice.trace);
  }
}

export function signBatchAck(ack: BatchAck, signer: Signer): Uint8Array {
  const entries: CborValue[] = [];
  for (const entry of ack.entries) {
    if (!(entry instanceof Uint8Array) && pendingReasons.indexOf(entry) < 0) throw new FormatError('entries', `a pending entry says one of ${pendingReasons.join(', ')}`);
    entries.push(entry);
  }
  return seal({ contentType: ContentType.offlineBatchAck, payload: mapOf([[1, ack.terminalId], [2, ack.batchHash], [3, entries], [4, ack.issuedAt]]), signer });
}

function ackOf(m: CborMap): BatchAck {
  onlyKeys(m, [1, 2, 3, 4], 'batch acknowledgement');
  const list = m.get(3);
  if (!Array.isArray(list) || list.length < 1 || list.length > maxBatchAdvices) throw new FormatError('entries', `entries is not an array of 1 to ${maxBatchAdvices}`);
  const entries: BatchEntry[] = [];
  for (const item of list) {
    if (item instanceof Uint8Array && item.length <= maxMessageBytes) entries.push(item);
    else if (typeof item === 'string' && pendingReasons.indexOf(item as PendingReason) >= 0) entries.push(item as PendingReason);
    else throw new FormatError('entries', 'an entry is neither a signed decision nor a pending reason');
  }
  return {
    terminalId: readText(m, 1, 'terminal id', 32, terminalIdPattern()),
    batchHash: readBytes(m, 2, 'batch hash', 32, 32),
    entries,
    issuedAt: readUint(m, 4, 'issued at'),
  };
}

export type BatchAckProblem = 'garbled' | 'bad-signature' | 'wrong-batch';
export type VerifiedBatchAck = { ok: true; ack: BatchAck } | { ok: false; problem: BatchAckProblem; detail: string };

/**
 * Accepts an acknowledgement only when the enrolled authorizer signed it for this terminal and for the batch
 * `batch` exactly as sent, one entry per advice. Each decision in it is verified on its own (decision.ts) against
 * its advice's request before anything is settled. No freshness bound: the batch hash binds it, and the decisions
 * in it are the ones the authorizer stored (a resent advice gets the same one).
 */
export function verifyBatchAck(bytes: Uint8Array, expect: { authorizer: AuthorizerKeys; terminalId: string; batch: Uint8Array; advices: number; verify?: SignatureCheck }): VerifiedBatchAck {
  let envelope;
  let ack: BatchAck;
  try {
    envelope = open(bytes, ContentType.offlineBatchAck);
    ack = ackOf(envelope.payload);
  } catch (error) {
    return { ok: false, problem: 'garbled', detail: (error as Error).message };
  }
  if (!signedByOneOf(envelope, expect.authorizer, expect.verify)) return { ok: false, problem: 'bad-signature', detail: 'not signed by the enrolled authorizer key' };
  if (ack.terminalId !== expect.terminalId || !sameBytes(ack.batchHash, batchHash(expect.batch)) || ack.entries.length !== expect.advices) {
    return { ok: false, problem: 'wrong-batch', detail: `the acknowledgement is for another batch (${ack.terminalId}, ${ack.entries.length} entries)` };
  }
  return { ok: true, ack };
}
