/** Points to outcome (tools/authorizer/domain/risk/judgement.ts scoreOf), for any factors and thresholds. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Fired } from '../../tools/authorizer/domain/risk/factors';
import { scoreOf } from '../../tools/authorizer/domain/risk/judgement';

const severity = { approved: 0, held: 1, 'step-up': 2, declined: 3 } as const;
const fired = fc.record({
  name: fc.constantFrom('a', 'b', 'c'),
  side: fc.constantFrom('customer', 'acceptance', 'rule') as fc.Arbitrary<Fired['side']>,
  points: fc.integer({ min: 0, max: 120 }),
  detail: fc.constant('x'),
});
const thresholds = fc.record({ stepUp: fc.integer({ min: 0, max: 150 }), hold: fc.integer({ min: 0, max: 150 }), decline: fc.integer({ min: 0, max: 300 }) });

describe('scoreOf', () => {
  it('follows the table: decline on the total, then step-up on customer points, then hold on acceptance points', () => {
    fc.assert(fc.property(fc.array(fired, { maxLength: 8 }), thresholds, (factors, t) => {
      const a = scoreOf(factors, t);
      const sum = (side: string) => factors.filter((f) => f.side === side).reduce((n, f) => n + f.points, 0);
      expect(a.customerScore).toBe(sum('customer'));
      expect(a.acceptanceScore).toBe(sum('acceptance'));
      expect(a.score).toBe(a.customerScore + a.acceptanceScore);
      const expected = a.score >= t.decline ? 'declined' : a.customerScore >= t.stepUp ? 'step-up' : a.acceptanceScore >= t.hold ? 'held' : 'approved';
      expect(a.outcome).toBe(expected);
    }));
  });

  it('never gets milder when a factor fires too', () => {
    fc.assert(fc.property(fc.array(fired, { maxLength: 8 }), fired, thresholds, (factors, extra, t) => {
      expect(severity[scoreOf([...factors, extra], t).outcome]).toBeGreaterThanOrEqual(severity[scoreOf(factors, t).outcome]);
    }));
  });

  it('ignores protocol-rule entries', () => {
    expect(scoreOf([{ name: 'replayed', side: 'rule', points: 500, detail: '' }], { stepUp: 40, hold: 40, decline: 100 }).outcome).toBe('approved');
  });
});
