/**
 * What the operator looks at, as plain rows from the authorizer's database:
 * terminals, transactions (every request with its decision, score and payment
 * state), one decision's factors, the outbox and the compensations.
 */
import type { Db } from '../authorizer/database';
import type { Fired } from '../authorizer/risk/factors';

export interface TerminalLine {
  id: string;
  merchant_id: string;
  status: string;
  firmware: string;
  last_trace: number;
  requests: number;
  last_seen: number | null;
}

export function terminals(db: Db): TerminalLine[] {
  return db.prepare(
    `SELECT t.id, t.merchant_id, t.status, t.firmware, t.last_trace,
       (SELECT COUNT(*) FROM requests r WHERE r.terminal_id = t.id) AS requests,
       (SELECT MAX(received_at) FROM requests r WHERE r.terminal_id = t.id) AS last_seen
     FROM terminals t ORDER BY t.created_at`,
  ).all() as TerminalLine[];
}

export interface TransactionLine {
  id: number;
  received_at: number;
  terminal_id: string | null;
  trace: number | null;
  amount: number | null;
  currency: string | null;
  outcome: string | null;
  reason: string | null;
  score: number | null;
  account: string | null;
  state: string | null;
  retry_of: number | null;
}

export function transactions(db: Db, filter: { terminal?: string; account?: string; limit: number }): TransactionLine[] {
  return db.prepare(
    `SELECT r.id, r.received_at, r.terminal_id, r.trace, r.amount, r.currency, d.outcome, d.reason, a.score, p.account, p.state, r.retry_of
     FROM requests r LEFT JOIN decisions d ON d.request_id = r.id LEFT JOIN risk_assessments a ON a.request_id = r.id
       LEFT JOIN payments p ON p.request_id = r.id
     WHERE (@terminal IS NULL OR r.terminal_id = @terminal) AND (@account IS NULL OR p.account = @account)
     ORDER BY r.id DESC LIMIT @limit`,
  ).all({ terminal: filter.terminal ?? null, account: filter.account ?? null, limit: filter.limit }) as TransactionLine[];
}

export interface DecisionDetail {
  request: TransactionLine & { location_status: string | null; latitude: number | null; longitude: number | null; firmware?: string };
  assessment?: { score: number; customer_score: number; acceptance_score: number; outcome: string; reason: string; config: string; factors: Fired[] };
  stepUp?: { id: string; state: string; final_outcome: string | null; final_reason: string | null; resolved_at: number | null };
  report?: { id: number; reported_at: number; reported_by: string; action: string; note: string };
  compensation?: { id: number; kind: string; amount: number; state: string; credited_at: number | null };
}

export function decision(db: Db, requestId: number): DecisionDetail | undefined {
  const request = db.prepare(
    `SELECT r.id, r.received_at, r.terminal_id, r.trace, r.amount, r.currency, d.outcome, d.reason, NULL AS score, p.account, p.state, r.retry_of,
       r.location_status, r.latitude, r.longitude
     FROM requests r LEFT JOIN decisions d ON d.request_id = r.id LEFT JOIN payments p ON p.request_id = r.id WHERE r.id = ?`,
  ).get(requestId) as DecisionDetail['request'] | undefined;
  if (!request) return undefined;
  const detail: DecisionDetail = { request };
  const assessment = db.prepare('SELECT score, customer_score, acceptance_score, outcome, reason, config, factors FROM risk_assessments WHERE request_id = ?')
    .get(requestId) as (Omit<NonNullable<DecisionDetail['assessment']>, 'factors'> & { factors: string }) | undefined;
  if (assessment) {
    detail.assessment = { ...assessment, factors: JSON.parse(assessment.factors) as Fired[] };
    detail.request.score = assessment.score;
  }
  const stepUp = db.prepare('SELECT id, state, final_outcome, final_reason, resolved_at FROM step_ups WHERE request_id = ?').get(requestId) as DecisionDetail['stepUp'];
  if (stepUp) detail.stepUp = stepUp;
  const report = db.prepare('SELECT id, reported_at, reported_by, action, note FROM reports WHERE request_id = ?').get(requestId) as DecisionDetail['report'];
  if (report) {
    detail.report = report;
    const compensation = db.prepare('SELECT id, kind, amount, state, credited_at FROM compensations WHERE report_id = ?').get(report.id) as DecisionDetail['compensation'];
    if (compensation) detail.compensation = compensation;
  }
  return detail;
}

export interface OutboxLine {
  id: number;
  channel: string;
  account: string;
  kind: string;
  state: string;
  attempts: number;
  created_at: number;
  delivered_at: number | null;
  last_error: string | null;
}

export function notifications(db: Db, state: string | undefined, limit: number): OutboxLine[] {
  return db.prepare(
    `SELECT id, channel, account, kind, state, attempts, created_at, delivered_at, last_error FROM notifications
     WHERE (@state IS NULL OR state = @state) ORDER BY id DESC LIMIT @limit`,
  ).all({ state: state ?? null, limit }) as OutboxLine[];
}

export interface CompensationLine {
  id: number;
  request_id: number;
  account: string;
  kind: string;
  amount: number;
  currency: string;
  state: string;
  reported_at: number;
  credited_at: number | null;
}

export function compensations(db: Db): CompensationLine[] {
  return db.prepare(
    `SELECT c.id, r.request_id, r.account, c.kind, c.amount, c.currency, c.state, r.reported_at, c.credited_at
     FROM compensations c JOIN reports r ON r.id = c.report_id ORDER BY c.id`,
  ).all() as CompensationLine[];
}
