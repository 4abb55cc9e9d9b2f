/**
 * The authorization protocol's test vectors (docs/authorization.md): fixed
 * keys and fixed inputs. ES256 signing is deterministic (RFC 6979), so the
 * bytes are too. Node-only (signs with the authorizer's software key helper).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { signDecision, requestHash } from '../../src/authorization/decision';
import { signEnrollmentAnswer, signEnrollmentRequest } from '../../src/authorization/enrollment';
import { signRequest } from '../../src/authorization/request';
import { signReversal, signReversalAck } from '../../src/authorization/reversal';
import { instructionHash, signInstruction, signInstructionResult } from '../../src/authorization/instruction';
import { signAdvice } from '../../src/authorization/advice';
import { batchHash, signBatch, signBatchAck } from '../../src/authorization/offline-batch';
import { encodeWorkEntry } from '../../src/terminal/work-queue';
import { encodeDenyList } from '../../src/paycode/operator-encode';
import { defaultOfflineLimits } from '../../src/authorization/enrollment';
import { signVoucher } from '../../src/authorization/voucher';
import { es256Key } from '../../tools/authorizer/keys';
import { keyThumbprint, signKeyRotation } from '../../src/authorization/key-rotation';

export const terminalKey = es256Key(sha256(utf8ToBytes('qrpay vector terminal key')));
export const authorizerKey = es256Key(sha256(utf8ToBytes('qrpay vector authorizer key')));
export const operatorKey = es256Key(sha256(utf8ToBytes('qrpay vector operator key')));
/** The authorizer's second decision key (generation 2), naming itself by its RFC 9679 thumbprint. */
const rotated = es256Key(sha256(utf8ToBytes('qrpay vector authorizer key 2')));
export const rotatedAuthorizerKey = { ...rotated, kid: keyThumbprint(rotated.publicKey) };
/** The first 16 bytes of SHA-256("qrpay vector provisioning token"). */
export const provisioningToken = sha256(utf8ToBytes('qrpay vector provisioning token')).slice(0, 16);
/** The first 16 bytes of SHA-256("qrpay vector voucher id"). */
export const voucherId = sha256(utf8ToBytes('qrpay vector voucher id')).slice(0, 16);

import { localTime, request } from './authorization-request-vector';

export { localTime, request };

