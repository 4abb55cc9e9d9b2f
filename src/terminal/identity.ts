/**
 * The terminal's identity: its key (in the keystore HAL, created on first boot)
 * and its enrollment (terminal id, merchant profile, authorizer key, trust list,
 * limits). The enrollment is stored as the exact signed request and answer, and
 * re-verified at every boot: a reboot needs no network, and damaged or altered
 * storage is noticed instead of trusted. The authorizer's decision key then
 * follows its rotations (decision-keys.ts), re-verified at boot the same way.
 */
import { decode, encode, isBytes } from '../codec/cbor';
import type { Hal } from '../../hal/index';
import type { KeyValueStore } from '../../hal/storage';
import { verifyWith } from '../crypto/verify';
import { signEnrollmentRequest, verifyEnrollmentAnswer, type EnrollmentAnswer, type Limits, type MerchantProfile } from '../authorization/enrollment';
import type { DecisionKey } from '../authorization/key-rotation';
import type { PublicKey, Signer } from '../authorization/signer';
import { paths, type ResolvedConfig } from './config';
import { DecisionKeys } from './decision-keys';
import { TerminalError } from './errors';
import { encodeCounter } from './trace-counter';
import { exchange } from './transport';

export const enrollmentKey = 'enrollment';

export interface Identity {
  terminalId: string;
  key: PublicKey;
  merchant: MerchantProfile;
  limits: Limits;
  /** The authorizer's decision keys: the enrolled one, then its verified rotations; `accepted()` verifies answers. */
  decisionKeys: DecisionKeys;
  /** The issuer trust list and deny list from enrollment, signed by the operator key. */
  trustList: Uint8Array;
  denyList: Uint8Array;
  operator: PublicKey;
  /** The lowest trace number the authorizer accepted next when it enrolled this key. */
  nextTrace: number;
  /** When the authorizer signed the enrollment answer (its clock, ms): the present is no earlier. */
  enrolledAt: number;
}

/**
 * The terminal key as a protocol signer: the keystore signs by name, the key never leaves it. `key`: the
 * identity's, known since boot (asking the keystore again costs a software keystore a scalar multiplication,
 * ~26 M XS instructions). `trace`: the trace number the signed message carries, so a signature the keystore
 * presigned for it is spent on it (`presignNext`).
 */
export function terminalSigner(hal: Hal, config: ResolvedConfig, key?: PublicKey, trace?: number): Signer {
  const info = key ?? hal.keystore.publicKey(config.keyName);
  if (!info) throw new TerminalError('not-enrolled', `no terminal key named ${config.keyName}`);
  const use = trace === undefined ? undefined : encodeCounter(trace);
  return { alg: info.alg, sign: (message) => (use ? hal.keystore.sign(config.keyName, message, use) : hal.keystore.sign(config.keyName, message)) };
}

/**
 * Has the keystore prepare, in idle time, the signature of the request that will carry trace number `next` (the
 * next one the counter hands out): false when it cannot (a keystore without `presign`, an EdDSA key).
 */
export function presignNext(hal: Hal, config: ResolvedConfig, next: number): boolean {
  const keystore = hal.keystore;
  return keystore.presign ? keystore.presign(config.keyName, encodeCounter(next)) : false;
}

/** The terminal key, created on first use. */
export function ensureKey(hal: Hal, config: ResolvedConfig): PublicKey {
  return hal.keystore.publicKey(config.keyName) ?? hal.keystore.create(config.keyName, config.keyAlgorithm);
}

/** The stored enrollment, re-verified; undefined when there is none. */
export function loadIdentity(hal: Hal, store: KeyValueStore, config: ResolvedConfig): Identity | undefined {
  const record = store.read(enrollmentKey);
  if (!record) return undefined;
  let request: Uint8Array;
  let answer: Uint8Array;
  try {
    const value = decode(record);
    if (!Array.isArray(value) || value.length !== 2 || !isBytes(value[0]) || !isBytes(value[1])) throw new Error('not [request, answer]');
    request = value[0];
    answer = value[1];
  } catch (error) {
    throw new TerminalError('storage', `the stored enrollment is damaged: ${(error as Error).message}`);
  }
  const verified = verifyEnrollmentAnswer(answer, request, config.authorizerKey, verifyWith(hal.crypto));
  if (!verified.ok || verified.answer.status !== 'approved') {
    throw new TerminalError('storage', `the stored enrollment does not verify (${verified.ok ? verified.answer.status : verified.problem})`);
  }
  const key = hal.keystore.publicKey(config.keyName);
  if (!key) throw new TerminalError('storage', 'the terminal is enrolled but its key is gone from the keystore');
  return identityOf(verified.answer, key, DecisionKeys.restore(store, hal.clock, verified.decisionKey));
}

/**
 * Enrolls with the authorizer (creating the key first if needed) and stores the
 * result. Throws TerminalError: `enrollment-pending` while an operator has not
 * approved, `enrollment-failed` when refused or unreachable.
 */
export async function enroll(hal: Hal, store: KeyValueStore, config: ResolvedConfig): Promise<Identity> {
  const key = ensureKey(hal, config);
  const request = signEnrollmentRequest(
    { key, device: { ...config.device, firmware: config.firmware }, localTime: hal.clock.now(), ...(config.provisioningToken ? { provisioningToken: config.provisioningToken } : {}) },
    terminalSigner(hal, config),
  );
  const result = await exchange<{ answer: EnrollmentAnswer; bytes: Uint8Array; decisionKey: DecisionKey }>({
    http: hal.http,
    clock: hal.clock,
    url: config.authorizerUrl + paths.enroll,
    body: request,
    policy: config.retry,
    accept: (response) => {
      const verified = verifyEnrollmentAnswer(response.body, request, config.authorizerKey, verifyWith(hal.crypto));
      return verified.ok ? { accepted: { answer: verified.answer, bytes: response.body, decisionKey: verified.decisionKey } } : { refused: verified.problem, detail: verified.detail };
    },
  });
  if (!result.ok) {
    const last = result.failures[result.failures.length - 1];
    throw new TerminalError('enrollment-failed', `no verified enrollment answer after ${result.attempts} attempts (${last ? `${last.reason}: ${last.detail}` : 'none'})`);
  }
  const { answer, bytes, decisionKey } = result.value;
  if (answer.status === 'pending') throw new TerminalError('enrollment-pending', `enrollment awaits an operator: ${answer.reason}`);
  if (answer.status === 'refused') throw new TerminalError('enrollment-failed', `enrollment refused: ${answer.reason}`);
  // Rotations stored for an earlier enrollment go first: a cut between the two writes leaves no enrollment, never a mismatch.
  const decisionKeys = DecisionKeys.fresh(store, hal.clock, decisionKey);
  store.write(enrollmentKey, encode([request, bytes]));
  return identityOf(answer, key, decisionKeys);
}

function identityOf(answer: EnrollmentAnswer, key: PublicKey, decisionKeys: DecisionKeys): Identity {
  // verifyEnrollmentAnswer guarantees these for an approval.
  return {
    terminalId: answer.terminalId!,
    key,
    merchant: answer.merchant!,
    limits: answer.limits!,
    decisionKeys,
    trustList: answer.trustList!,
    denyList: answer.denyList!,
    operator: answer.operator!,
    nextTrace: answer.nextTrace!,
    enrolledAt: answer.issuedAt,
  };
}
