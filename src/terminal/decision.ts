/**
 * What `charge` resolves with: the verified decision of the authorizer, or
 * the terminal's own when it declined locally or got no usable answer.
 */
import type { Outcome } from '../authorization/decision';
import type { ReversalEffect, ReversalReason } from '../authorization/reversal';
import type { AttemptFailure } from './transport';

export type DecisionOutcome = Outcome | 'no-answer';

export interface Decision {
  outcome: DecisionOutcome;
  /** Machine-readable reason: the authorizer's, a local code rejection, or why there was no answer. */
  reason: string;
  /** What the display showed. */
  display: string;
  /** Who decided: the authorizer (signed and verified) or the terminal itself. */
  source: 'authorizer' | 'terminal';
  approvalCode?: string;
  /** The trace number of the request, when one was sent. */
  trace?: number;
  /** SHA-256 of the request as sent: with `trace`, names the payment for `complete`, `void` and `refund`. */
  requestHash?: Uint8Array;
  /** The authorizer's signed decision, exactly as received (for the embedder's journal). */
  signed?: Uint8Array;
  /** Failed attempts before the answer (timeouts, refused, unverifiable answers). */
  failures: AttemptFailure[];
  /** True when the actuator fired for this decision. */
  actuated: boolean;
  /**
   * Set when the terminal gave the request up (no verifiable answer, an unfinished step-up, an actuator that
   * failed): the reversal is `acknowledged` by the authorizer (with what it did) or `queued` and delivered later.
   */
  reversal?: { reason: ReversalReason; state: 'acknowledged'; effect: ReversalEffect } | { reason: ReversalReason; state: 'queued' };
  /**
   * When the authorizer could not be reached: `accepted` when the terminal approved on its own (the payment is in
   * its offline journal until uploaded), else the typed reason it could not (offline-disabled, over-floor-limit...).
   */
  offline?: { accepted: true } | { accepted: false; reason: string };
}
