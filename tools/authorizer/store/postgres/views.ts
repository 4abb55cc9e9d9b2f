/**
 * The operator's read models on PostgreSQL, as plain rows: terminals,
 * transactions (every request with its decision, score and payment state),
 * one decision's factors and journal, the outbox and the compensations.
 */
import type { CompensationLine, DecisionDetail, OperatorViews, OutboxLine, TerminalLine, TransactionLine } from '../ports';
import type { Query } from './database';

export function postgresViews(q: Query): OperatorViews {
  return {
    async terminals() {
      return (await q<TerminalLine>(
        `SELECT t.id, t.merchant_id, t.status, t.firmware, t.last_trace,
           (SELECT COUNT(*) FROM requests r WHERE r.terminal_id = t.id) AS requests,
           (SELECT MAX(received_at) FROM requests r WHERE r.terminal_id = t.id) AS last_seen
         FROM terminals t ORDER BY t.created_at, t.enrolled_seq`,
      )).rows;
    },
    async transactions(filter) {
      return (await q<TransactionLine>(
        `SELECT r.id, r.received_at, r.terminal_id, r.trace, r.amount, r.currency, d.outcome, d.reason, a.score, p.account, p.state, r.retry_of
         FROM requests r LEFT JOIN decisions d ON d.request_id = r.id LEFT JOIN risk_assessments a ON a.request_id = r.id
           LEFT JOIN payments p ON p.request_id = r.id
         WHERE ($1::text IS NULL OR r.terminal_id = $1) AND ($2::text IS NULL OR p.account = $2)
         ORDER BY r.id DESC LIMIT $3`,
        [filter.terminal ?? null, filter.account ?? null, filter.limit],
      )).rows;
    },
    async decision(requestId) {
      const request = (await q<DecisionDetail['request']>(
        `SELECT r.id, r.received_at, r.terminal_id, r.trace, r.amount, r.currency, d.outcome, d.reason, NULL::integer AS score, p.account, p.state,
           r.retry_of, r.location_status, r.latitude, r.longitude
         FROM requests r LEFT JOIN decisions d ON d.request_id = r.id LEFT JOIN payments p ON p.request_id = r.id WHERE r.id = $1`,
        [requestId],
      )).rows[0];
      if (!request) return undefined;
      const journal = (await q<DecisionDetail['journal'][number]>(
        'SELECT from_state AS "from", to_state AS "to", cause, detail, at FROM payment_events WHERE request_id = $1 ORDER BY id', [requestId],
      )).rows;
      const detail: DecisionDetail = { request, journal };
      const assessment = (await q<Omit<NonNullable<DecisionDetail['assessment']>, 'factors'> & { factors: string }>(
        'SELECT score, customer_score, acceptance_score, outcome, reason, config, factors FROM risk_assessments WHERE request_id = $1', [requestId],
      )).rows[0];
      if (assessment) {
        detail.assessment = { ...assessment, factors: JSON.parse(assessment.factors) as NonNullable<DecisionDetail['assessment']>['factors'] };
        detail.request.score = assessment.score;
      }
      const stepUp = (await q<NonNullable<DecisionDetail['stepUp']>>(
        'SELECT id, state, final_outcome, final_reason, resolved_at FROM step_ups WHERE request_id = $1', [requestId],
      )).rows[0];
      if (stepUp) detail.stepUp = stepUp;
      const report = (await q<NonNullable<DecisionDetail['report']>>(
        'SELECT id, reported_at, reported_by, action, note FROM reports WHERE request_id = $1', [requestId],
      )).rows[0];
      if (report) {
        detail.report = report;
        const compensation = (await q<NonNullable<DecisionDetail['compensation']>>(
          'SELECT id, kind, amount, state, credited_at FROM compensations WHERE report_id = $1', [report.id],
        )).rows[0];
        if (compensation) detail.compensation = compensation;
      }
      return detail;
    },
    async notifications(state, limit) {
      return (await q<OutboxLine>(
        `SELECT id, channel, account, kind, state, attempts, created_at, delivered_at, last_error FROM notifications
         WHERE ($1::text IS NULL OR state = $1) ORDER BY id DESC LIMIT $2`,
        [state ?? null, limit],
      )).rows;
    },
    async compensations() {
      return (await q<CompensationLine>(
        `SELECT c.id, r.request_id, r.account, c.kind, c.amount, c.currency, c.state, r.reported_at, c.credited_at
         FROM compensations c JOIN reports r ON r.id = c.report_id ORDER BY c.id`,
      )).rows;
    },
  };
}
