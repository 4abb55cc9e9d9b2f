/**
 * What a merchant's terminal asks of the authorizer after a payment: complete
 * a pre-authorization, void a sale, refund one, close the batch. One message
 * shape for the four, signed by the terminal's key and numbered from the same
 * trace counter as its requests (a number is used once, for one message):
 *
 * The instruction: content type application/qrpay-instruction+cbor, `kid` =
 * terminal id. Payload map:
 *   1 terminal id (text)     2 trace number of this instruction (uint)
 *   3 action (text): "complete" | "void" | "refund" | "close-batch"
 *   4 target trace (uint)    5 target request hash (32 bytes)      (complete, void, refund)
 *   6 amount (uint, minor units of the target's currency)          (complete, refund)
 *   7 batch (map: 1 batch number, 2 items [[trace, kind, amount, currency], ...])  (close-batch)
 *   8 local time (uint, ms)
 *
 * The result: content type application/qrpay-instruction-result+cbor, signed
 * by the authorizer. Payload map:
 *   1 terminal id   2 trace number of the instruction
 *   3 instruction hash: SHA-256 of the instruction's exact bytes (32 bytes)
 *   4 outcome (text): "done" | "refused"     5 reason (text)
 *   6 amount (uint): what was captured, voided or refunded (0 when refused)
 *   7 settlement (map, close-batch only: 1 balanced (bool), 2 differences
 *     [[trace, terminal kind or null, terminal amount, authorizer kind or null, authorizer amount], ...])
 *   8 issued at (uint, ms)
 */
import type { CborMap, CborValue } from '../codec/cbor';
import { isBytes } from '../codec/cbor';
import { sameBytes } from './bytes';
import { currencyPattern, maxAmount } from './charge';
import { sha256, type SignatureCheck } from '../crypto/verify';
import { ContentType, open, seal, signedBy, type Opened, signedByOneOf, type AuthorizerKeys } from './envelope';
import { asMap, FormatError, mapOf, onlyKeys, optional, readBytes, readChoice, readText, readUint } from './fields';
import { terminalIdPattern, terminalKid } from './request';
import type { PublicKey, Signer } from './signer';

export const actions = ['complete', 'void', 'refund', 'close-batch'] as const;
export type Action = (typeof actions)[number];

/** What each settled trace counts as in a batch. */
export const itemKinds = ['sale', 'completion', 'void', 'refund', 'reversal'] as const;
export type ItemKind = (typeof itemKinds)[number];

export interface BatchItem {
  trace: number;
  kind: ItemKind;
  amount: number;
  currency: string;
}

/** The most items one close carries: a terminal closes its batch before it holds more. */
export const maxBatchItems = 300;

export interface Instruction {
  terminalId: string;
  trace: number;
  action: Action;
  target?: { trace: number; requestHash: Uint8Array };
  amount?: number;
  batch?: { number: number; items: BatchItem[] };
  localTime: number;
}

export interface Difference {
  trace: number;
  terminal: { kind: ItemKind; amount: number } | null;
  authorizer: { kind: ItemKind; amount: number } | null;
}

export interface InstructionResult {
  terminalId: string;
  trace: number;
  instructionHash: Uint8Array;
  outcome: 'done' | 'refused';
  reason: string;
  amount: number;
  settlement?: { balanced: boolean; differences: Difference[] };
  issuedAt: number;
}

function shapeProblem(i: Instruction): string | undefined {
  const needsTarget = i.action !== 'close-batch';
  if (needsTarget !== (i.target !== undefined)) return needsTarget ? `${i.action} needs a target request` : 'close-batch takes no target';
  const needsAmount = i.action === 'complete' || i.action === 'refund';
  if (needsAmount !== (i.amount !== undefined)) return needsAmount ? `${i.action} needs an amount` : `${i.action} takes no amount`;
  if ((i.action === 'close-batch') !== (i.batch !== undefined)) return i.action === 'close-batch' ? 'close-batch needs its batch' : `${i.action} takes no batch`;
  if (i.amount !== undefined && !(Number.isSafeInteger(i.amount) && i.amount >= 1 && i.amount <= maxAmount)) return 'amount must be a whole number of minor units, 1 or more';
  if (i.target && !(Number.isSafeInteger(i.target.trace) && i.target.trace >= 1 && isBytes(i.target.requestHash) && i.target.requestHash.length === 32)) {
    return 'the target is a trace number and a 32-byte request hash';
  }
  if (i.batch && i.batch.items.length > maxBatchItems) return `a batch carries at most ${maxBatchItems} items`;
  return undefined;
}

