/**
 * Giving a request up: the terminal signs a reversal of it and delivers it
 * until the authorizer acknowledges, with a signature the terminal verifies.
 * Only a verified acknowledgement settles a reversal. An error status (4xx,
 * 5xx) is unauthenticated: anyone on the network can forge one to make the
 * terminal forget a capture it must undo, so it settles nothing and the
 * reversal is simply tried again later.
 */
import type { Hal } from '../../hal/index';
import { requestHash } from '../authorization/decision';
import { verifyWith } from '../crypto/verify';
import { openRequest } from '../authorization/request';
import { openReversal, signReversal, verifyReversalAck, type ReversalAck, type ReversalReason } from '../authorization/reversal';
import { paths, type ResolvedConfig } from './config';
import type { Identity } from './identity';
import { terminalSigner } from './identity';
import { exchange, type AttemptFailure, type RetryPolicy } from './transport';

/** Signs the reversal of the signed request `requestBytes` (one of this terminal's own). */
export function reversalOf(hal: Hal, config: ResolvedConfig, requestBytes: Uint8Array, reason: ReversalReason): Uint8Array {
  const { request } = openRequest(requestBytes);
  return signReversal(
    { terminalId: request.terminalId, trace: request.trace, requestHash: requestHash(requestBytes), reason, localTime: hal.clock.now() },
    terminalSigner(hal, config),
  );
}

export type Delivery =
  | { ok: true; ack: ReversalAck; signed: Uint8Array; reason: ReversalReason }
  | { ok: false; failures: AttemptFailure[]; reason: ReversalReason };

/** Sends the signed reversal `bytes` under `policy`; resolves with the verified acknowledgement, or the failures. */
export async function deliverReversal(hal: Hal, config: ResolvedConfig, identity: Identity, bytes: Uint8Array, policy: RetryPolicy): Promise<Delivery> {
  const { reversal } = openReversal(bytes);
  const result = await exchange<{ ack: ReversalAck; signed: Uint8Array }>({
    http: hal.http,
    clock: hal.clock,
    url: config.authorizerUrl + paths.reverse,
    body: bytes,
    policy,
    accept: (response) => {
      const verified = verifyReversalAck(response.body, {
        authorizer: identity.decisionKeys.accepted(), terminalId: reversal.terminalId, trace: reversal.trace, requestHash: reversal.requestHash, verify: verifyWith(hal.crypto),
      });
      return verified.ok ? { accepted: { ack: verified.ack, signed: response.body } } : { refused: verified.problem, detail: verified.detail };
    },
  });
  if (result.ok) return { ok: true, ack: result.value.ack, signed: result.value.signed, reason: reversal.reason };
  return { ok: false, failures: result.failures, reason: reversal.reason };
}
