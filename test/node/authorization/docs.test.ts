/**
 * docs/authorization.md, the vector module the XS lane checks, and the code
 * agree: fixed keys and inputs give exactly the bytes in the doc.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { vectorHex, vectorKeys } from '../../core/authorization/vectors';
import { authorizerKey, operatorKey, rotatedAuthorizerKey, terminalKey, vectors } from '../../support/authorization-vectors';

const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'authorization.md'), 'utf8');

function docVector(name: string): string {
  const match = new RegExp(`<!-- vector: ${name} -->\\s*\`\`\`hex\\n([0-9a-f\\n]+)\`\`\``).exec(doc);
  if (!match) throw new Error(`docs/authorization.md has no vector ${name}`);
  return match[1].replace(/\n/g, '');
}

describe('docs/authorization.md test vectors', () => {
  const generated = vectors();
  for (const name of ['enrollmentRequest', 'enrollmentAnswer', 'request', 'decision', 'reversal', 'reversalAck', 'refund', 'refundResult', 'close', 'closeResult', 'advice', 'provisionedEnrollmentRequest', 'journalEntry', 'offlineBatch', 'offlineBatchAck', 'denyList', 'voucher', 'voucherEnrollmentRequest', 'keyRotation', 'rotatedDecision'] as const) {
    it(`${name}: the doc shows exactly what the code produces`, () => {
      const hex = bytesToHex(generated[name]);
      expect(docVector(name)).toBe(hex);
      expect(vectorHex[name]).toBe(hex);
    });
  }

  it('names the keys that made them', () => {
    const keys = { terminal: terminalKey, authorizer: authorizerKey, operator: operatorKey, rotatedAuthorizer: rotatedAuthorizerKey };
    for (const name of ['terminal', 'authorizer', 'operator', 'rotatedAuthorizer'] as const) {
      const hex = bytesToHex(keys[name].publicKey.publicKey);
      expect(docVector(name)).toBe(hex);
      expect(vectorKeys[name]).toBe(hex);
    }
  });
});
