/**
 * The operator's read models, as plain rows: terminals, transactions (every
 * request with its decision, score and payment state), one decision's
 * factors and journal, the outbox and the compensations.
 */
import type { DecisionDetail, OperatorViews, TransactionLine } from '../ports';
import type { Db } from './database';

export function sqliteViews(db: Db): OperatorViews {
  return {
    async terminals() {
      return db.prepare(
        `SELECT t.id, t.merchant_id, t.status, t.firmware, t.last_trace,
           (SELECT COUNT(*) FROM requests r WHERE r.terminal_id = t.id) AS requests,
           (SELECT MAX(received_at) FROM requests r WHERE r.terminal_id = t.id) AS last_seen
         FROM terminals t ORDER BY t.created_at`,
      ).all() as Awaited<ReturnType<OperatorViews['terminals']>>;
    },
    async transactions(filter) {
      return db.prepare(
        `SELECT r.id, r.received_at, r.terminal_id, r.trace, r.amount, r.currency, d.outcome, d.reason, a.score, p.account, p.state, r.retry_of
         FROM requests r LEFT JOIN decisions d ON d.request_id = r.id LEFT JOIN risk_assessments a ON a.request_id = r.id
           LEFT JOIN payments p ON p.request_id = r.id
         WHERE (@terminal IS NULL OR r.terminal_id = @terminal) AND (@account IS NULL OR p.account = @account)
         ORDER BY r.id DESC LIMIT @limit`,
      ).all({ terminal: filter.terminal ?? null, account: filter.account ?? null, limit: filter.limit }) as TransactionLine[];
    },
    async decision(requestId) {
      const request = db.prepare(
        `SELECT r.id, r.received_at, r.terminal_id, r.trace, r.amount, r.currency, d.outcome, d.reason, NULL AS score, p.account, p.state, r.retry_of,
           r.location_status, r.latitude, r.longitude
         FROM requests r LEFT JOIN decisions d ON d.request_id = r.id LEFT JOIN payments p ON p.request_id = r.id WHERE r.id = ?`,
      ).get(requestId) as DecisionDetail['request'] | undefined;
      if (!request) return undefined;
      const journal = db.prepare('SELECT from_state AS "from", to_state AS "to", cause, detail, at FROM payment_events WHERE request_id = ? ORDER BY id')
        .all(requestId) as DecisionDetail['journal'];
      const detail: DecisionDetail = { request, journal };
      const assessment = db.prepare('SELECT score, customer_score, acceptance_score, outcome, reason, config, factors FROM risk_assessments WHERE request_id = ?')
        .get(requestId) as (Omit<NonNullable<DecisionDetail['assessment']>, 'factors'> & { factors: string }) | undefined;
      if (assessment) {
        detail.assessment = { ...assessment, factors: JSON.parse(assessment.factors) as NonNullable<DecisionDetail['assessment']>['factors'] };
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
    },
    async notifications(state, limit) {
      return db.prepare(
        `SELECT id, channel, account, kind, state, attempts, created_at, delivered_at, last_error FROM notifications
         WHERE (@state IS NULL OR state = @state) ORDER BY id DESC LIMIT @limit`,
      ).all({ state: state ?? null, limit }) as Awaited<ReturnType<OperatorViews['notifications']>>;
    },
    async compensations() {
      return db.prepare(
        `SELECT c.id, r.request_id, r.account, c.kind, c.amount, c.currency, c.state, r.reported_at, c.credited_at
         FROM compensations c JOIN reports r ON r.id = c.report_id ORDER BY c.id`,
      ).all() as Awaited<ReturnType<OperatorViews['compensations']>>;
    },
  };
}
