/**
 * The reference authorizer, assembled: SQLite database in a data directory,
 * its decision key and operator root key (kept in the database), the operator
 * lists, the protocol service and the HTTP face on loopback.
 */
import type { MerchantProfile } from '../../src/authorization/enrollment';
import type { PublicKey } from '../../src/authorization/signer';
import { openDatabase, schemaVersion, type Db } from './database';
import { listen } from './http-server';
import { storedKey } from './keys';
import { Operator, type IssuerEntry } from './operator';
import { AuthorizerService } from './service';
import { countTerminals } from './store';
import type { Disputes } from './disputes/disputes';
import { judgementStack, type NotifyConfig } from './judgement-stack';
import type { Dispatcher } from './notify/dispatcher';
import type { RiskConfig } from './risk/config';
import type { Judgement } from './risk/judgement';
import type { StepUps } from './stepup/step-ups';

export type { NotifyConfig } from './judgement-stack';

export const simulatorMerchant: MerchantProfile = {
  merchantId: 'M-DEMO',
  name: 'Cafe Lumiere',
  currency: 'EUR',
  purposes: ['counter-sale', 'bike-unlock', 'arcade-credit'],
  // Place de la Republique, Paris: the simulated GNSS fixes are around here.
  site: { latitude: 48.8675, longitude: 2.3638, radius: 250 },
};

export interface AuthorizerConfig {
  /** Where authorizer.sqlite lives (':memory:' for a throwaway database). */
  dataDir: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Enroll terminals without an operator (default true: the simulator). */
  autoApprove?: boolean;
  merchant?: MerchantProfile;
  /** Largest single payment, minor units. Default 50 000 (500.00). */
  maxAmount?: number;
  /** Issuers to trust from the start (added to the database). */
  issuers?: IssuerEntry[];
  /** The authorizer's clock (tests move it). Default Date.now. */
  now?: () => number;
  onExchange?(entry: { method: string; path: string; status: number; ms: number }): void;
  /** Factor points, parameters and thresholds (risk/config.ts). Default: the safe defaults. */
  risk?: RiskConfig;
  notify?: NotifyConfig;
}

export interface RunningAuthorizer {
  url: string;
  port: number;
  db: Db;
  service: AuthorizerService;
  operator: Operator;
  judgement: Judgement;
  stepUps: StepUps;
  disputes: Disputes;
  dispatcher: Dispatcher;
  /** The key terminals verify decisions with. */
  decisionKey: PublicKey;
  close(): Promise<void>;
}

export async function startAuthorizer(config: AuthorizerConfig): Promise<RunningAuthorizer> {
  const now = config.now ?? Date.now;
  const db = openDatabase(config.dataDir, now);
  try {
    const decisionKey = storedKey(db, 'decision.key');
    const operator = new Operator({ db, root: storedKey(db, 'operator.key'), now });
    for (const issuer of config.issuers ?? []) operator.trustIssuer(issuer);
    const { judgement, stepUps, disputes, dispatcher, routes } = judgementStack({
      db, dataDir: config.dataDir, decisionKey, operator, now, ...(config.risk ? { risk: config.risk } : {}), ...(config.notify ? { notify: config.notify } : {}),
    });
    const service = new AuthorizerService({
      db,
      signer: decisionKey,
      publicKey: decisionKey.publicKey,
      judgeCode: operator.judge,
      trustList: () => operator.trustList(),
      denyList: () => operator.denyList(),
      operator: operator.rootKey,
      merchant: config.merchant ?? simulatorMerchant,
      maxAmount: config.maxAmount ?? 50_000,
      autoApprove: config.autoApprove ?? true,
      now,
      judgement,
    });
    const listening = await listen(
      {
        service,
        trustList: () => operator.trustList(),
        denyList: () => operator.denyList(),
        health: () => ({
          ok: true,
          schema: schemaVersion(db),
          terminals: countTerminals(db),
          requests: (db.prepare('SELECT COUNT(*) AS n FROM requests').get() as { n: number }).n,
        }),
        onExchange: config.onExchange,
        routes,
      },
      config.host ?? '127.0.0.1',
      config.port ?? 0,
    );
    dispatcher.start();
    return {
      url: listening.url,
      port: listening.port,
      db,
      service,
      operator,
      judgement,
      stepUps,
      disputes,
      dispatcher,
      decisionKey: decisionKey.publicKey,
      close: async () => {
        await listening.close();
        await dispatcher.stop();
        db.close();
      },
    };
  } catch (error) {
    db.close();
    throw error;
  }
}
