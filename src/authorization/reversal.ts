/**
 * The reversal (ISO 8583's 0400 in spirit): the terminal gave up on one of its
 * requests, so whatever the authorizer did with it must be undone, and the
 * request must never be captured if it arrives later. Two COSE_Sign1 messages:
 *
 * The reversal, signed by the terminal's key (`kid` = its terminal id),
 * content type application/qrpay-reversal+cbor. Payload map:
 *   1 terminal id (text)   2 trace number of the reversed request (uint)
 *   3 request hash: SHA-256 of the reversed request's exact bytes (32 bytes)
 *   4 reason (text, one of `reversalReasons`)   5 local time (uint, ms)
 *
 * The acknowledgement, signed by the authorizer's key, content type
 * application/qrpay-reversal-ack+cbor. Payload map:
 *   1 terminal id   2 trace number   3 request hash (as in the reversal)
 *   4 effect (text, one of `reversalEffects`)   5 issued at (uint, ms)
 *
 * The acknowledgement is bound to (terminal id, trace, request hash), not to
 * the reversal's own bytes: every genuine reversal of one request (a resend, a
 * reversal re-signed after a reboot) gets the same stored answer.
 */
import type { CborMap } from '../codec/cbor';
import { isBytes } from '../codec/cbor';
import { sameBytes } from './bytes';
import { ContentType, open, seal, signedBy, signedByOneOf, type AuthorizerKeys } from './envelope';
import { FormatError, mapOf, onlyKeys, readBytes, readChoice, readText, readUint } from './fields';
import { terminalIdPattern, terminalKid } from './request';
import type { SignatureCheck } from '../crypto/verify';
import type { PublicKey, Signer } from './signer';

/** Why the terminal gave up. */
export const reversalReasons = [
  /** No verifiable answer came back (authorizer down, link cut, forged or garbled answers). */
  'no-answer',
  /** The customer's confirmation (step-up) never came to a verified end. */
  'step-up-unfinished',
  /** Approved, but the actuator failed: the goods were not released. */
  'not-released',
  /** Found unsettled at boot: the power (or the firmware) died before the request was settled. */
  'interrupted',
] as const;
export type ReversalReason = (typeof reversalReasons)[number];

/** What the reversal did at the authorizer. */
export const reversalEffects = [
  /** The authorizer never saw the request; if it ever arrives it is declined. */
  'not-received',
  /** The request was declined: nothing was taken. */
  'not-captured',
  /** The payment was held or awaiting confirmation: the hold is released, nothing was taken. */
  'released',
  /** The payment was captured: the capture is voided and the funds go back to the customer. */
  'voided',
  /** The funds were already back with the customer (reported, disputed, reversed before). */
  'already-returned',
] as const;
export type ReversalEffect = (typeof reversalEffects)[number];

export interface Reversal {
  terminalId: string;
  trace: number;
  requestHash: Uint8Array;
  reason: ReversalReason;
  localTime: number;
}

export interface ReversalAck {
  terminalId: string;
  trace: number;
  requestHash: Uint8Array;
  effect: ReversalEffect;
  issuedAt: number;
}

function checkTarget(terminalId: string, trace: number, requestHash: Uint8Array): void {
  if (!terminalIdPattern().test(terminalId)) throw new FormatError('terminal id', 'terminal id is not 1-32 letters, digits or dashes');
  if (!(Number.isSafeInteger(trace) && trace >= 1)) throw new FormatError('trace number', 'trace numbers start at 1');
  if (!isBytes(requestHash) || requestHash.length !== 32) throw new FormatError('request hash', 'request hash is not 32 bytes');
}

export function signReversal(reversal: Reversal, signer: Signer): Uint8Array {
  checkTarget(reversal.terminalId, reversal.trace, reversal.requestHash);
  if (reversalReasons.indexOf(reversal.reason) < 0) throw new FormatError('reason', `reason is not one of ${reversalReasons.join(', ')}`);
  const payload = mapOf([
    [1, reversal.terminalId],
    [2, reversal.trace],
    [3, reversal.requestHash],
    [4, reversal.reason],
    [5, reversal.localTime],
  ]);
  return seal({ contentType: ContentType.reversal, payload, signer, kid: terminalKid(reversal.terminalId) });
}

