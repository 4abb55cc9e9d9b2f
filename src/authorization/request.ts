/**
 * The authorization request: a COSE_Sign1 signed by the terminal's key
 * (`kid` = its terminal id), content type application/qrpay-auth-request+cbor.
 * Payload map (see docs/authorization.md):
 *   1 terminal id (text)        2 trace number (uint, never repeats)
 *   3 local time (uint, ms)     4 amount (uint, minor units)
 *   5 currency (text)           6 purpose (text)
 *   7 reference (text)          8 location (map, see location.ts)
 *   9 payment code (text, exactly as scanned)
 *  10 terminal verdict (map: 1 "verified" | "rejected", 2 reason, 3 code id)
 *  11 firmware version (text)
 *  12 kind (text): "pre-auth" for a hold completed later (docs/authorization.md,
 *     Pre-authorization); absent for a sale
 */
import { utf8Encode } from '../codec/utf8';
import { isBytes } from '../codec/cbor';
import { sameBytes } from './bytes';
import { chargeProblem, currencyPattern, maxAmount, purposes, referencePattern, type Charge } from './charge';
import { ContentType, open, seal, type Opened } from './envelope';
import { asMap, FormatError, mapOf, onlyKeys, optional, readBytes, readChoice, readText, readUint } from './fields';
import { decodeLocation, encodeLocation, type WireLocation } from './location';
import type { Signer } from './signer';

export interface CodeVerdict {
  status: 'verified' | 'rejected';
  /** Why the terminal rejected the code (a payment-code rejection reason). */
  reason?: string;
  /** The code's identifier (CWT `cti`), when the terminal could read it. */
  codeId?: Uint8Array;
}

export interface AuthorizationRequest extends Charge {
  terminalId: string;
  trace: number;
  /** The terminal's wall clock, ms since the epoch. */
  localTime: number;
  location: WireLocation;
  paymentCode: string;
  verdict: CodeVerdict;
  firmware: string;
  /** A pre-authorization holds `amount` (the most it may cost) until a completion; absent: a sale. */
  kind?: 'pre-auth';
}

export const terminalIdPattern = (): RegExp => /^[A-Za-z0-9-]{1,32}$/;
export const maxPaymentCodeLength = 1024;

export function terminalKid(terminalId: string): Uint8Array {
  return utf8Encode(terminalId)!;
}

export function signRequest(request: AuthorizationRequest, signer: Signer): Uint8Array {
  const problem = chargeProblem(request);
  if (problem) throw new FormatError('charge', problem);
  if (!terminalIdPattern().test(request.terminalId)) throw new FormatError('terminal id', 'terminal id is not 1-32 letters, digits or dashes');
  if (request.kind !== undefined && request.kind !== 'pre-auth') throw new FormatError('kind', 'kind is "pre-auth" or absent (a sale)');
  const verdict = mapOf([
    [1, request.verdict.status],
    [2, request.verdict.reason],
    [3, request.verdict.codeId],
  ]);
  const payload = mapOf([
    [1, request.terminalId],
    [2, request.trace],
    [3, request.localTime],
    [4, request.amount],
    [5, request.currency],
    [6, request.purpose],
    [7, request.reference],
    [8, encodeLocation(request.location)],
    [9, request.paymentCode],
    [10, verdict],
    [11, request.firmware],
    [12, request.kind],
  ]);
  return seal({ contentType: ContentType.request, payload, signer, kid: terminalKid(request.terminalId) });
}

export interface OpenedRequest {
  envelope: Opened;
  request: AuthorizationRequest;
}

/** Decodes a request without checking its signature (the caller looks up the terminal's key by id). Throws FormatError. */
export function openRequest(bytes: Uint8Array): OpenedRequest {
  const envelope = open(bytes, ContentType.request);
  const map = envelope.payload;
  onlyKeys(map, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12], 'request');
  const verdictMap = asMap(map.get(10), 'terminal verdict');
  onlyKeys(verdictMap, [1, 2, 3], 'terminal verdict');
  const verdict: CodeVerdict = { status: readChoice(verdictMap, 1, 'verdict status', ['verified', 'rejected'] as const) };
  const reason = optional(verdictMap, 2, (m, k) => readText(m, k, 'verdict reason', 64));
  if (reason !== undefined) verdict.reason = reason;
  const codeId = optional(verdictMap, 3, (m, k) => readBytes(m, k, 'code id', 1, 64));
  if (codeId !== undefined) verdict.codeId = codeId;
  const request: AuthorizationRequest = {
    terminalId: readText(map, 1, 'terminal id', 32, terminalIdPattern()),
    trace: readUint(map, 2, 'trace number'),
    localTime: readUint(map, 3, 'local time'),
    amount: readUint(map, 4, 'amount', maxAmount),
    currency: readText(map, 5, 'currency', 3, currencyPattern()),
    purpose: readChoice(map, 6, 'purpose', purposes),
    reference: readText(map, 7, 'reference', 64, referencePattern()),
    location: decodeLocation(map.get(8)),
    paymentCode: readText(map, 9, 'payment code', maxPaymentCodeLength),
    verdict,
    firmware: readText(map, 11, 'firmware version', 32),
  };
  const kind = optional(map, 12, (m, k) => readChoice(m, k, 'kind', ['pre-auth'] as const));
  if (kind !== undefined) request.kind = kind;
  if (request.amount < 1) throw new FormatError('amount', 'amount must be at least 1');
  if (request.trace < 1) throw new FormatError('trace number', 'trace numbers start at 1');
  const kid = envelope.kid;
  if (!kid || !isBytes(kid) || !sameBytes(kid, terminalKid(request.terminalId))) {
    throw new FormatError('kid', 'the kid does not name the terminal in the payload');
  }
  return { envelope, request };
}

