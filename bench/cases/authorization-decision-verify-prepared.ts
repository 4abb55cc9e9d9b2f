// The terminal's check of a decision with the authorizer's key prepared (its fixed-window table made in idle time, as
// the terminal does it): decode, ES256 signature through the table, binding, freshness. The docs/authorization.md vector.
import { verifyDecision, type Expectation } from '../../src/authorization/decision';
import { PreparedKeys } from '../../src/crypto/prepared-keys';
import { prepare as vectorCase } from './authorization-decision-verify';

export function prepare(): { decision: Uint8Array; expectation: Expectation } {
  const state = vectorCase();
  const keys = new PreparedKeys(2, undefined, 'windows');
  const authorizer = state.expectation.authorizer as { alg: 'ES256'; publicKey: Uint8Array };
  if (!keys.prepare(authorizer.alg, authorizer.publicKey)) throw new Error('the vector key must prepare');
  return { decision: state.decision, expectation: { ...state.expectation, verify: (alg, key, message, signature) => keys.verify(alg, key, message, signature) } };
}

export function op(state: { decision: Uint8Array; expectation: Expectation }): void {
  if (!verifyDecision(state.decision, state.expectation).ok) throw new Error('the vector decision must verify');
}
