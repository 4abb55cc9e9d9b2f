/**
 * The test vectors of docs/authorization.md decode and verify the same way on
 * Node and on XS; flipping any one byte of the decision makes it unusable.
 */
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '@noble/hashes/utils.js';
import { requestHash, verifyDecision } from '../../../src/authorization/decision';
import { openEnrollmentRequest, verifyEnrollmentAnswer } from '../../../src/authorization/enrollment';
import { openRequest } from '../../../src/authorization/request';
import { signedBy } from '../../../src/authorization/envelope';
import { openReversal, verifyReversalAck } from '../../../src/authorization/reversal';
import { openInstruction, verifyInstructionResult } from '../../../src/authorization/instruction';
import { openAdvice } from '../../../src/authorization/advice';
import { openBatch, verifyBatchAck } from '../../../src/authorization/offline-batch';
import { WorkQueue, workKey } from '../../../src/terminal/work-queue';
import { MemoryStorage } from '../../../hal/portable/memory-storage';
import { openDenyList } from '../../../src/paycode/operator-list';
import { checkVoucher } from '../../../src/authorization/voucher';
import { keyThumbprint, verifyKeyRotation } from '../../../src/authorization/key-rotation';
import { vectorHex, vectorKeys } from './vectors';

const bytes = {
  enrollmentRequest: hexToBytes(vectorHex.enrollmentRequest),
  enrollmentAnswer: hexToBytes(vectorHex.enrollmentAnswer),
  request: hexToBytes(vectorHex.request),
  decision: hexToBytes(vectorHex.decision),
  provisionedEnrollmentRequest: hexToBytes(vectorHex.provisionedEnrollmentRequest),
  reversal: hexToBytes(vectorHex.reversal),
  reversalAck: hexToBytes(vectorHex.reversalAck),
  refund: hexToBytes(vectorHex.refund),
  refundResult: hexToBytes(vectorHex.refundResult),
  close: hexToBytes(vectorHex.close),
  closeResult: hexToBytes(vectorHex.closeResult),
  advice: hexToBytes(vectorHex.advice),
  journalEntry: hexToBytes(vectorHex.journalEntry),
  offlineBatch: hexToBytes(vectorHex.offlineBatch),
  offlineBatchAck: hexToBytes(vectorHex.offlineBatchAck),
  denyList: hexToBytes(vectorHex.denyList),
  keyRotation: hexToBytes(vectorHex.keyRotation),
  rotatedDecision: hexToBytes(vectorHex.rotatedDecision),
};
const rotatedAuthorizer = { alg: 'ES256' as const, publicKey: hexToBytes(vectorKeys.rotatedAuthorizer) };
const terminal = { alg: 'ES256' as const, publicKey: hexToBytes(vectorKeys.terminal) };
const authorizer = { alg: 'ES256' as const, publicKey: hexToBytes(vectorKeys.authorizer) };
const localTime = Date.UTC(2026, 10, 25, 9, 0, 0);