export function signInstruction(instruction: Instruction, signer: Signer): Uint8Array {
  if (!terminalIdPattern().test(instruction.terminalId)) throw new FormatError('terminal id', 'terminal id is not 1-32 letters, digits or dashes');
  if (!(Number.isSafeInteger(instruction.trace) && instruction.trace >= 1)) throw new FormatError('trace number', 'trace numbers start at 1');
  if (actions.indexOf(instruction.action) < 0) throw new FormatError('action', `action is not one of ${actions.join(', ')}`);
  const problem = shapeProblem(instruction);
  if (problem) throw new FormatError('instruction', problem);
  const batch = instruction.batch;
  const payload = mapOf([
    [1, instruction.terminalId],
    [2, instruction.trace],
    [3, instruction.action],
    [4, instruction.target?.trace],
    [5, instruction.target?.requestHash],
    [6, instruction.amount],
    [7, batch ? mapOf([[1, batch.number], [2, batch.items.map((item) => [item.trace, item.kind, item.amount, item.currency])]]) : undefined],
    [8, instruction.localTime],
  ]);
  return seal({ contentType: ContentType.instruction, payload, signer, kid: terminalKid(instruction.terminalId) });
}

/** Decodes an instruction without checking its signature (the caller looks up the terminal's key by id). Throws FormatError. */
export function openInstruction(bytes: Uint8Array): { envelope: Opened; instruction: Instruction } {
  const envelope = open(bytes, ContentType.instruction);
  const m = envelope.payload;
  onlyKeys(m, [1, 2, 3, 4, 5, 6, 7, 8], 'instruction');
  const instruction: Instruction = {
    terminalId: readText(m, 1, 'terminal id', 32, terminalIdPattern()),
    trace: readUint(m, 2, 'trace number'),
    action: readChoice(m, 3, 'action', actions),
    localTime: readUint(m, 8, 'local time'),
  };
  if (instruction.trace < 1) throw new FormatError('trace number', 'trace numbers start at 1');
  if (m.has(4) || m.has(5)) instruction.target = { trace: readUint(m, 4, 'target trace'), requestHash: readBytes(m, 5, 'target request hash', 32, 32) };
  const amount = optional(m, 6, (x, k) => readUint(x, k, 'amount', maxAmount));
  if (amount !== undefined) instruction.amount = amount;
  const batch = optional(m, 7, (x, k) => asMap(x.get(k), 'batch'));
  if (batch) instruction.batch = readBatch(batch);
  const problem = shapeProblem(instruction);
  if (problem) throw new FormatError('instruction', problem);
  const kid = envelope.kid;
  if (!kid || !sameBytes(kid, terminalKid(instruction.terminalId))) throw new FormatError('kid', 'the kid does not name the terminal in the payload');
  return { envelope, instruction };
}

function readBatch(m: CborMap): { number: number; items: BatchItem[] } {
  onlyKeys(m, [1, 2], 'batch');
  const list = m.get(2);
  if (!Array.isArray(list) || list.length > maxBatchItems) throw new FormatError('batch items', `batch items are a list of at most ${maxBatchItems}`);
  const seen = new Set<number>();
  const items = list.map((entry) => {
    const item = readItem(entry);
    if (seen.has(item.trace)) throw new FormatError('batch items', `trace ${item.trace} is listed twice`);
    seen.add(item.trace);
    return item;
  });
  return { number: readUint(m, 1, 'batch number'), items };
}

function readItem(entry: CborValue): BatchItem {
  if (!Array.isArray(entry) || entry.length !== 4) throw new FormatError('batch item', 'a batch item is [trace, kind, amount, currency]');
  const [trace, kind, amount, currency] = entry;
  if (typeof trace !== 'number' || !Number.isSafeInteger(trace) || trace < 1) throw new FormatError('batch item', 'a batch item trace is a trace number');
  if (typeof kind !== 'string' || itemKinds.indexOf(kind as ItemKind) < 0) throw new FormatError('batch item', `a batch item kind is one of ${itemKinds.join(', ')}`);
  if (typeof amount !== 'number' || !Number.isSafeInteger(amount) || amount < 1 || amount > maxAmount) throw new FormatError('batch item', 'a batch item amount is 1 or more minor units');
  if (typeof currency !== 'string' || !currencyPattern().test(currency)) throw new FormatError('batch item', 'a batch item currency is an ISO 4217 code');
  return { trace, kind: kind as ItemKind, amount, currency };
}

