/**
 * The one composition root: a store (SQLite in a data directory, PostgreSQL
 * at a postgres:// URL, or memory), the authorizer's keys from their
 * owner-only files (keys.ts), and the domain services wired over it (lists,
 * judgement, step-ups, disputes, authorization, the outbox's
 * dispatcher). The server (authorizer.ts) puts the HTTP face on it; the
 * operator's command line (tools/operator) uses it as is.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MerchantProfile } from '../../src/authorization/enrollment';
import { AuthorizerService, defaultRateLimits, type RateLimits } from './domain/authorization';
import { Disputes } from './domain/disputes';
import { Lists, type IssuerEntry } from './domain/lists';
import { applyMerchants, type ImportLine, type MerchantsConfig } from './domain/merchants';
import { defaultRiskConfig, type RiskConfig } from './domain/risk/config';
import type { EnrollmentLimits, EnrollmentMode } from './domain/provisioning';
import { Judgement } from './domain/risk/judgement';
import { Instructions } from './domain/instructions';
import { OfflineLosses } from './domain/offline';
import { defaultOfflineLimits, type OfflineLimits } from '../../src/authorization/enrollment';
import { Reversals } from './domain/reversals';
import { StepUps } from './domain/step-ups';
import { DecisionKeyRing, fileKey, type ServerKey } from './keys';
import { Dispatcher, type DispatcherOptions } from './notify/dispatcher';
import { spoolTransport, webhookTransport, type Transport } from './notify/transports';
import { MemoryStore } from './store/memory/index';
import type { Store } from './store/ports';
import { PostgresStore } from './store/postgres/index';
import { SqliteStore } from './store/sqlite/index';

export const simulatorMerchant: MerchantProfile = {
  merchantId: 'M-DEMO',
  name: 'Cafe Lumiere',
  currency: 'EUR',
  purposes: ['counter-sale', 'bike-unlock', 'arcade-credit'],
  // Place de la Republique, Paris: the simulated GNSS fixes are around here.
  site: { latitude: 48.8675, longitude: 2.3638, radius: 250 },
};

/**
 * Where customer notifications go. Each channel is a webhook URL when given,
 * else a spool directory under the data directory (outbox/<channel>/) that a
 * push service or an SMS / e-mail gateway picks up.
 */
export interface NotifyConfig {
  walletWebhook?: string;
  gatewayUrl?: string;
  dispatcher?: Omit<DispatcherOptions, 'store' | 'transports' | 'now'>;
}

export interface CompositionConfig {
  /** Where authorizer.sqlite (and the notification spool) live; ':memory:' for a throwaway SQLite database. */
  dataDir: string;
  /** 'sqlite' (default) in dataDir, 'memory', or a store of your own; `database` overrides it. */
  store?: 'sqlite' | 'memory' | Store;
  /** A postgres:// (or postgresql://) URL: the PostgreSQL store, shared by every process given the same URL. */
  database?: string;
  /**
   * How new terminals enroll (domain/provisioning.ts): 'provisioned' (default: a one-time token from
   * `qrpay operator provision`), 'manual' (pending until an operator approves), or 'open' (every key that asks:
   * the simulator and the demo, explicitly).
   */
  enrollment?: EnrollmentMode;
  /** The merchant terminals enroll for without a token ('open', 'manual'). Default the simulator's; recorded on open. */
  merchant?: MerchantProfile;
  /**
   * The operator's merchants and sites (domain/merchants.ts: merchants.json), created or updated on open; the
   * first merchant and its first site replace `merchant` for enrollments without a token.
   */
  merchants?: MerchantsConfig;
  /** Largest single payment, minor units. Default 50 000 (500.00). */
  maxAmount?: number;
  /** Issuers to trust from the start (added to the store). */
  issuers?: IssuerEntry[];
  /** The authorizer's clock (tests move it). Default Date.now. */
  now?: () => number;
  /** Factor points, parameters and thresholds (domain/risk/config.ts). Default: the safe defaults. */
  risk?: RiskConfig;
  notify?: NotifyConfig;
  /** How long a pre-authorization's hold lasts without a completion, ms. Default 24 h. */
  holdTtl?: number;
  /** What terminals may accept offline (sent at enrollment). Default `defaultOfflineLimits`; null: never offline. */
  offline?: OfflineLimits | null;
  /** Per-terminal and per-credential rates (domain/authorization.ts). Default defaultRateLimits. */
  limits?: RateLimits;
  /** Enrollment attempts per source and per provisioning credential (domain/provisioning.ts). Default defaultEnrollmentLimits. */
  enrollmentLimits?: EnrollmentLimits;
}

/** The offline limits terminals get by default (src/authorization/enrollment.ts). */
export { defaultOfflineLimits };

export interface Authorizer {
  store: Store;
  /** The decision keys (keys.ts): signs with the current one, follows rotations, re-signs stale stored answers. */
  decisionKey: DecisionKeyRing;
  /** The operator key: signs the issuer and deny lists, and the enrollment vouchers (`qrpay operator voucher`). */
  operatorKey: ServerKey;
  lists: Lists;
  service: AuthorizerService;
  judgement: Judgement;
  stepUps: StepUps;
  disputes: Disputes;
  reversals: Reversals;
  instructions: Instructions;
  dispatcher: Dispatcher;
  risk: RiskConfig;
  now: () => number;
  /**
   * What applying the merchants (the file, or the default merchant) did at this start; `kept` lines are operator
   * edits the file differs from, left as the operator made them (the server logs them, the operator's CLI prints them).
   */
  merchantsImport: ImportLine[];
  /** Adds (or re-keys) a trusted issuer; terminals get it with their next trust list. */
  trustIssuer(issuer: IssuerEntry): Promise<void>;
  close(): Promise<void>;
}

