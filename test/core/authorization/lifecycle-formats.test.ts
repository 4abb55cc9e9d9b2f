/**
 * The reversal and the instruction refuse what they do not understand with a
 * FormatError naming the field: a truncated message, a missing or extra
 * field, an action without what it needs, a batch with a trace listed twice
 * or too many items, a kid naming another terminal. A pre-authorization's
 * kind survives the round trip; an unknown kind is refused.
 */
import { describe, expect, it } from 'vitest';
import type { CborMap } from '../../../src/codec/cbor';
import { ContentType, seal } from '../../../src/authorization/envelope';
import { maxBatchItems, openInstruction, signInstruction, type Instruction } from '../../../src/authorization/instruction';
import { locationFromSample } from '../../../src/authorization/location';
import { openRequest, signRequest, terminalKid, type AuthorizationRequest } from '../../../src/authorization/request';
import { openReversal, signReversal } from '../../../src/authorization/reversal';
import { edSigner } from '../../support/terminal-fixture';
import { formatErrorField } from '../../support/format-error';

const signer = edSigner('lifecycle-formats');
const hash = new Uint8Array(32).fill(7);
const refund: Instruction = { terminalId: 'T-1', trace: 9, action: 'refund', target: { trace: 3, requestHash: hash }, amount: 120, localTime: 1_790_000_000_000 };

function sealed(payload: [number, unknown][], contentType: string = ContentType.instruction, kid = terminalKid('T-1')): Uint8Array {
  const map: CborMap = new Map(payload as [number, never][]);
  return seal({ contentType: contentType as typeof ContentType.instruction, payload: map, signer, kid });
}

describe('instruction format', () => {
  it('round-trips each action', () => {
    expect(openInstruction(signInstruction(refund, signer)).instruction).toEqual(refund);
    const close: Instruction = { terminalId: 'T-1', trace: 10, action: 'close-batch', batch: { number: 2, items: [{ trace: 3, kind: 'sale', amount: 450, currency: 'EUR' }] }, localTime: 1 };
    expect(openInstruction(signInstruction(close, signer)).instruction).toEqual(close);
    const voided: Instruction = { terminalId: 'T-1', trace: 11, action: 'void', target: { trace: 3, requestHash: hash }, localTime: 1 };
    expect(openInstruction(signInstruction(voided, signer)).instruction).toEqual(voided);
  });

  it('refuses to sign an action without what it needs, or with what it does not take', () => {
    expect(formatErrorField(() => signInstruction({ ...refund, amount: undefined }, signer))).toBe('instruction');
    expect(formatErrorField(() => signInstruction({ ...refund, action: 'void' }, signer))).toBe('instruction');
    expect(formatErrorField(() => signInstruction({ ...refund, action: 'close-batch' }, signer))).toBe('instruction');
    expect(formatErrorField(() => signInstruction({ ...refund, amount: 0 }, signer))).toBe('instruction');
    expect(formatErrorField(() => signInstruction({ ...refund, target: { trace: 3, requestHash: new Uint8Array(31) } }, signer))).toBe('instruction');
    const items = Array.from({ length: maxBatchItems + 1 }, (_, i) => ({ trace: i + 1, kind: 'sale' as const, amount: 1, currency: 'EUR' }));
    expect(formatErrorField(() => signInstruction({ terminalId: 'T-1', trace: 1, action: 'close-batch', batch: { number: 1, items }, localTime: 1 }, signer))).toBe('instruction');
  });

  it('refuses truncated, foreign, incomplete and over-complete messages', () => {
    const good = signInstruction(refund, signer);
    expect(formatErrorField(() => openInstruction(good.slice(0, good.length - 5)))).toBe('message');
    expect(formatErrorField(() => openInstruction(signReversal({ terminalId: 'T-1', trace: 3, requestHash: hash, reason: 'no-answer', localTime: 1 }, signer)))).toBe('content type');
    const fields: [number, unknown][] = [[1, 'T-1'], [2, 9], [3, 'refund'], [4, 3], [5, hash], [6, 120], [8, 1]];
    expect(openInstruction(sealed(fields)).instruction.amount).toBe(120);
    expect(formatErrorField(() => openInstruction(sealed([...fields, [9, 'x']])))).toBe('instruction');
    expect(formatErrorField(() => openInstruction(sealed(fields.filter(([k]) => k !== 6))))).toBe('instruction');
    expect(formatErrorField(() => openInstruction(sealed(fields.map(([k, v]) => [k, k === 3 ? 'chargeback' : v]))))).toBe('action');
    expect(formatErrorField(() => openInstruction(sealed(fields, ContentType.instruction, terminalKid('T-2'))))).toBe('kid');
    expect(formatErrorField(() => openInstruction(sealed(fields.filter(([k]) => k !== 5))))).toBe('target request hash');
  });

  it('refuses a batch listing a trace twice or an item it cannot read', () => {
    const base: [number, unknown][] = [[1, 'T-1'], [2, 9], [3, 'close-batch'], [8, 1]];
    const twice = new Map<number, unknown>([[1, 1], [2, [[3, 'sale', 450, 'EUR'], [3, 'refund', 10, 'EUR']]]]);
    expect(formatErrorField(() => openInstruction(sealed([...base, [7, twice]])))).toBe('batch items');
    const bad = new Map<number, unknown>([[1, 1], [2, [[3, 'gift', 450, 'EUR']]]]);
    expect(formatErrorField(() => openInstruction(sealed([...base, [7, bad]])))).toBe('batch item');
    const short = new Map<number, unknown>([[1, 1], [2, [[3, 'sale', 450]]]]);
    expect(formatErrorField(() => openInstruction(sealed([...base, [7, short]])))).toBe('batch item');
  });
});

describe('reversal format', () => {
  it('refuses an unknown reason, a short hash and a kid naming another terminal', () => {
    const fields: [number, unknown][] = [[1, 'T-1'], [2, 3], [3, hash], [4, 'no-answer'], [5, 1]];
    expect(openReversal(sealed(fields, ContentType.reversal)).reversal.reason).toBe('no-answer');
    expect(formatErrorField(() => openReversal(sealed(fields.map(([k, v]) => [k, k === 4 ? 'changed-my-mind' : v]), ContentType.reversal)))).toBe('reason');
    expect(formatErrorField(() => openReversal(sealed(fields.map(([k, v]) => [k, k === 3 ? new Uint8Array(16) : v]), ContentType.reversal)))).toBe('request hash');
    expect(formatErrorField(() => openReversal(sealed(fields, ContentType.reversal, terminalKid('T-9'))))).toBe('kid');
    expect(formatErrorField(() => signReversal({ terminalId: 'T-1', trace: 0, requestHash: hash, reason: 'no-answer', localTime: 1 }, signer))).toBe('trace number');
  });
});

describe('pre-authorization in the request', () => {
  const request: AuthorizationRequest = {
    terminalId: 'T-1', trace: 4, localTime: 1, amount: 500, currency: 'EUR', purpose: 'bike-unlock', reference: 'ride',
    location: locationFromSample(undefined), paymentCode: 'QP1:X', verdict: { status: 'verified' }, firmware: '1',
  };

  it('carries the kind, absent for a sale, and refuses another', () => {
    expect(openRequest(signRequest({ ...request, kind: 'pre-auth' }, signer)).request.kind).toBe('pre-auth');
    expect(openRequest(signRequest(request, signer)).request.kind).toBeUndefined();
    expect(formatErrorField(() => signRequest({ ...request, kind: 'layaway' as 'pre-auth' }, signer))).toBe('kind');
  });
});