export function vectors() {
  const enrollmentRequest = signEnrollmentRequest(
    { key: terminalKey.publicKey, device: { model: 'qrpay-sim', serial: 'SN-0001', firmware: '0.1.0', board: 'simulator' }, localTime },
    terminalKey,
  );
  const enrollmentAnswer = signEnrollmentAnswer(
    {
      requestHash: requestHash(enrollmentRequest),
      status: 'approved',
      reason: 'enrolled',
      authorizer: authorizerKey.publicKey,
      issuedAt: localTime + 120,
      terminalId: 'T0123456789',
      merchant: {
        merchantId: 'M-DEMO', name: 'Cafe Lumiere', currency: 'EUR', purposes: ['counter-sale', 'bike-unlock'],
        site: { latitude: 48.8675, longitude: 2.3638, radius: 250 },
      },
      // Stand-ins: the real lists are COSE documents of docs/payment-code.md, opaque to this format.
      trustList: Uint8Array.of(0xd2),
      denyList: Uint8Array.of(0xd2),
      operator: operatorKey.publicKey,
      limits: { maxAmount: 50_000 },
      nextTrace: 1,
    },
    authorizerKey,
  );
  const authorization = signRequest(request, terminalKey);
  const decision = signDecision(
    {
      requestHash: requestHash(authorization),
      terminalId: request.terminalId,
      trace: request.trace,
      outcome: 'approved',
      reason: 'approved',
      approvalCode: 'K7Q2ZP',
      display: 'Approved',
      issuedAt: localTime + 350,
    },
    authorizerKey,
  );
  const provisionedEnrollmentRequest = signEnrollmentRequest(
    { key: terminalKey.publicKey, device: { model: 'qrpay-sim', serial: 'SN-0001', firmware: '0.1.0', board: 'simulator' }, localTime, provisioningToken },
    terminalKey,
  );
  // The operator's voucher for M-DEMO at S-REPUBLIQUE, a week long, and the enrollment request carrying it.
  const voucher = signVoucher({ id: voucherId, merchantId: 'M-DEMO', siteId: 'S-REPUBLIQUE', issuedAt: localTime, expiresAt: localTime + 7 * 86_400_000 }, operatorKey);
  const voucherEnrollmentRequest = signEnrollmentRequest(
    { key: terminalKey.publicKey, device: { model: 'qrpay-sim', serial: 'SN-0001', firmware: '0.1.0', board: 'simulator' }, localTime, provisioningToken: voucher },
    terminalKey,
  );
  // The same request given up (its answer never came back) and the authorizer's acknowledgement (it had captured it).
  const target = { terminalId: request.terminalId, trace: request.trace, requestHash: requestHash(authorization) };
  const reversal = signReversal({ ...target, reason: 'no-answer', localTime: localTime + 12_500 }, terminalKey);
  const reversalAck = signReversalAck({ ...target, effect: 'voided', issuedAt: localTime + 12_620 }, authorizerKey);
  // A refund of 120 of that payment (trace 43), and a batch close (trace 44) the authorizer found out of balance.
  const refund = signInstruction({ terminalId: request.terminalId, trace: 43, action: 'refund', target: { trace: request.trace, requestHash: target.requestHash }, amount: 120, localTime: localTime + 60_000 }, terminalKey);
  const refundResult = signInstructionResult({
    terminalId: request.terminalId, trace: 43, instructionHash: instructionHash(refund), outcome: 'done', reason: 'done', amount: 120, issuedAt: localTime + 60_150,
  }, authorizerKey);
  const close = signInstruction({
    terminalId: request.terminalId, trace: 44, action: 'close-batch', localTime: localTime + 3_600_000,
    batch: { number: 7, items: [{ trace: 42, kind: 'sale', amount: 450, currency: 'EUR' }, { trace: 43, kind: 'refund', amount: 120, currency: 'EUR' }] },
  }, terminalKey);
  const closeResult = signInstructionResult({
    terminalId: request.terminalId, trace: 44, instructionHash: instructionHash(close), outcome: 'done', reason: 'out-of-balance', amount: 0,
    settlement: { balanced: false, differences: [{ trace: 41, terminal: null, authorizer: { kind: 'sale', amount: 300 } }] }, issuedAt: localTime + 3_600_200,
  }, authorizerKey);
  // The same request approved offline instead, uploaded as an advice.
  const advice = signAdvice({ terminalId: request.terminalId, trace: request.trace, request: authorization, approvedAt: localTime + 12_400 }, terminalKey);
  // Its journal entry on the terminal's flash once the goods moved (credential a1b2/c0000001).
  const journalEntry = encodeWorkEntry({ trace: request.trace, kind: 'offline', bytes: advice, amount: request.amount, currency: request.currency, detail: 'a1b2/c0000001' });
  // Uploaded in a batch ten minutes later; the acknowledgement carries the decision on it, which names the lists' current versions.
  const offlineBatch = signBatch({ terminalId: request.terminalId, advices: [advice], sentAt: localTime + 600_000 }, terminalKey);
  const uploadDecision = signDecision({
    requestHash: target.requestHash, terminalId: request.terminalId, trace: request.trace, outcome: 'approved', reason: 'approved', approvalCode: 'W8N4TE',
    display: 'Approved', issuedAt: localTime + 600_100, lists: { trust: 2_020_417, deny: 5_020_417 },
  }, authorizerKey);
  const offlineBatchAck = signBatchAck({ terminalId: request.terminalId, batchHash: batchHash(offlineBatch), entries: [uploadDecision], issuedAt: localTime + 600_150 }, authorizerKey);
  // A deny list with two revoked credentials of issuer a1b2 and the default offline limits.
  const seconds = Math.floor(localTime / 1000);
  const denyList = encodeDenyList({
    version: 5_020_417, issuedAt: seconds, expiresAt: seconds + 7 * 86400, offlineLimits: defaultOfflineLimits,
    revokedCredentials: [{ issuerKid: Uint8Array.of(0xa1, 0xb2), credentialId: Uint8Array.of(0xc0, 0, 0, 7) }, { issuerKid: Uint8Array.of(0xa1, 0xb2), credentialId: Uint8Array.of(0xc0, 0, 0, 2) }],
  }, operatorKey.alg, operatorKey.sign);
  // The decision key rotated: generation 2 signs from an hour after the request's local time; the rotation is signed by generation 1.
  const keyRotation = signKeyRotation({ key: rotatedAuthorizerKey.publicKey, kid: rotatedAuthorizerKey.kid, generation: 2, from: localTime + 3_600_000, issuedAt: localTime }, authorizerKey);
  // The same decision signed by generation 2: its kid in the protected header.
  const rotatedDecision = signDecision({
    requestHash: requestHash(authorization), terminalId: request.terminalId, trace: request.trace, outcome: 'approved', reason: 'approved', approvalCode: 'K7Q2ZP',
    display: 'Approved', issuedAt: localTime + 350,
  }, rotatedAuthorizerKey);
  return {
    keyRotation, rotatedDecision,
    enrollmentRequest, enrollmentAnswer, request: authorization, decision, reversal, reversalAck, refund, refundResult, close, closeResult, advice, provisionedEnrollmentRequest,
    journalEntry, offlineBatch, offlineBatchAck, denyList, voucher, voucherEnrollmentRequest,
  };
}
