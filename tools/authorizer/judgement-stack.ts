/**
 * The judgement and "accidents will happen" parts of the authorizer, wired
 * together over one database: the risk judgement (hooked into the protocol
 * service), step-ups, reports and freezes, the notification outbox with its
 * dispatcher and channels, and the HTTP routes for wallets and step-up polls.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IncomingMessage } from 'node:http';
import type { Db } from './database';
import { Disputes } from './disputes/disputes';
import { walletRoutes } from './disputes/wallet-api';
import { readBody } from './http-server';
import type { ServerKey } from './keys';
import { Dispatcher, type DispatcherOptions } from './notify/dispatcher';
import { spoolTransport, webhookTransport, type Transport } from './notify/transports';
import type { Operator } from './operator';
import { defaultRiskConfig, type RiskConfig } from './risk/config';
import { Judgement } from './risk/judgement';
import type { Reply } from './service';
import { StepUps } from './stepup/step-ups';

/**
 * Where customer notifications go. Each channel is a webhook URL when given,
 * else a spool directory under the data directory (outbox/<channel>/) that a
 * push service or an SMS / e-mail gateway picks up.
 */
export interface NotifyConfig {
  walletWebhook?: string;
  gatewayUrl?: string;
  dispatcher?: Omit<DispatcherOptions, 'db' | 'transports' | 'now'>;
}

export interface JudgementStack {
  judgement: Judgement;
  stepUps: StepUps;
  disputes: Disputes;
  dispatcher: Dispatcher;
  routes(request: IncomingMessage, path: string): Promise<Reply | undefined>;
}

export function judgementStack(options: {
  db: Db;
  dataDir: string;
  decisionKey: ServerKey;
  operator: Operator;
  now: () => number;
  risk?: RiskConfig;
  notify?: NotifyConfig;
}): JudgementStack {
  const { db, now } = options;
  const risk = options.risk ?? defaultRiskConfig;
  const notify = options.notify ?? {};
  // Webhook bodies are signed with the decision key, the key terminals and wallets already know the authorizer by.
  const signer = options.decisionKey;
  const spool = options.dataDir === ':memory:' ? join(tmpdir(), `qrpay-outbox-${process.pid}`) : join(options.dataDir, 'outbox');
  const transports: Record<'wallet-push' | 'message', Transport> = {
    'wallet-push': notify.walletWebhook ? webhookTransport(notify.walletWebhook, { signer }) : spoolTransport(join(spool, 'wallet-push')),
    message: notify.gatewayUrl ? webhookTransport(notify.gatewayUrl, { signer }) : spoolTransport(join(spool, 'message')),
  };
  const dispatcher = new Dispatcher({ db, transports, now, ...notify.dispatcher });
  const kick = () => dispatcher.kick();
  const stepUps = new StepUps({ db, signer: options.decisionKey, holdThreshold: () => risk.thresholds.hold, onQueued: kick });
  const judgement = new Judgement({ db, config: risk, stepUps, onQueued: kick });
  const disputes = new Disputes({ db, operator: options.operator, stepUps, now, autoCreditMax: () => risk.compensation.autoCreditMax, onQueued: kick });
  return { judgement, stepUps, disputes, dispatcher, routes: walletRoutes({ db, stepUps, disputes, now, readBody }) };
}