function readTarget(m: CborMap): { terminalId: string; trace: number; requestHash: Uint8Array } {
  const trace = readUint(m, 2, 'trace number');
  if (trace < 1) throw new FormatError('trace number', 'trace numbers start at 1');
  return { terminalId: readText(m, 1, 'terminal id', 32, terminalIdPattern()), trace, requestHash: readBytes(m, 3, 'request hash', 32, 32) };
}

/** Decodes a reversal without checking its signature (the caller looks up the terminal's key by id). Throws FormatError. */
export function openReversal(bytes: Uint8Array): { envelope: ReturnType<typeof open>; reversal: Reversal } {
  const envelope = open(bytes, ContentType.reversal);
  const m = envelope.payload;
  onlyKeys(m, [1, 2, 3, 4, 5], 'reversal');
  const reversal: Reversal = { ...readTarget(m), reason: readChoice(m, 4, 'reason', reversalReasons), localTime: readUint(m, 5, 'local time') };
  const kid = envelope.kid;
  if (!kid || !sameBytes(kid, terminalKid(reversal.terminalId))) throw new FormatError('kid', 'the kid does not name the terminal in the payload');
  return { envelope, reversal };
}

export function signReversalAck(ack: ReversalAck, signer: Signer): Uint8Array {
  checkTarget(ack.terminalId, ack.trace, ack.requestHash);
  if (reversalEffects.indexOf(ack.effect) < 0) throw new FormatError('effect', `effect is not one of ${reversalEffects.join(', ')}`);
  const payload = mapOf([
    [1, ack.terminalId],
    [2, ack.trace],
    [3, ack.requestHash],
    [4, ack.effect],
    [5, ack.issuedAt],
  ]);
  return seal({ contentType: ContentType.reversalAck, payload, signer });
}

/** Decodes an acknowledgement's payload without checking anything else. Throws FormatError. */
export function readReversalAck(bytes: Uint8Array): ReversalAck {
  return ackOf(open(bytes, ContentType.reversalAck).payload);
}

function ackOf(m: CborMap): ReversalAck {
  onlyKeys(m, [1, 2, 3, 4, 5], 'reversal acknowledgement');
  return { ...readTarget(m), effect: readChoice(m, 4, 'effect', reversalEffects), issuedAt: readUint(m, 5, 'issued at') };
}

export type AckProblem = 'garbled' | 'bad-signature' | 'wrong-reversal';
export type VerifiedAck = { ok: true; ack: ReversalAck } | { ok: false; problem: AckProblem; detail: string };

/**
 * Accepts an acknowledgement only when the enrolled authorizer signed it for
 * this terminal's request `trace` with hash `requestHash`. No freshness bound:
 * the binding to one request is the proof, and an old acknowledgement of the
 * same reversal says the same thing.
 */
export function verifyReversalAck(bytes: Uint8Array, expect: { authorizer: AuthorizerKeys; terminalId: string; trace: number; requestHash: Uint8Array; verify?: SignatureCheck }): VerifiedAck {
  let envelope;
  let ack: ReversalAck;
  try {
    envelope = open(bytes, ContentType.reversalAck);
    ack = ackOf(envelope.payload);
  } catch (error) {
    return { ok: false, problem: 'garbled', detail: (error as Error).message };
  }
  if (!signedByOneOf(envelope, expect.authorizer, expect.verify)) return { ok: false, problem: 'bad-signature', detail: 'not signed by the enrolled authorizer key' };
  if (ack.terminalId !== expect.terminalId || ack.trace !== expect.trace || !sameBytes(ack.requestHash, expect.requestHash)) {
    return { ok: false, problem: 'wrong-reversal', detail: `the acknowledgement is for ${ack.terminalId} trace ${ack.trace}, not the reversal sent` };
  }
  return { ok: true, ack };
}
