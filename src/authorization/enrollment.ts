/**
 * Enrollment: a new terminal introduces its key, the authorizer answers with
 * everything the terminal needs to work without asking again.
 *
 * Request (COSE_Sign1 by the NEW terminal key, proof of possession; content type
 * application/qrpay-enroll+cbor). Payload map:
 *   1 public key (bytes; the algorithm is the envelope's `alg`)
 *   2 device facts (map: 1 model, 2 serial, 3 firmware version, 4 board)
 *   3 local time (uint, ms)
 *   4 provisioning credential (bytes; optional): a one-time token (16-64
 *     bytes, the secret the operator issued for this merchant, `qrpay operator
 *     provision`) or an operator-signed voucher (65-512 bytes, voucher.ts,
 *     `qrpay operator voucher`); an authorizer that does not enroll openly
 *     refuses a new key without one. Inside the signed payload, so it binds the
 *     credential to the key it enrolls.
 *
 * Answer (COSE_Sign1 by the authorizer; application/qrpay-enrolled+cbor). Payload:
 *   1 request hash (32 bytes: SHA-256 of the enrollment request sent)
 *   2 status: "approved" | "pending" | "refused"     3 reason (text)
 *   4 terminal id (approved)        5 merchant profile (map, approved)
 *   6 authorizer key (map: 1 alg, 2 public key)      7 issuer trust list (bytes, approved)
 *   8 limits (map: 1 per-payment maximum, approved)  9 issued at (uint, ms)
 *  10 deny list (bytes, approved)   11 operator key (map: 1 alg, 2 public key; signs both lists)
 *  12 lowest trace number the authorizer will accept from this key (uint, approved): a terminal
 *     whose storage was wiped but whose key survived continues above it instead of looking like a clone
 *  13 the decision-key rotations from the authorizer's first key to the one in field 6 (array of signed
 *     key-rotation.ts messages, in order; absent before any rotation): how a terminal pinned to an
 *     older key (its firmware's) follows to the key that signs this answer
 * Merchant profile: 1 merchant id, 2 name, 3 currency, 4 purposes (array of
 * text), 5 site (map: 1 latitude e7, 2 longitude e7, 3 radius metres).
 */
import type { CborMap, CborValue } from '../codec/cbor';
import { sameBytes } from './bytes';
import type { SignatureAlgorithm } from '../../hal/keystore';
import { currencyPattern, purposes, type Purpose } from './charge';
import { ContentType, open, seal, signedBy, type Opened } from './envelope';
import { asMap, FormatError, mapOf, onlyKeys, readBytes, readChoice, readInt, readText, readUint } from './fields';
import { requestHash } from './decision';
import { readKeyRotation, rotatedKey, verifyKeyRotation, type DecisionKey } from './key-rotation';
import { terminalIdPattern } from './request';
import type { SignatureCheck } from '../crypto/verify';
import type { PublicKey, Signer } from './signer';
import { voucherLength } from './voucher';

export interface DeviceFacts {
  model: string;
  serial: string;
  firmware: string;
  board: string;
}

export interface EnrollmentRequest {
  key: PublicKey;
  device: DeviceFacts;
  localTime: number;
  /** A one-time token, or an operator's voucher (longer than any token: voucher.ts). */
  provisioningToken?: Uint8Array;
}

export const provisioningTokenLength = { min: 16, max: 64 } as const;
/** What field 4 may hold: a token, or a voucher (which is longer than any token). */
export const provisioningCredentialLength = { min: provisioningTokenLength.min, max: voucherLength.max } as const;

export interface Site {
  latitude: number;
  longitude: number;
  /** Metres around the site the terminal is expected to be within. */
  radius: number;
}

export interface MerchantProfile {
  merchantId: string;
  name: string;
  currency: string;
  purposes: Purpose[];
  site: Site;
}

export interface Limits {
  /** Largest single payment, minor units. */
  maxAmount: number;
  /** Offline acceptance (docs/authorization.md, Offline): absent, the terminal never approves on its own. */
  offline?: OfflineLimits;
}

/** The bounds of offline acceptance, set by the authorizer; the embedder cannot raise them. */
export interface OfflineLimits {
  /** Largest payment accepted offline, minor units (the floor limit). */
  floorLimit: number;
  /** Offline payments not uploaded yet, at most this many... */
  maxCount: number;
  /** ...and this much in all, minor units. */
  maxTotal: number;
  /** One credential's offline payments not uploaded yet, at most this much, minor units. */
  maxPerCredential: number;
  /** The trust and deny lists must be younger than this, ms. */
  maxListAge: number;
}

