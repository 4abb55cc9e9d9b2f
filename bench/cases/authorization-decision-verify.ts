// The terminal's check of a decision (docs/authorization.md vector): decode, ES256 signature, binding, freshness.
import { hexToBytes } from '@noble/hashes/utils.js';
import { requestHash, verifyDecision, type Expectation } from '../../src/authorization/decision';
import { vectorHex, vectorKeys } from '../../test/core/authorization/vectors';

export function prepare(): { decision: Uint8Array; expectation: Expectation } {
  return {
    decision: hexToBytes(vectorHex.decision),
    expectation: {
      authorizer: { alg: 'ES256', publicKey: hexToBytes(vectorKeys.authorizer) },
      requestHash: requestHash(hexToBytes(vectorHex.request)),
      terminalId: 'T0123456789',
      trace: 42,
      now: Date.UTC(2026, 10, 25, 9, 0, 1),
      maxSkew: 120_000,
    },
  };
}

export function op(state: { decision: Uint8Array; expectation: Expectation }): void {
  if (!verifyDecision(state.decision, state.expectation).ok) throw new Error('the vector decision must verify');
}
