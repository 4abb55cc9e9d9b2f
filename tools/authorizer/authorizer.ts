/**
 * The reference authorizer as a server: the composition root (composition.ts)
 * with the HTTP face on loopback and the notification dispatcher running.
 */
import type { PublicKey } from '../../src/authorization/signer';
import { composeAuthorizer, type Authorizer, type CompositionConfig } from './composition';
import { walletRoutes } from './http/wallet-routes';
import { listen, readBody } from './http/server';
import type { Db } from './store/sqlite/database';
import { SqliteStore } from './store/sqlite/index';

export { simulatorMerchant, type NotifyConfig } from './composition';

export interface AuthorizerConfig extends CompositionConfig {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  onExchange?(entry: { method: string; path: string; status: number; ms: number }): void;
}

export interface RunningAuthorizer extends Omit<Authorizer, 'decisionKey' | 'close'> {
  url: string;
  port: number;
  /** The SQLite connection (tests read tables through it); throws for the memory store. */
  db: Db;
  /** The key terminals verify decisions with. */
  decisionKey: PublicKey;
  close(): Promise<void>;
}

export async function startAuthorizer(config: AuthorizerConfig): Promise<RunningAuthorizer> {
  const authorizer = await composeAuthorizer(config);
  const { store, service, lists, stepUps, disputes, now } = authorizer;
  try {
    const listening = await listen(
      {
        cose: {
          '/v1/enroll': (body, sender) => service.enroll(body, sender.source),
          '/v1/authorize': (body) => service.authorize(body),
          '/v1/reverse': (body) => authorizer.reversals.reverse(body),
          '/v1/instruct': (body) => authorizer.instructions.receive(body),
          '/v1/offline-batch': (body) => service.adviseBatch(body),
        },
        trustList: () => store.transaction((tx) => lists.trustList(tx)),
        denyList: () => store.transaction((tx) => lists.denyList(tx)),
        // Liveness only: counts tell a stranger how busy the system is; the operator reads them with `qrpay operator counts`.
        health: async () => ({ ok: true }),
        onExchange: config.onExchange,
        routes: walletRoutes({ store, stepUps, disputes, now, readBody }),
      },
      config.host ?? '127.0.0.1',
      config.port ?? 0,
    );
    authorizer.dispatcher.start();
    // Holds nobody completed are released within a minute of their expiry.
    const expiry = setInterval(() => void authorizer.instructions.expireHolds().catch(() => undefined), 60_000);
    expiry.unref();
    return {
      ...authorizer,
      url: listening.url,
      port: listening.port,
      get db(): Db {
        if (!(store instanceof SqliteStore)) throw new Error(`this authorizer runs on the ${store.kind} store: it has no SQLite connection`);
        return store.db;
      },
      decisionKey: authorizer.decisionKey.publicKey,
      close: async () => {
        clearInterval(expiry);
        await listening.close();
        await authorizer.close();
      },
    };
  } catch (error) {
    await authorizer.close();
    throw error;
  }
}