/**
 * The reference authorizer's default (docs/authorization.md, Offline, with the worst-case exposure it allows):
 * 25.00 a payment, 10 payments and 100.00 per terminal, 40.00 per credential per terminal, lists of at most 24 h.
 */
export const defaultOfflineLimits: OfflineLimits = { floorLimit: 2500, maxCount: 10, maxTotal: 10_000, maxPerCredential: 4000, maxListAge: 24 * 3_600_000 };

export type EnrollmentStatus = 'approved' | 'pending' | 'refused';

export interface EnrollmentAnswer {
  requestHash: Uint8Array;
  status: EnrollmentStatus;
  reason: string;
  authorizer: PublicKey;
  issuedAt: number;
  /** The rest is present when `status` is approved. */
  terminalId?: string;
  merchant?: MerchantProfile;
  trustList?: Uint8Array;
  denyList?: Uint8Array;
  /** The operator root key that signs the trust and deny lists. */
  operator?: PublicKey;
  limits?: Limits;
  /** The lowest trace number the authorizer will accept next from this key. */
  nextTrace?: number;
  /** Field 13: the rotations from the authorizer's first decision key to `authorizer`, in order. */
  rotations?: Uint8Array[];
}

/** Rotations an enrollment answer may carry. */
export const maxEnrollmentRotations = 16;

const algs: readonly SignatureAlgorithm[] = ['ES256', 'EdDSA'];
/** ES256 keys travel as SEC1 points, uncompressed (65 bytes) or compressed (33); EdDSA keys are 32 bytes. */
const keyLength = { ES256: { min: 33, max: 65 }, EdDSA: { min: 32, max: 32 } } as const;
const factPattern = (): RegExp => /^[\x20-\x7e]{1,64}$/;

export function signEnrollmentRequest(request: EnrollmentRequest, signer: Signer): Uint8Array {
  const payload = mapOf([
    [1, request.key.publicKey],
    [2, mapOf([[1, request.device.model], [2, request.device.serial], [3, request.device.firmware], [4, request.device.board]])],
    [3, request.localTime],
    [4, request.provisioningToken],
  ]);
  return seal({ contentType: ContentType.enrollmentRequest, payload, signer });
}

export interface OpenedEnrollmentRequest {
  request: EnrollmentRequest;
  /** True when the envelope is signed by the key it introduces. */
  possession: boolean;
}

/** Decodes an enrollment request and checks its proof of possession. Throws FormatError. */
export function openEnrollmentRequest(bytes: Uint8Array): OpenedEnrollmentRequest {
  const envelope = open(bytes, ContentType.enrollmentRequest);
  const map = envelope.payload;
  onlyKeys(map, [1, 2, 3, 4], 'enrollment request');
  const facts = asMap(map.get(2), 'device facts');
  onlyKeys(facts, [1, 2, 3, 4], 'device facts');
  const key: PublicKey = { alg: envelope.alg, publicKey: readBytes(map, 1, 'public key', keyLength[envelope.alg].min, keyLength[envelope.alg].max) };
  const request: EnrollmentRequest = {
    key,
    device: {
      model: readText(facts, 1, 'model', 64, factPattern()),
      serial: readText(facts, 2, 'serial', 64, factPattern()),
      firmware: readText(facts, 3, 'firmware', 32, factPattern()),
      board: readText(facts, 4, 'board', 64, factPattern()),
    },
    localTime: readUint(map, 3, 'local time'),
  };
  if (map.has(4)) request.provisioningToken = readBytes(map, 4, 'provisioning token', provisioningCredentialLength.min, provisioningCredentialLength.max);
  return { request, possession: signedBy(envelope, key) };
}

export function signEnrollmentAnswer(answer: EnrollmentAnswer, signer: Signer): Uint8Array {
  const approved = answer.status === 'approved';
  if (approved && (!answer.terminalId || !answer.merchant || !answer.trustList || !answer.denyList || !answer.operator || !answer.limits || !(answer.nextTrace! >= 1))) {
    throw new FormatError('enrollment', 'an approval carries terminal id, merchant, trust and deny lists, operator key, limits and the next trace number');
  }
  const merchant = answer.merchant;
  const payload = mapOf([
    [1, answer.requestHash],
    [2, answer.status],
    [3, answer.reason],
    [4, answer.terminalId],
    [5, merchant ? mapOf([
      [1, merchant.merchantId],
      [2, merchant.name],
      [3, merchant.currency],
      [4, merchant.purposes.slice()],
      [5, mapOf([[1, Math.round(merchant.site.latitude * 1e7)], [2, Math.round(merchant.site.longitude * 1e7)], [3, merchant.site.radius]])],
    ]) : undefined],
    [6, keyMap(answer.authorizer)],
    [7, answer.trustList],
    [8, answer.limits ? limitsMap(answer.limits) : undefined],
    [9, answer.issuedAt],
    [10, answer.denyList],
    [11, answer.operator ? keyMap(answer.operator) : undefined],
    [12, answer.nextTrace],
    [13, answer.rotations && answer.rotations.length > 0 ? answer.rotations.slice() : undefined],
  ]);
  return seal({ contentType: ContentType.enrollment, payload, signer });
}