describe('authorization vectors', () => {
  it('the enrollment request proves possession of the key it introduces', () => {
    const { request, possession } = openEnrollmentRequest(bytes.enrollmentRequest);
    expect(possession).toBe(true);
    expect(request.key).toEqual(terminal);
    expect(request.device).toEqual({ model: 'qrpay-sim', serial: 'SN-0001', firmware: '0.1.0', board: 'simulator' });
  });

  it('the enrollment request with a provisioning token carries it inside what the new key signed', () => {
    const { request, possession } = openEnrollmentRequest(bytes.provisionedEnrollmentRequest);
    expect(possession).toBe(true);
    expect(request.key).toEqual(terminal);
    expect(request.provisioningToken).toEqual(hexToBytes('5920765b3c7d99ca412a3eb2c2657441'));
    expect(openEnrollmentRequest(bytes.enrollmentRequest).request.provisioningToken).toBeUndefined();
  });

  it('the voucher verifies with the operator key until it expires, and rides in field 4 of an enrollment request', () => {
    const operator = { alg: 'ES256' as const, publicKey: hexToBytes(vectorKeys.operator) };
    const voucher = hexToBytes(vectorHex.voucher);
    expect(checkVoucher(voucher, operator, localTime)).toEqual({
      ok: true, voucher: { id: hexToBytes('dece4a4b7bc53cfea6f61824d041985c'), merchantId: 'M-DEMO', siteId: 'S-REPUBLIQUE', issuedAt: localTime, expiresAt: localTime + 7 * 86_400_000 },
    });
    expect(checkVoucher(voucher, operator, localTime + 7 * 86_400_000)).toMatchObject({ ok: false, problem: 'expired' });
    expect(checkVoucher(voucher, authorizer, localTime)).toMatchObject({ ok: false, problem: 'forged' });
    const { request, possession } = openEnrollmentRequest(hexToBytes(vectorHex.voucherEnrollmentRequest));
    expect(possession).toBe(true);
    expect(request.provisioningToken).toEqual(voucher);
  });

  it('the enrollment answer verifies against its request and the pinned key', () => {
    const result = verifyEnrollmentAnswer(bytes.enrollmentAnswer, bytes.enrollmentRequest, authorizer);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.answer).toMatchObject({ status: 'approved', terminalId: 'T0123456789', limits: { maxAmount: 50_000 } });
    expect(result.answer.merchant).toMatchObject({ name: 'Cafe Lumiere', currency: 'EUR', site: { latitude: 48.8675, longitude: 2.3638, radius: 250 } });
    const other = verifyEnrollmentAnswer(bytes.enrollmentAnswer, bytes.request, authorizer);
    expect(other).toMatchObject({ ok: false, problem: 'wrong-request' });
  });

  it('the request decodes to its fields and is signed by the terminal', () => {
    const { request, envelope } = openRequest(bytes.request);
    expect(signedBy(envelope, terminal)).toBe(true);
    expect(request).toMatchObject({ terminalId: 'T0123456789', trace: 42, amount: 450, currency: 'EUR', purpose: 'counter-sale', reference: 'order-1' });
    expect(request.location).toMatchObject({ status: 'fix', latitude: 48.8675352, longitude: 2.3637705, accuracy: 4.2, altitude: 41.2, age: 800 });
    expect(request.verdict.codeId).toEqual(Uint8Array.of(0x84, 0x47, 0x11, 0xa3, 0x69, 0x90));
  });

  it('the decision verifies for its request, and for nothing else', () => {
    const expectation = { authorizer, requestHash: requestHash(bytes.request), terminalId: 'T0123456789', trace: 42, now: localTime + 1000, maxSkew: 120_000 };
    const ok = verifyDecision(bytes.decision, expectation);
    expect(ok).toMatchObject({ ok: true, decision: { outcome: 'approved', approvalCode: 'K7Q2ZP', display: 'Approved' } });
    expect(verifyDecision(bytes.decision, { ...expectation, trace: 43 })).toMatchObject({ ok: false, problem: 'wrong-request' });
    expect(verifyDecision(bytes.decision, { ...expectation, requestHash: requestHash(bytes.enrollmentRequest) })).toMatchObject({ ok: false, problem: 'wrong-request' });
    expect(verifyDecision(bytes.decision, { ...expectation, now: localTime + 10 * 60_000 })).toMatchObject({ ok: false, problem: 'stale' });
    expect(verifyDecision(bytes.decision, { ...expectation, authorizer: terminal })).toMatchObject({ ok: false, problem: 'bad-signature' });
  });

  it('no single-byte change of the decision is ever accepted', () => {
    const expectation = { authorizer, requestHash: requestHash(bytes.request), terminalId: 'T0123456789', trace: 42, now: localTime, maxSkew: 120_000 };
    // Every 7th byte keeps this quick on XS (each try is a P-256 verification at most).
    for (let i = 0; i < bytes.decision.length; i += 7) {
      const bent = bytes.decision.slice();
      bent[i] ^= 0x01;
      expect(verifyDecision(bent, expectation).ok).toBe(false);
    }
  });

  it('the reversal names the request by its hash and is signed by the terminal; its acknowledgement verifies for it only', () => {
    const { reversal, envelope } = openReversal(bytes.reversal);
    expect(signedBy(envelope, terminal)).toBe(true);
    expect(reversal).toEqual({ terminalId: 'T0123456789', trace: 42, requestHash: requestHash(bytes.request), reason: 'no-answer', localTime: localTime + 12_500 });
    const target = { authorizer, terminalId: 'T0123456789', trace: 42, requestHash: requestHash(bytes.request) };
    expect(verifyReversalAck(bytes.reversalAck, target)).toMatchObject({ ok: true, ack: { effect: 'voided', issuedAt: localTime + 12_620 } });
    expect(verifyReversalAck(bytes.reversalAck, { ...target, trace: 43 })).toMatchObject({ ok: false, problem: 'wrong-reversal' });
    expect(verifyReversalAck(bytes.reversalAck, { ...target, requestHash: requestHash(bytes.decision) })).toMatchObject({ ok: false, problem: 'wrong-reversal' });
    expect(verifyReversalAck(bytes.reversalAck, { ...target, authorizer: terminal })).toMatchObject({ ok: false, problem: 'bad-signature' });
    // A decision is not an acknowledgement, though the same key signed both.
    expect(verifyReversalAck(bytes.decision, target)).toMatchObject({ ok: false, problem: 'garbled' });
    for (let i = 0; i < bytes.reversalAck.length; i += 5) {
      const bent = bytes.reversalAck.slice();
      bent[i] ^= 0x01;
      expect(verifyReversalAck(bent, target).ok).toBe(false);
    }
  });

  it('the refund and the batch close are signed by the terminal; their results verify for exactly those bytes', () => {
    const refund = openInstruction(bytes.refund);
    expect(signedBy(refund.envelope, terminal)).toBe(true);
    expect(refund.instruction).toEqual({
      terminalId: 'T0123456789', trace: 43, action: 'refund', target: { trace: 42, requestHash: requestHash(bytes.request) }, amount: 120, localTime: localTime + 60_000,
    });
    const close = openInstruction(bytes.close);
    expect(close.instruction.batch).toEqual({ number: 7, items: [{ trace: 42, kind: 'sale', amount: 450, currency: 'EUR' }, { trace: 43, kind: 'refund', amount: 120, currency: 'EUR' }] });
    const expect43 = { authorizer, terminalId: 'T0123456789', trace: 43, instruction: bytes.refund };
    expect(verifyInstructionResult(bytes.refundResult, expect43)).toMatchObject({ ok: true, result: { outcome: 'done', amount: 120 } });
    expect(verifyInstructionResult(bytes.refundResult, { ...expect43, instruction: bytes.close })).toMatchObject({ ok: false, problem: 'wrong-instruction' });
    expect(verifyInstructionResult(bytes.refundResult, { ...expect43, authorizer: terminal })).toMatchObject({ ok: false, problem: 'bad-signature' });
    const closed = verifyInstructionResult(bytes.closeResult, { authorizer, terminalId: 'T0123456789', trace: 44, instruction: bytes.close });
    expect(closed).toMatchObject({ ok: true, result: { reason: 'out-of-balance', settlement: { balanced: false, differences: [{ trace: 41, terminal: null, authorizer: { kind: 'sale', amount: 300 } }] } } });
    for (let i = 0; i < bytes.refundResult.length; i += 5) {
      const bent = bytes.refundResult.slice();
      bent[i] ^= 0x01;
      expect(verifyInstructionResult(bent, expect43).ok).toBe(false);
    }
  });

  it('the offline advice carries the request exactly as signed, and is signed by the terminal', () => {
    const { envelope, advice, request } = openAdvice(bytes.advice);
    expect(signedBy(envelope, terminal)).toBe(true);
    expect(advice).toEqual({ terminalId: 'T0123456789', trace: 42, request: bytes.request, approvedAt: localTime + 12_400 });
    expect(signedBy(request.envelope, terminal)).toBe(true);
  });

  it('the journal entry holds the advice, its amount, currency and credential, under a CRC that catches any change', () => {
    const store = new MemoryStorage().open({ path: 'qrpay' });
    store.write(workKey(42), bytes.journalEntry);
    const queue = new WorkQueue(store);
    expect(queue.entries()).toEqual({
      entries: [{ trace: 42, kind: 'offline', bytes: bytes.advice, amount: 450, currency: 'EUR', detail: 'a1b2/c0000001' }], damaged: [],
    });
    const last = bytes.journalEntry.length - 1;
    store.write(workKey(42), Uint8Array.from(bytes.journalEntry, (byte, i) => (i === last ? byte ^ 1 : byte)));
    expect(queue.entries(true).damaged).toMatchObject([{ trace: 42, problem: 'tampered' }]);
    store.write(workKey(42), bytes.journalEntry.subarray(0, 300));
    expect(queue.entries(true).damaged).toMatchObject([{ trace: 42, problem: 'truncated' }]);
  });

  it('the offline batch carries the advice as signed, and is signed by the terminal', () => {
    const { envelope, batch } = openBatch(bytes.offlineBatch);
    expect(signedBy(envelope, terminal)).toBe(true);
    expect(batch).toEqual({ terminalId: 'T0123456789', advices: [bytes.advice], sentAt: localTime + 600_000 });
  });

  it('the acknowledgement verifies for that batch only, and its entry is a decision on the advice\'s request naming the list versions', () => {
    const expectation = { authorizer, terminalId: 'T0123456789', batch: bytes.offlineBatch, advices: 1 };
    const verified = verifyBatchAck(bytes.offlineBatchAck, expectation);
    expect(verified.ok).toBe(true);
    if (!verified.ok) return;
    const entry = verified.ack.entries[0] as Uint8Array;
    const decision = verifyDecision(entry, { authorizer, requestHash: requestHash(bytes.request), terminalId: 'T0123456789', trace: 42, now: localTime, maxSkew: Number.MAX_SAFE_INTEGER });
    expect(decision).toMatchObject({ ok: true, decision: { outcome: 'approved', approvalCode: 'W8N4TE', lists: { trust: 2_020_417, deny: 5_020_417 } } });
    expect(verifyBatchAck(bytes.offlineBatchAck, { ...expectation, batch: bytes.advice })).toMatchObject({ ok: false, problem: 'wrong-batch' });
    expect(verifyBatchAck(bytes.offlineBatchAck, { ...expectation, advices: 2 })).toMatchObject({ ok: false, problem: 'wrong-batch' });
    expect(verifyBatchAck(bytes.offlineBatchAck, { ...expectation, authorizer: terminal })).toMatchObject({ ok: false, problem: 'bad-signature' });
  });

  it('the deny list carries its revocations in one run and the default offline limits', () => {
    const operator = { alg: 'ES256' as const, publicKey: hexToBytes(vectorKeys.operator) };
    const opened = openDenyList(bytes.denyList, operator);
    expect(opened.ok).toBe(true);
    if (!opened.ok) return;
    expect(opened.content.offlineLimits).toEqual({ floorLimit: 2500, maxCount: 10, maxTotal: 10_000, maxPerCredential: 4000, maxListAge: 86_400_000 });
    expect(opened.content.revokedCredentials.size).toBe(2);
    expect(opened.content.revokedCredentials.has(Uint8Array.of(0xa1, 0xb2), Uint8Array.of(0xc0, 0, 0, 7))).toBe(true);
    expect(opened.content.revokedCredentials.has(Uint8Array.of(0xa1, 0xb2), Uint8Array.of(0xc0, 0, 0, 1))).toBe(false);
  });

  it('the key rotation leads from the first decision key to the second, and that key\'s decision verifies under it only', () => {
    const first = { key: authorizer, generation: 1, from: 0 };
    const rotated = verifyKeyRotation(bytes.keyRotation, first);
    expect(rotated).toMatchObject({ ok: true, rotation: { key: rotatedAuthorizer, generation: 2, from: localTime + 3_600_000, issuedAt: localTime } });
    if (!rotated.ok) return;
    expect(rotated.rotation.kid).toEqual(keyThumbprint(rotatedAuthorizer));
    expect(verifyKeyRotation(bytes.keyRotation, { key: terminal, generation: 1, from: 0 })).toMatchObject({ ok: false, problem: 'bad-signature' });
    expect(verifyKeyRotation(bytes.keyRotation, { key: rotatedAuthorizer, generation: 2, from: 0 })).toMatchObject({ ok: false, problem: 'old' });
    const expectation = { requestHash: requestHash(bytes.request), terminalId: 'T0123456789', trace: 42, now: localTime, maxSkew: 60_000 };
    expect(verifyDecision(bytes.rotatedDecision, { ...expectation, authorizer: rotatedAuthorizer })).toMatchObject({ ok: true, decision: { approvalCode: 'K7Q2ZP' } });
    expect(verifyDecision(bytes.rotatedDecision, { ...expectation, authorizer })).toMatchObject({ ok: false, problem: 'bad-signature' });
    // Within an overlap either key may have signed: the one that did is found.
    expect(verifyDecision(bytes.decision, { ...expectation, authorizer: [rotatedAuthorizer, authorizer] }).ok).toBe(true);
    for (const at of [20, 120, bytes.keyRotation.length - 10]) {
      const flipped = bytes.keyRotation.slice();
      flipped[at] ^= 1;
      expect(verifyKeyRotation(flipped, first).ok).toBe(false);
    }
  });
});
