/**
 * Sends one COSE message to the authorizer and waits for an answer it can
 * accept. Every attempt POSTs the SAME bytes, so the authorizer recognises a
 * retry and answers with the decision it already made: a retry never charges
 * twice. Between attempts the terminal waits (exponential backoff on the clock
 * HAL). An answer the caller cannot verify counts as no answer and is retried
 * like a timeout. Client errors (4xx other than 408/429) end the exchange:
 * resending identical bytes cannot change them.
 */
import { sleep, type Clock } from '../../hal/clock';
import { isHalError } from '../../hal/errors';
import type { HttpClient, HttpResponse } from '../../hal/http';

export const coseContentType = 'application/cose';

export interface RetryPolicy {
  /** Milliseconds for one whole exchange. */
  timeout: number;
  /** Attempts in all, the first included (>= 1). */
  attempts: number;
  /** Wait before the second attempt; doubles after each further one. */
  backoff: number;
  /** Upper bound of one wait. */
  maxBackoff: number;
}

export const defaultRetryPolicy: RetryPolicy = { timeout: 4000, attempts: 3, backoff: 500, maxBackoff: 4000 };

/** Why an attempt yielded nothing usable: a HalError kind, or the caller's reason for refusing an answer. */
export interface AttemptFailure {
  attempt: number;
  reason: string;
  detail: string;
  /** The authorizer refused to read the request (a 4xx): it never decided it, and never will. */
  refused?: true;
}

export type Acceptance<T> = { accepted: T } | { refused: string; detail: string };

export type ExchangeResult<T> =
  | { ok: true; value: T; attempts: number; failures: AttemptFailure[] }
  | { ok: false; attempts: number; failures: AttemptFailure[] };

export interface ExchangeOptions<T> {
  http: HttpClient;
  clock: Clock;
  url: string;
  body: Uint8Array;
  policy: RetryPolicy;
  /** Judges one answer; anything but `accepted` is treated as no answer. */
  accept(response: HttpResponse): Acceptance<T>;
  /** Told about each attempt as it starts (for events and logs). */
  onAttempt?(attempt: number): void;
  onFailure?(failure: AttemptFailure): void;
}

export async function exchange<T>(options: ExchangeOptions<T>): Promise<ExchangeResult<T>> {
  const { policy } = options;
  const failures: AttemptFailure[] = [];
  let wait = policy.backoff;
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (attempt > 1) {
      await sleep(options.clock, wait);
      wait = Math.min(wait * 2, policy.maxBackoff);
    }
    if (options.onAttempt) options.onAttempt(attempt);
    let failure: AttemptFailure;
    let permanent = false;
    try {
      const response = await options.http.request({
        method: 'POST',
        url: options.url,
        headers: { 'content-type': coseContentType, accept: coseContentType },
        body: options.body,
        timeout: policy.timeout,
      });
      const judged = options.accept(response);
      if ('accepted' in judged) return { ok: true, value: judged.accepted, attempts: attempt, failures };
      failure = { attempt, reason: judged.refused, detail: judged.detail };
    } catch (error) {
      if (isHalError(error)) {
        failure = { attempt, reason: error.kind, detail: error.message };
        const status = error.status;
        permanent = error.kind === 'bad-status' && status !== undefined && status >= 400 && status < 500 && status !== 408 && status !== 429;
      } else {
        failure = { attempt, reason: 'transport', detail: error instanceof Error ? error.message : String(error) };
      }
    }
    if (permanent) failure.refused = true;
    failures.push(failure);
    if (options.onFailure) options.onFailure(failure);
    if (permanent) return { ok: false, attempts: attempt, failures };
  }
  return { ok: false, attempts: policy.attempts, failures };
}