/** A --database value that is not a PostgreSQL URL. */
export class DatabaseUrlError extends Error {
  constructor(url: string) {
    super(`--database must be a postgres:// or postgresql:// URL, got ${JSON.stringify(url.replace(/\/\/[^@/]*@/, '//…@'))}`);
  }
}
Object.defineProperty(DatabaseUrlError.prototype, 'name', { value: 'DatabaseUrlError' });

async function openStore(config: CompositionConfig): Promise<Store> {
  if (config.database !== undefined) {
    if (!/^postgres(ql)?:\/\//.test(config.database)) throw new DatabaseUrlError(config.database);
    return PostgresStore.open(config.database, { now: config.now });
  }
  const store = config.store ?? 'sqlite';
  if (store === 'memory') return new MemoryStore();
  if (store === 'sqlite') return SqliteStore.open(config.dataDir, config.now);
  return store;
}

export async function composeAuthorizer(config: CompositionConfig): Promise<Authorizer> {
  const now = config.now ?? Date.now;
  const risk = config.risk ?? defaultRiskConfig;
  const notify = config.notify ?? {};
  const store = await openStore(config);
  try {
    const decisionKey = await DecisionKeyRing.open(store, config.dataDir, now);
    const offlineLimits = config.offline === null ? undefined : config.offline ?? defaultOfflineLimits;
    const operatorKey = await fileKey(store, config.dataDir, 'operator.key');
    const lists = new Lists({ root: operatorKey, now, ...(offlineLimits ? { offlineLimits } : {}) });
    const configured = config.merchants?.merchants[0];
    const merchant = configured?.profile ?? config.merchant ?? simulatorMerchant;
    const merchantsImport = await store.transaction(async (tx) => {
      const lines: ImportLine[] = [];
      if (config.merchants) lines.push(...await applyMerchants(tx, config.merchants, now()));
      // Without a file, the default merchant is created at the first start and then the operator's to change
      // (qrpay operator merchant edit): no start or operator command puts it back.
      else if (await tx.merchants.insert(merchant, config.maxAmount ?? 50_000, now(), 'config')) lines.push({ kind: 'merchant', id: merchant.merchantId, action: 'created' });
      for (const issuer of config.issuers ?? []) await lists.trustIssuer(tx, issuer);
      return lines;
    });
    // Webhook bodies are signed with the decision key, the key terminals and wallets already know the authorizer by.
    const spool = config.dataDir === ':memory:' || store.kind === 'memory' ? join(tmpdir(), `qrpay-outbox-${process.pid}`) : join(config.dataDir, 'outbox');
    const transports: Record<'wallet-push' | 'message', Transport> = {
      'wallet-push': notify.walletWebhook ? webhookTransport(notify.walletWebhook, { signer: decisionKey }) : spoolTransport(join(spool, 'wallet-push')),
      message: notify.gatewayUrl ? webhookTransport(notify.gatewayUrl, { signer: decisionKey }) : spoolTransport(join(spool, 'message')),
    };
    const dispatcher = new Dispatcher({ store, transports, now, ...notify.dispatcher });
    const kick = () => dispatcher.kick();
    const stepUps = new StepUps({ store, signer: decisionKey, holdThreshold: () => risk.thresholds.hold, onQueued: kick });
    const judgement = new Judgement({ config: risk, stepUps, onQueued: kick, ...(config.holdTtl ? { holdTtl: config.holdTtl } : {}) });
    const disputes = new Disputes({ store, lists, stepUps, now, autoCreditMax: () => risk.compensation.autoCreditMax, onQueued: kick });
    const reversals = new Reversals({ store, signer: decisionKey, stepUps, now, onQueued: kick });
    const instructions = new Instructions({ store, signer: decisionKey, now, onQueued: kick });
    const service = new AuthorizerService({
      store,
      signer: decisionKey,
      judgeCode: lists.judge,
      trustList: (tx) => lists.trustList(tx),
      denyList: (tx) => lists.denyList(tx),
      listVersions: (tx) => lists.versions(tx),
      operator: lists.rootKey,
      merchant,
      ...(configured ? { defaultSiteId: configured.sites[0].id } : {}),
      enrollment: config.enrollment ?? 'provisioned',
      now,
      judgement,
      offline: new OfflineLosses({ lists, onQueued: kick }),
      ...(offlineLimits ? { offlineLimits } : {}),
      limits: config.limits ?? defaultRateLimits,
      ...(config.enrollmentLimits ? { enrollmentLimits: config.enrollmentLimits } : {}),
    });
    return {
      store, decisionKey, operatorKey, lists, service, judgement, stepUps, disputes, reversals, instructions, dispatcher, risk, now, merchantsImport,
      trustIssuer: (issuer) => store.transaction((tx) => lists.trustIssuer(tx, issuer)),
      close: async () => {
        await dispatcher.stop();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}
