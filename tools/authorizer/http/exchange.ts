/**
 * What one HTTP exchange is reported as (the JSON log line, the metrics): its
 * request id, route, status and latency, and what the signed answer said
 * (outcome, reason, terminal, trace), read back from the answer's own payload
 * after the domain signed it, so the log and the terminal see the same thing.
 *
 * Deliberately absent: bodies, payment codes, provisioning tokens, keys,
 * accounts, client addresses. The route is one of a fixed set (unknown paths
 * are `other`), so neither the log nor a metric label carries what a stranger
 * typed.
 */
import { ContentType, open, type ContentTypeName } from '../../../src/authorization/envelope';
import type { Answer } from '../domain/results';

export interface ExchangeFacts {
  /** The decision's outcome, the enrollment's status, the reversal's effect or the instruction's outcome; `refused:<kind>` for a refusal. */
  outcome?: string;
  reason?: string;
  terminal?: string;
  trace?: number;
}

export interface ExchangeEntry extends ExchangeFacts {
  requestId: string;
  method: string;
  route: string;
  status: number;
  /** Milliseconds from the request's arrival to the answer's last byte handed to the socket. */
  ms: number;
  /** What escaped the domain (a 500): a store or driver failure, or a bug. */
  error?: unknown;
}

export const routes = [
  '/v1/enroll', '/v1/authorize', '/v1/reverse', '/v1/instruct', '/v1/advice', '/v1/trust-list', '/v1/deny-list',
  '/v1/health', '/v1/ready', '/v1/wallet', '/v1/step-up/:request',
] as const;

export function routeOf(path: string): string {
  if ((routes as readonly string[]).includes(path)) return path;
  if (/^\/v1\/step-up\/[0-9a-f]{64}$/.test(path)) return '/v1/step-up/:request';
  return 'other';
}

/** Payload keys of each signed answer: [outcome, reason, terminal id, trace]. */
const answerFields: Record<string, { type: ContentTypeName; outcome: number; reason?: number; terminal?: number; trace?: number }> = {
  '/v1/authorize': { type: ContentType.decision, outcome: 4, reason: 5, terminal: 2, trace: 3 },
  '/v1/advice': { type: ContentType.decision, outcome: 4, reason: 5, terminal: 2, trace: 3 },
  '/v1/enroll': { type: ContentType.enrollment, outcome: 2, reason: 3, terminal: 4 },
  '/v1/reverse': { type: ContentType.reversalAck, outcome: 4, terminal: 1, trace: 2 },
  '/v1/instruct': { type: ContentType.instructionResult, outcome: 4, reason: 5, terminal: 1, trace: 2 },
};

export function describeAnswer(path: string, answer: Answer<unknown>): ExchangeFacts {
  if (answer.kind === 'refused') return { outcome: `refused:${answer.refusal}` };
  const fields = answerFields[path];
  if (answer.kind !== 'signed' || !fields) return {};
  try {
    const payload = open(answer.body, fields.type).payload;
    const textAt = (key: number | undefined) => {
      const v = key === undefined ? undefined : payload.get(key);
      return typeof v === 'string' ? v : undefined;
    };
    const trace = fields.trace === undefined ? undefined : payload.get(fields.trace);
    const facts: ExchangeFacts = {};
    const outcome = textAt(fields.outcome);
    const reason = textAt(fields.reason);
    const terminal = textAt(fields.terminal);
    if (outcome !== undefined) facts.outcome = outcome;
    if (reason !== undefined) facts.reason = reason;
    if (terminal !== undefined) facts.terminal = terminal;
    if (typeof trace === 'number') facts.trace = trace;
    return facts;
  } catch {
    // Our own signed answer always reads back; should one not, the exchange is still logged, without facts.
    return {};
  }
}
