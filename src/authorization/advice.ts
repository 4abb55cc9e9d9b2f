/**
 * The offline advice: a payment the terminal approved on its own while the
 * authorizer could not be reached, uploaded when the link returns
 * (store-and-forward, docs/authorization.md, Offline). A COSE_Sign1 signed by
 * the terminal's key (`kid` = its terminal id), content type
 * application/qrpay-offline-advice+cbor. Payload map:
 *   1 terminal id (text)   2 trace number of the request (uint)
 *   3 the authorization request, exactly as signed when it was made (bytes)
 *   4 approved at (uint, ms, the terminal's clock)
 *
 * The answer is the authorizer's decision (decision.ts) bound to the embedded
 * request: approved or held means captured (or held for review), declined is
 * a late decline, an offline loss the merchant carries.
 */
import { sameBytes } from './bytes';
import { ContentType, maxMessageBytes, open, seal, type Opened } from './envelope';
import { FormatError, mapOf, onlyKeys, readBytes, readText, readUint } from './fields';
import { openRequest, terminalIdPattern, terminalKid, type OpenedRequest } from './request';
import type { Signer } from './signer';

export interface OfflineAdvice {
  terminalId: string;
  trace: number;
  request: Uint8Array;
  approvedAt: number;
}

export function signAdvice(advice: OfflineAdvice, signer: Signer): Uint8Array {
  const { request } = openRequest(advice.request);
  if (request.terminalId !== advice.terminalId || request.trace !== advice.trace) throw new FormatError('request', 'the advice names another request than it carries');
  return seal({
    contentType: ContentType.offlineAdvice,
    payload: mapOf([[1, advice.terminalId], [2, advice.trace], [3, advice.request], [4, advice.approvedAt]]),
    signer,
    kid: terminalKid(advice.terminalId),
  });
}

/** Decodes an advice and the request it carries, without checking signatures. Throws FormatError. */
export function openAdvice(bytes: Uint8Array): { envelope: Opened; advice: OfflineAdvice; request: OpenedRequest } {
  const envelope = open(bytes, ContentType.offlineAdvice);
  const m = envelope.payload;
  onlyKeys(m, [1, 2, 3, 4], 'offline advice');
  const advice: OfflineAdvice = {
    terminalId: readText(m, 1, 'terminal id', 32, terminalIdPattern()),
    trace: readUint(m, 2, 'trace number'),
    request: readBytes(m, 3, 'request', 1, maxMessageBytes),
    approvedAt: readUint(m, 4, 'approved at'),
  };
  const kid = envelope.kid;
  if (!kid || !sameBytes(kid, terminalKid(advice.terminalId))) throw new FormatError('kid', 'the kid does not name the terminal in the payload');
  const request = openRequest(advice.request);
  if (request.request.terminalId !== advice.terminalId || request.request.trace !== advice.trace) {
    throw new FormatError('request', 'the advice names another request than it carries');
  }
  return { envelope, advice, request };
}
