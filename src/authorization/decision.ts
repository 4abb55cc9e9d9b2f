/**
 * The authorizer's decision: a COSE_Sign1 signed by the authorizer's key,
 * content type application/qrpay-decision+cbor, bound to ONE request by the
 * SHA-256 of that request's exact bytes. Payload map (docs/authorization.md):
 *   1 request hash (32 bytes)   2 terminal id      3 trace number
 *   4 outcome: "approved" | "declined" | "held" | "step-up"
 *   5 reason (text)             6 approval code (text, approvals only)
 *   7 text to show (text)       8 issued at (uint, ms since the epoch)
 *   9 the operator lists' current versions, [trust list, deny list] (optional):
 *     a terminal with older ones fetches them
 *
 * A terminal acts only on a decision that passes `verifyDecision`: signed by
 * the authorizer it enrolled with, bound to the bytes it just sent, for its
 * terminal id and trace number, and issued within the freshness window.
 */
import type { CborMap } from '../codec/cbor';
import { sameBytes } from './bytes';
import { sha256, type SignatureCheck } from '../crypto/verify';
import { ContentType, open, seal, signedBy, signedByOneOf, type AuthorizerKeys } from './envelope';
import { FormatError, mapOf, onlyKeys, optional, readBytes, readChoice, readText, readUint } from './fields';
import { terminalIdPattern } from './request';
import type { PublicKey, Signer } from './signer';

export type Outcome = 'approved' | 'declined' | 'held' | 'step-up';
export const outcomes: readonly Outcome[] = ['approved', 'declined', 'held', 'step-up'];

export interface DecisionBody {
  requestHash: Uint8Array;
  terminalId: string;
  trace: number;
  outcome: Outcome;
  reason: string;
  approvalCode?: string;
  display: string;
  issuedAt: number;
  /** The versions of the operator lists the authorizer publishes now: a terminal with older ones fetches them. */
  lists?: ListVersions;
}

export interface ListVersions {
  trust: number;
  deny: number;
}

export const approvalCodePattern = (): RegExp => /^[A-Z0-9]{6}$/;

/** The binding: SHA-256 of the request exactly as sent. */
export function requestHash(requestBytes: Uint8Array): Uint8Array {
  return sha256(requestBytes);
}

export function signDecision(body: DecisionBody, signer: Signer): Uint8Array {
  if ((body.outcome === 'approved') !== (body.approvalCode !== undefined)) {
    throw new FormatError('approval code', 'an approval code comes with approvals and only with them');
  }
  const payload = mapOf([
    [1, body.requestHash],
    [2, body.terminalId],
    [3, body.trace],
    [4, body.outcome],
    [5, body.reason],
    [6, body.approvalCode],
    [7, body.display],
    [8, body.issuedAt],
    [9, body.lists ? [body.lists.trust, body.lists.deny] : undefined],
  ]);
  return seal({ contentType: ContentType.decision, payload, signer });
}

/** Decodes a decision's payload without checking anything else. Throws FormatError. */
export function readDecision(bytes: Uint8Array): DecisionBody {
  return bodyOf(open(bytes, ContentType.decision).payload);
}

function bodyOf(m: CborMap): DecisionBody {
  onlyKeys(m, [1, 2, 3, 4, 5, 6, 7, 8, 9], 'decision');
  const body: DecisionBody = {
    requestHash: readBytes(m, 1, 'request hash', 32, 32),
    terminalId: readText(m, 2, 'terminal id', 32, terminalIdPattern()),
    trace: readUint(m, 3, 'trace number'),
    outcome: readChoice(m, 4, 'outcome', outcomes),
    reason: readText(m, 5, 'reason', 64),
    display: readText(m, 7, 'display text', 64),
    issuedAt: readUint(m, 8, 'issued at'),
  };
  const approvalCode = optional(m, 6, (x, k) => readText(x, k, 'approval code', 6, approvalCodePattern()));
  if (approvalCode !== undefined) body.approvalCode = approvalCode;
  const lists = m.get(9);
  if (lists !== undefined) {
    const ok = Array.isArray(lists) && lists.length === 2 && lists.every((v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0);
    if (!ok) throw new FormatError('lists', 'lists is not [trust list version, deny list version]');
    body.lists = { trust: lists[0] as number, deny: lists[1] as number };
  }
  if ((body.outcome === 'approved') !== (approvalCode !== undefined)) {
    throw new FormatError('approval code', 'an approval code comes with approvals and only with them');
  }
  return body;
}

/** Why a decision is not acted upon. Each one means: treat it as no answer. */
export type DecisionProblem = 'garbled' | 'bad-signature' | 'wrong-request' | 'stale';

export interface Expectation {
  authorizer: AuthorizerKeys;
  /** SHA-256 of the request bytes the terminal sent. */
  requestHash: Uint8Array;
  terminalId: string;
  trace: number;
  /** The terminal's wall clock now, ms. */
  now: number;
  /** How far the decision's time may be from `now`, ms. */
  maxSkew: number;
  /** Checks the authorizer's signature: crypto/verify.ts's `verify` unless given (a board's accelerated one, `verifyWith`). */
  verify?: SignatureCheck;
}

export type VerifiedDecision = { ok: true; decision: DecisionBody } | { ok: false; problem: DecisionProblem; detail: string };

export function verifyDecision(bytes: Uint8Array, expect: Expectation): VerifiedDecision {
  let body: DecisionBody;
  let envelope;
  try {
    envelope = open(bytes, ContentType.decision);
    body = bodyOf(envelope.payload);
  } catch (error) {
    return { ok: false, problem: 'garbled', detail: (error as Error).message };
  }
  // Signature first: nothing in an unauthenticated payload is worth comparing.
  if (!signedByOneOf(envelope, expect.authorizer, expect.verify)) return { ok: false, problem: 'bad-signature', detail: 'not signed by the enrolled authorizer key' };
  if (!sameBytes(body.requestHash, expect.requestHash) || body.terminalId !== expect.terminalId || body.trace !== expect.trace) {
    return { ok: false, problem: 'wrong-request', detail: `the decision answers ${body.terminalId} trace ${body.trace}, not the request just sent` };
  }
  if (Math.abs(body.issuedAt - expect.now) > expect.maxSkew) {
    return { ok: false, problem: 'stale', detail: `issued ${Math.round((expect.now - body.issuedAt) / 1000)} s from now, beyond ±${expect.maxSkew / 1000} s` };
  }
  return { ok: true, decision: body };
}
