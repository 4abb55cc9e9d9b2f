/**
 * Showing the outcome and moving the actuator. The actuator fires only for a
 * verified acceptance (an approval, or a hold: accepted with the funds pending
 * review, docs/authorizer.md) and only through `fireOnce`, which a decision can
 * pass exactly one time.
 */
import type { Actuator } from '../../hal/actuator';
import type { Indicators, Tone } from '../../hal/indicators';
import type { Actuation } from './config';
import type { DecisionOutcome } from './decision';

const titles: Record<DecisionOutcome, string> = {
  approved: 'APPROVED',
  declined: 'DECLINED',
  held: 'ON HOLD',
  'step-up': 'CONFIRM IN APP',
  'no-answer': 'NOT APPROVED',
};

const tones: Record<DecisionOutcome, Tone> = {
  approved: 'success',
  declined: 'failure',
  held: 'attention',
  'step-up': 'attention',
  'no-answer': 'failure',
};

export function titleOf(outcome: DecisionOutcome): string {
  return titles[outcome];
}

export function show(indicators: Indicators | undefined, title: string, detail: string, tone: Tone): void {
  if (!indicators) return;
  indicators.display({ title, detail });
  indicators.light(tone);
  if (tone !== 'busy' && tone !== 'idle') indicators.beep(tone);
}

export function showOutcome(indicators: Indicators | undefined, outcome: DecisionOutcome, detail: string): void {
  show(indicators, titles[outcome], detail, tones[outcome]);
}

/**
 * One-shot actuation: the returned function runs the actuator the first time
 * it is called and does nothing after, so no code path can fire twice for one
 * approval.
 */
export function fireOnce(actuator: Actuator | undefined, actuation: Actuation): () => Promise<boolean> {
  let fired = false;
  return async () => {
    if (fired || !actuator || actuation.kind === 'none') return false;
    fired = true;
    if (actuation.kind === 'hold') await actuator.hold(actuation.ms);
    else await actuator.pulse(actuation.train);
    return true;
  };
}