export type EnrollmentProblem = 'garbled' | 'bad-signature' | 'wrong-request' | 'untrusted-key';

/** `decisionKey`: the answer's key (field 6) with its generation, where the terminal's chain of decision keys starts. */
export type VerifiedEnrollment = { ok: true; answer: EnrollmentAnswer; decisionKey: DecisionKey } | { ok: false; problem: EnrollmentProblem; detail: string };

const sameKey = (a: PublicKey, b: PublicKey): boolean => a.alg === b.alg && sameBytes(a.publicKey, b.publicKey);

/**
 * Follows field 13 from the pinned key to the answer's key: from the rotation that names the pinned key (or from
 * the first, when none does: the pinned key is the authorizer's first), each verified against the key before it.
 */
function followRotations(pinned: PublicKey, rotations: Uint8Array[], target: PublicKey): { ok: true; key: DecisionKey } | { ok: false; detail: string } {
  let start = 0;
  let current: DecisionKey = { key: pinned, generation: 1, from: 0 };
  for (let i = 0; i < rotations.length; i++) {
    const named = readKeyRotation(rotations[i]);
    if (sameKey(named.key, pinned)) {
      start = i + 1;
      current = rotatedKey(named);
    }
  }
  for (let i = start; i < rotations.length; i++) {
    const verified = verifyKeyRotation(rotations[i], current);
    if (!verified.ok) return { ok: false, detail: `rotation to generation ${current.generation + 1}: ${verified.problem}: ${verified.detail}` };
    current = rotatedKey(verified.rotation);
  }
  if (!sameKey(current.key, target)) return { ok: false, detail: 'the answer names an authorizer key the pinned one does not lead to' };
  return { ok: true, key: current };
}

/**
 * Verifies an enrollment answer: bound to the request sent and signed by the
 * authorizer key it names. With `pinned`, that key must be the pinned one; without,
 * the terminal trusts the key on first use (the simulator's default; a
 * production build pins the operator's key in its configuration). `check` verifies the
 * signature: crypto/verify.ts's `verify` unless given (a board's accelerated one).
 */
export function verifyEnrollmentAnswer(bytes: Uint8Array, sentRequest: Uint8Array, pinned?: PublicKey, check?: SignatureCheck): VerifiedEnrollment {
  let envelope: Opened;
  let answer: EnrollmentAnswer;
  try {
    envelope = open(bytes, ContentType.enrollment);
    answer = answerOf(envelope.payload);
    // Each rotation decodes, or the answer is garbled (their signatures are checked below, from the pinned key).
    (answer.rotations ?? []).forEach((bytes) => readKeyRotation(bytes));
  } catch (error) {
    return { ok: false, problem: 'garbled', detail: (error as Error).message };
  }
  const rotations = answer.rotations ?? [];
  // Without a pin (trust on first use) the answer's key is believed, and its generation is the last rotation's.
  let decisionKey: DecisionKey = rotations.length > 0 ? rotatedKey(readKeyRotation(rotations[rotations.length - 1])) : { key: answer.authorizer, generation: 1, from: 0 };
  if (!sameKey(decisionKey.key, answer.authorizer)) return { ok: false, problem: 'garbled', detail: 'the last rotation does not name the answer\'s key' };
  if (pinned && !sameKey(pinned, answer.authorizer)) {
    if (rotations.length === 0) return { ok: false, problem: 'untrusted-key', detail: 'the answer names an authorizer key other than the pinned one' };
    const followed = followRotations(pinned, rotations, answer.authorizer);
    if (!followed.ok) return { ok: false, problem: 'untrusted-key', detail: followed.detail };
    decisionKey = followed.key;
  }
  if (!signedBy(envelope, answer.authorizer, check)) return { ok: false, problem: 'bad-signature', detail: 'the answer is not signed by the key it names' };
  if (!sameBytes(answer.requestHash, requestHash(sentRequest))) {
    return { ok: false, problem: 'wrong-request', detail: 'the answer is for another enrollment request' };
  }
  return { ok: true, answer, decisionKey };
}

