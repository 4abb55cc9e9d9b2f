/**
 * What a board or an embedder tells the terminal core. Everything has a
 * default except where the authorizer is and what the device is.
 */
import type { PulseTrain } from '../../hal/actuator';
import type { SignatureAlgorithm } from '../../hal/keystore';
import { provisioningCredentialLength } from '../authorization/enrollment';
import type { PublicKey } from '../authorization/signer';
import { TerminalError } from './errors';
import { isPublicKey } from '../crypto/verify';
import { defaultRetryPolicy, type RetryPolicy } from './transport';
import { defaultStepUpPolicy, type StepUpPolicy } from './step-up';

/** What the actuator does on a verified approval. */
export type Actuation = { kind: 'hold'; ms: number } | { kind: 'pulse'; train: PulseTrain } | { kind: 'none' };

export interface TerminalConfig {
  /** Base URL of the authorizer, such as "http://127.0.0.1:8080". */
  authorizerUrl: string;
  firmware: string;
  device: { model: string; serial: string; board: string };
  /**
   * The authorizer's key, pinned (from the board's manifest `config` or provisioning): enrollment answers and
   * decisions signed by any other key are refused, and the stored enrollment is re-verified against it at boot.
   * Required unless `trustOnFirstUse` is set.
   */
  authorizerKey?: PublicKey;
  /**
   * Trust whichever key answers the first enrollment (then that key, as stored). For the simulator and the demo
   * only: whoever answers first (a rogue access point) becomes the authorizer. Default false.
   */
  trustOnFirstUse?: boolean;
  /**
   * The one-time provisioning token the operator issued for this terminal's merchant (`qrpay operator
   * provision`), or the operator's signed voucher (`qrpay operator voucher`, which needs no database row until
   * used, so it can be issued offline), sent inside the signed enrollment request. An authorizer that does
   * not enroll openly refuses a new terminal without one.
   */
  provisioningToken?: Uint8Array;
  /** Default ES256 (what secure elements offer). */
  keyAlgorithm?: SignatureAlgorithm;
  /** The keystore name of the terminal key. Default "terminal". */
  keyName?: string;
  /** The storage domain for the terminal's state. Default "qrpay". */
  storageDomain?: string;
  retry?: Partial<RetryPolicy>;
  /**
   * How far the terminal's clock may be from the authorizer's (as learned from verified answers) before the
   * terminal refuses to take payments, ms. Default 120 s. A decision bound to the request just sent is acted
   * on whatever its time: it cannot be an old one (clock-trust.ts).
   */
  decisionMaxSkew?: number;
  /** How long `charge` waits for a payment code, ms. Default 60 s. */
  codeTimeout?: number;
  /** Default: hold the relay 3 s when the board has an actuator. */
  actuation?: Actuation;
  /** How the terminal waits for a step-up (the customer confirming in the app). */
  stepUp?: Partial<StepUpPolicy>;
  /**
   * How many unsettled requests and undelivered reversals the terminal keeps before it refuses new charges
   * (`pending-work`): each is a customer whose money is not settled yet, and each takes a storage entry. Default 8.
   */
  maxPendingWork?: number;
  /**
   * How often the terminal downloads the trust and deny lists, ms (also at boot and after uploading offline
   * payments). A freeze or a revocation reaches an online terminal within this plus one exchange. Default 10 min.
   */
  listRefreshInterval?: number;
}

export interface ResolvedConfig extends Required<Omit<TerminalConfig, 'authorizerKey' | 'provisioningToken' | 'retry' | 'stepUp'>> {
  authorizerKey?: PublicKey;
  provisioningToken?: Uint8Array;
  retry: RetryPolicy;
  stepUp: StepUpPolicy;
}

