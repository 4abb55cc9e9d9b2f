/**
 * Waiting for a step-up: the authorizer answered "step-up" (the customer must
 * confirm in the wallet app), so the terminal polls GET /v1/step-up/<request
 * hash hex> until the final decision arrives: 202 means "not answered yet",
 * 200 carries the final COSE decision, which must pass the same verification
 * as any decision (signature, binding to the request sent, freshness) and must
 * not be another step-up. Anything unverifiable counts as no answer and the
 * polling goes on, until `timeoutMs` (the authorizer settles an unanswered
 * challenge as declined when it expires, so the terminal's wait should
 * outlast the challenge's lifetime). Plain ECMAScript, runs on XS.
 */
import { sleep, type Clock } from '../../hal/clock';
import { isHalError } from '../../hal/errors';
import type { HttpClient } from '../../hal/http';
import type { DecisionBody, VerifiedDecision } from '../authorization/decision';
import { hex } from '../paycode/hex';

export interface StepUpPolicy {
  /** Wait between polls, ms. */
  pollMs: number;
  /** Longest wait for the customer, ms. */
  timeoutMs: number;
}

/** The authorizer's challenge lives 120 s by default; the terminal waits a little longer. */
export const defaultStepUpPolicy: StepUpPolicy = { pollMs: 1000, timeoutMs: 130_000 };

export const stepUpPath = '/v1/step-up/';

export type StepUpResult =
  | { ok: true; body: DecisionBody; signed: Uint8Array; polls: number }
  | { ok: false; reason: 'step-up-timeout' | 'step-up-unknown'; detail: string; polls: number };

export interface AwaitStepUpOptions {
  http: HttpClient;
  clock: Clock;
  /** The authorizer's base URL. */
  baseUrl: string;
  requestHash: Uint8Array;
  policy: StepUpPolicy;
  /** Verifies a decision against the request sent (the caller's verifyDecision with "now"). */
  verify(bytes: Uint8Array): VerifiedDecision;
  onPoll?(poll: number): void;
}

export async function awaitStepUp(options: AwaitStepUpOptions): Promise<StepUpResult> {
  const { clock, policy } = options;
  const url = options.baseUrl + stepUpPath + hex(options.requestHash);
  const started = clock.monotonic();
  let polls = 0;
  let last = 'no answer yet';
  for (;;) {
    const remaining = policy.timeoutMs - (clock.monotonic() - started);
    if (remaining <= 0) break;
    polls++;
    if (options.onPoll) options.onPoll(polls);
    try {
      const response = await options.http.request({ method: 'GET', url, headers: { accept: 'application/cose' }, timeout: Math.min(remaining, 4000) });
      if (response.status === 200) {
        const verified = options.verify(response.body);
        if (verified.ok && verified.decision.outcome !== 'step-up') return { ok: true, body: verified.decision, signed: response.body, polls };
        last = verified.ok ? 'another step-up' : `${verified.problem}: ${verified.detail}`;
      } else {
        last = `status ${response.status}`;
      }
    } catch (error) {
      if (isHalError(error, 'bad-status') && error.status === 404) {
        return { ok: false, reason: 'step-up-unknown', detail: 'the authorizer has no step-up for this request', polls };
      }
      last = error instanceof Error ? error.message : String(error);
    }
    const left = policy.timeoutMs - (clock.monotonic() - started);
    if (left <= 0) break;
    await sleep(clock, Math.min(policy.pollMs, left));
  }
  return { ok: false, reason: 'step-up-timeout', detail: `no final decision within ${policy.timeoutMs} ms (${last})`, polls };
}