function keyMap(key: PublicKey): CborMap {
  return mapOf([[1, key.alg], [2, key.publicKey]]);
}

function keyOf(value: CborValue | undefined, name: string): PublicKey {
  const map = asMap(value, name);
  onlyKeys(map, [1, 2], name);
  const alg = readChoice(map, 1, `${name} algorithm`, algs);
  return { alg, publicKey: readBytes(map, 2, name, keyLength[alg].min, keyLength[alg].max) };
}

function answerOf(map: CborMap): EnrollmentAnswer {
  onlyKeys(map, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], 'enrollment answer');
  const answer: EnrollmentAnswer = {
    requestHash: readBytes(map, 1, 'request hash', 32, 32),
    status: readChoice(map, 2, 'enrollment status', ['approved', 'pending', 'refused'] as const),
    reason: readText(map, 3, 'reason', 128),
    authorizer: keyOf(map.get(6), 'authorizer key'),
    issuedAt: readUint(map, 9, 'issued at'),
  };
  const rotations = map.get(13);
  if (rotations !== undefined) {
    if (!Array.isArray(rotations) || rotations.length < 1 || rotations.length > maxEnrollmentRotations || !rotations.every((r) => r instanceof Uint8Array)) {
      throw new FormatError('rotations', `rotations is not an array of 1 to ${maxEnrollmentRotations} signed key rotations`);
    }
    answer.rotations = rotations as Uint8Array[];
  }
  if (answer.status !== 'approved') return answer;
  answer.terminalId = readText(map, 4, 'terminal id', 32, terminalIdPattern());
  answer.merchant = merchantOf(map.get(5));
  answer.trustList = readBytes(map, 7, 'trust list', 1, 8192);
  answer.denyList = readBytes(map, 10, 'deny list', 1, 8192);
  answer.operator = keyOf(map.get(11), 'operator key');
  answer.nextTrace = readUint(map, 12, 'next trace number');
  if (answer.nextTrace < 1) throw new FormatError('next trace number', 'trace numbers start at 1');
  const limits = asMap(map.get(8), 'limits');
  onlyKeys(limits, [1, 2], 'limits');
  answer.limits = { maxAmount: readUint(limits, 1, 'maximum amount') };
  if (limits.has(2)) {
    const offline = asMap(limits.get(2), 'offline limits');
    onlyKeys(offline, [1, 2, 3, 4, 5], 'offline limits');
    answer.limits.offline = {
      floorLimit: readUint(offline, 1, 'floor limit'), maxCount: readUint(offline, 2, 'offline count'), maxTotal: readUint(offline, 3, 'offline total'),
      maxPerCredential: readUint(offline, 4, 'offline per credential'), maxListAge: readUint(offline, 5, 'list age'),
    };
  }
  return answer;
}

/** Limits map: 1 maximum amount; 2 offline limits {1 floor limit, 2 count, 3 total, 4 per credential, 5 list age ms}. */
function limitsMap(limits: Limits): CborMap {
  const offline = limits.offline;
  return mapOf([
    [1, limits.maxAmount],
    [2, offline ? mapOf([[1, offline.floorLimit], [2, offline.maxCount], [3, offline.maxTotal], [4, offline.maxPerCredential], [5, offline.maxListAge]]) : undefined],
  ]);
}

function merchantOf(value: CborValue | undefined): MerchantProfile {
  const map = asMap(value, 'merchant profile');
  onlyKeys(map, [1, 2, 3, 4, 5], 'merchant profile');
  const list = map.get(4);
  if (!Array.isArray(list) || list.length === 0) throw new FormatError('purposes', 'purposes is not a non-empty array');
  const chosen: Purpose[] = [];
  for (const item of list) {
    if (typeof item !== 'string' || purposes.indexOf(item as Purpose) < 0) throw new FormatError('purposes', `unknown purpose ${String(item)}`);
    chosen.push(item as Purpose);
  }
  const site = asMap(map.get(5), 'site');
  onlyKeys(site, [1, 2, 3], 'site');
  return {
    merchantId: readText(map, 1, 'merchant id', 32, terminalIdPattern()),
    name: readText(map, 2, 'merchant name', 64),
    currency: readText(map, 3, 'currency', 3, currencyPattern()),
    purposes: chosen,
    site: {
      latitude: readInt(site, 1, 'site latitude', -900_000_000, 900_000_000) / 1e7,
      longitude: readInt(site, 2, 'site longitude', -1_800_000_000, 1_800_000_000) / 1e7,
      radius: readUint(site, 3, 'site radius'),
    },
  };
}