/** The binding of a result: SHA-256 of the instruction exactly as sent. */
export function instructionHash(bytes: Uint8Array): Uint8Array {
  return sha256(bytes);
}

export function signInstructionResult(result: InstructionResult, signer: Signer): Uint8Array {
  const settlement = result.settlement;
  const payload = mapOf([
    [1, result.terminalId],
    [2, result.trace],
    [3, result.instructionHash],
    [4, result.outcome],
    [5, result.reason],
    [6, result.amount],
    [7, settlement
      ? mapOf([[1, settlement.balanced], [2, settlement.differences.map((d) => [
        d.trace, d.terminal ? d.terminal.kind : null, d.terminal ? d.terminal.amount : 0, d.authorizer ? d.authorizer.kind : null, d.authorizer ? d.authorizer.amount : 0,
      ])]])
      : undefined],
    [8, result.issuedAt],
  ]);
  return seal({ contentType: ContentType.instructionResult, payload, signer });
}

function resultOf(m: CborMap): InstructionResult {
  onlyKeys(m, [1, 2, 3, 4, 5, 6, 7, 8], 'instruction result');
  const result: InstructionResult = {
    terminalId: readText(m, 1, 'terminal id', 32, terminalIdPattern()),
    trace: readUint(m, 2, 'trace number'),
    instructionHash: readBytes(m, 3, 'instruction hash', 32, 32),
    outcome: readChoice(m, 4, 'outcome', ['done', 'refused'] as const),
    reason: readText(m, 5, 'reason', 64),
    amount: readUint(m, 6, 'amount', maxAmount),
    issuedAt: readUint(m, 8, 'issued at'),
  };
  const settlement = optional(m, 7, (x, k) => asMap(x.get(k), 'settlement'));
  if (settlement) result.settlement = readSettlement(settlement);
  return result;
}

function readSettlement(m: CborMap): { balanced: boolean; differences: Difference[] } {
  onlyKeys(m, [1, 2], 'settlement');
  const balanced = m.get(1);
  const list = m.get(2);
  if (typeof balanced !== 'boolean') throw new FormatError('balanced', 'balanced is true or false');
  if (!Array.isArray(list)) throw new FormatError('differences', 'differences are a list');
  const side = (kind: CborValue, amount: CborValue): { kind: ItemKind; amount: number } | null => {
    if (kind === null) return null;
    if (typeof kind !== 'string' || itemKinds.indexOf(kind as ItemKind) < 0 || typeof amount !== 'number') throw new FormatError('difference', 'a difference names item kinds and amounts');
    return { kind: kind as ItemKind, amount };
  };
  const differences = list.map((entry) => {
    if (!Array.isArray(entry) || entry.length !== 5 || typeof entry[0] !== 'number') throw new FormatError('difference', 'a difference is [trace, kind, amount, kind, amount]');
    return { trace: entry[0], terminal: side(entry[1], entry[2]), authorizer: side(entry[3], entry[4]) };
  });
  return { balanced, differences };
}

export type ResultProblem = 'garbled' | 'bad-signature' | 'wrong-instruction';
export type VerifiedResult = { ok: true; result: InstructionResult } | { ok: false; problem: ResultProblem; detail: string };

/** Accepts a result only when the enrolled authorizer signed it for exactly the instruction `bytes` of this terminal. */
export function verifyInstructionResult(answer: Uint8Array, expect: { authorizer: AuthorizerKeys; terminalId: string; trace: number; instruction: Uint8Array; verify?: SignatureCheck }): VerifiedResult {
  let envelope;
  let result: InstructionResult;
  try {
    envelope = open(answer, ContentType.instructionResult);
    result = resultOf(envelope.payload);
  } catch (error) {
    return { ok: false, problem: 'garbled', detail: (error as Error).message };
  }
  if (!signedByOneOf(envelope, expect.authorizer, expect.verify)) return { ok: false, problem: 'bad-signature', detail: 'not signed by the enrolled authorizer key' };
  if (result.terminalId !== expect.terminalId || result.trace !== expect.trace || !sameBytes(result.instructionHash, instructionHash(expect.instruction))) {
    return { ok: false, problem: 'wrong-instruction', detail: `the result answers ${result.terminalId} trace ${result.trace}, not the instruction sent` };
  }
  return { ok: true, result };
}
