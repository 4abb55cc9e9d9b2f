/**
 * A request that went out without a verified answer coming back (the
 * authorizer down, the link cut, a power cut after sending). The authorizer
 * may have decided it anyway, so the terminal keeps the exact bytes and asks
 * again later: resending the same bytes returns the decision the authorizer
 * stored, or gets it decided now. The fate of the payment is then known and
 * reported, and the actuator never moves for it: the customer has long gone.
 *
 * One slot: a newer request replaces an older unresolved one (the authorizer's
 * journal still holds the older one's decision).
 */
import type { Hal } from '../../hal/index';
import type { KeyValueStore } from '../../hal/storage';
import { requestHash, verifyDecision, type DecisionBody } from '../authorization/decision';
import { openRequest } from '../authorization/request';
import { paths, type ResolvedConfig } from './config';
import type { Identity } from './identity';
import { exchange, type Acceptance } from './transport';
import type { HttpResponse } from '../../hal/http';

export const unresolvedKey = 'unresolved';

export interface Resolved {
  trace: number;
  decision: DecisionBody;
  /** The authorizer's signed decision as received. */
  signed: Uint8Array;
}

/** Judges an answer to the request `bytes` (trace `trace`): a verified decision, or why not. */
export function decisionJudge(identity: Identity, bytes: Uint8Array, trace: number, now: () => number, maxSkew: number) {
  const hash = requestHash(bytes);
  return (response: HttpResponse): Acceptance<{ body: DecisionBody; signed: Uint8Array }> => {
    const verified = verifyDecision(response.body, { authorizer: identity.authorizer, requestHash: hash, terminalId: identity.terminalId, trace, now: now(), maxSkew });
    return verified.ok ? { accepted: { body: verified.decision, signed: response.body } } : { refused: verified.problem, detail: verified.detail };
  };
}

export function rememberUnresolved(store: KeyValueStore, bytes: Uint8Array): void {
  store.write(unresolvedKey, bytes);
}

export function forgetUnresolved(store: KeyValueStore): void {
  store.delete(unresolvedKey);
}

/**
 * Asks once about the unresolved request, if there is one. Resolves with its
 * decision when the authorizer answers verifiably (the slot is then cleared),
 * undefined otherwise (the slot is kept for the next try). Never throws for
 * network trouble.
 */
export async function resolveUnresolved(hal: Hal, store: KeyValueStore, identity: Identity, config: ResolvedConfig): Promise<Resolved | undefined> {
  const bytes = store.read(unresolvedKey);
  if (!bytes) return undefined;
  let trace: number;
  try {
    const { request } = openRequest(bytes);
    if (request.terminalId !== identity.terminalId) throw new Error('another terminal id');
    trace = request.trace;
  } catch {
    // Not a request of this terminal's (damaged, or from before a re-enrollment): nothing to learn from it.
    forgetUnresolved(store);
    return undefined;
  }
  const result = await exchange({
    http: hal.http,
    clock: hal.clock,
    url: config.authorizerUrl + paths.authorize,
    body: bytes,
    policy: { ...config.retry, attempts: 1 },
    // The binding to these exact bytes is the proof; the decision may be as old as the request, so no freshness bound.
    accept: decisionJudge(identity, bytes, trace, () => hal.clock.now(), Number.MAX_SAFE_INTEGER),
  });
  if (!result.ok) {
    // A request the authorizer refuses to read was never decided: there is no fate to learn.
    if (result.failures.some((f) => f.refused)) forgetUnresolved(store);
    return undefined;
  }
  forgetUnresolved(store);
  return { trace, decision: result.value.body, signed: result.value.signed };
}