export function resolveConfig(config: TerminalConfig): ResolvedConfig {
  const problem = configProblem(config);
  if (problem) throw new TerminalError('bad-config', problem);
  const resolved: ResolvedConfig = {
    authorizerUrl: config.authorizerUrl.replace(/\/+$/, ''),
    firmware: config.firmware,
    device: config.device,
    keyAlgorithm: config.keyAlgorithm ?? 'ES256',
    keyName: config.keyName ?? 'terminal',
    storageDomain: config.storageDomain ?? 'qrpay',
    retry: { ...defaultRetryPolicy, ...config.retry },
    decisionMaxSkew: config.decisionMaxSkew ?? 120_000,
    codeTimeout: config.codeTimeout ?? 60_000,
    actuation: config.actuation ?? { kind: 'hold', ms: 3000 },
    stepUp: { ...defaultStepUpPolicy, ...config.stepUp },
    trustOnFirstUse: config.trustOnFirstUse === true,
    maxPendingWork: config.maxPendingWork ?? 8,
    listRefreshInterval: config.listRefreshInterval ?? 600_000,
  };
  if (config.authorizerKey) resolved.authorizerKey = config.authorizerKey;
  if (config.provisioningToken) resolved.provisioningToken = config.provisioningToken;
  return resolved;
}

const positive = (value: unknown) => typeof value === 'number' && value > 0 && value < Infinity;

function configProblem(config: TerminalConfig): string | undefined {
  if (!config || typeof config.authorizerUrl !== 'string' || !/^https?:\/\/[^/]/.test(config.authorizerUrl)) return 'authorizerUrl must be an http(s) URL';
  if (typeof config.firmware !== 'string' || !/^[\x20-\x7e]{1,32}$/.test(config.firmware)) return 'firmware must be 1-32 printable characters';
  if (!config.device || typeof config.device.model !== 'string' || typeof config.device.serial !== 'string' || typeof config.device.board !== 'string') {
    return 'device needs model, serial and board';
  }
  if (config.authorizerKey !== undefined) {
    const key = config.authorizerKey;
    if (!key || !isPublicKey(key.alg, key.publicKey)) return 'authorizerKey is not a valid ES256 or EdDSA public key';
  } else if (config.trustOnFirstUse !== true) {
    return 'pin the authorizer key (authorizerKey), or set trustOnFirstUse: true to trust whoever answers first (simulator only)';
  }
  const token = config.provisioningToken;
  if (token !== undefined && !(token instanceof Uint8Array && token.length >= provisioningCredentialLength.min && token.length <= provisioningCredentialLength.max)) {
    return `provisioningToken must be ${provisioningCredentialLength.min} to ${provisioningCredentialLength.max} bytes (a token, or an operator's voucher)`;
  }
  const retry = config.retry ?? {};
  if (retry.attempts !== undefined && !(Number.isInteger(retry.attempts) && retry.attempts >= 1)) return 'retry.attempts must be a whole number, 1 or more';
  for (const key of ['timeout', 'backoff', 'maxBackoff'] as const) {
    if (retry[key] !== undefined && !positive(retry[key])) return `retry.${key} must be a positive number of milliseconds`;
  }
  if (config.maxPendingWork !== undefined && !(Number.isInteger(config.maxPendingWork) && config.maxPendingWork >= 1)) {
    return 'maxPendingWork must be a whole number, 1 or more';
  }
  for (const key of ['decisionMaxSkew', 'codeTimeout', 'listRefreshInterval'] as const) {
    if (config[key] !== undefined && !positive(config[key])) return `${key} must be a positive number of milliseconds`;
  }
  const stepUp = config.stepUp ?? {};
  for (const key of ['pollMs', 'timeoutMs'] as const) {
    if (stepUp[key] !== undefined && !positive(stepUp[key])) return `stepUp.${key} must be a positive number of milliseconds`;
  }
  return undefined;
}

export const paths = { enroll: '/v1/enroll', authorize: '/v1/authorize', reverse: '/v1/reverse', instruct: '/v1/instruct', offlineBatch: '/v1/offline-batch', trustList: '/v1/trust-list', denyList: '/v1/deny-list', decisionKeys: '/v1/decision-keys' } as const;
