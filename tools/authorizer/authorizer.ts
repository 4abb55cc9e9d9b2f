/**
 * The reference authorizer as a server: the composition root (composition.ts)
 * with the HTTP face on loopback (HTTPS when given a certificate), the
 * notification dispatcher running, every exchange counted (ops/metrics.ts)
 * and handed to `onExchange` (the CLI's JSON log), readiness answered from
 * the database, and a `close()` that drains the requests under way before it
 * closes the database.
 */
import type { PublicKey } from '../../src/authorization/signer';
import { encode } from '../../src/codec/cbor';
import type { Answer } from './domain/results';
import type { DecisionKeyRing } from './keys';
import { composeAuthorizer, type Authorizer, type CompositionConfig } from './composition';
import { walletRoutes } from './http/wallet-routes';
import type { ExchangeEntry } from './http/exchange';
import { trustedProxies } from './http/client-address';
import { listen, readBody, type TlsFiles } from './http/server';
import { AuthorizerMetrics } from './ops/metrics';
import type { Db } from './store/sqlite/database';
import { SqliteStore } from './store/sqlite/index';

export { simulatorMerchant, type NotifyConfig } from './composition';

export interface AuthorizerConfig extends CompositionConfig {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** PEM certificate and key: HTTPS instead of HTTP (ops/tls.ts reads and checks them). */
  tls?: TlsFiles;
  onExchange?(entry: ExchangeEntry): void;
  /** Reverse proxies in front of this instance whose X-Forwarded-For is believed (http/client-address.ts): IP addresses. */
  trustedProxies?: readonly string[];
  /** Node's process metrics (CPU, memory, event loop, GC) in `metrics` too: once per process, so the CLI's. */
  processMetrics?: boolean;
}

/** How long the database may take to answer a readiness probe before the instance counts as not ready. */
export const readinessTimeoutMs = 2_000;

export interface RunningAuthorizer extends Omit<Authorizer, 'decisionKey' | 'close'> {
  url: string;
  port: number;
  /** The SQLite connection (tests read tables through it); throws for the memory store. */
  db: Db;
  /** The key terminals verify decisions with, as the authorizer started (a terminal pins it). */
  decisionKey: PublicKey;
  /** The decision keys as they rotate (keys.ts): `rotate`, `rotations`, the key signing now. */
  decisionKeys: DecisionKeyRing;
  metrics: AuthorizerMetrics;
  /** Why the instance is not ready (the database), or undefined: what GET /v1/ready answers. */
  notReady(): Promise<string | undefined>;
  /**
   * Drains and stops: no new connections, the requests under way answered (at most `graceMs`, default 10 s),
   * then the dispatcher stopped and the database closed.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

export async function startAuthorizer(config: AuthorizerConfig): Promise<RunningAuthorizer> {
  // Checked before anything opens: a mistyped proxy address is a configuration error, not a running instance.
  const proxies = trustedProxies(config.trustedProxies ?? []);
  const authorizer = await composeAuthorizer(config);
  const { store, service, lists, stepUps, disputes, now } = authorizer;
  const ring = authorizer.decisionKey;
  // Stored answers go out re-signed when an older decision key signed them (a retry across a rotation).
  const current = async (answer: Promise<Answer<unknown>>): Promise<Answer<unknown>> => {
    const a = await answer;
    return a.kind === 'signed' ? { kind: 'signed', body: ring.current(a.body) } : a;
  };
  const wallet = walletRoutes({ store, stepUps, disputes, now, readBody });
  let inFlight = () => 0;
  const metrics = new AuthorizerMetrics(
    { inFlight: () => inFlight(), backlog: () => store.transaction((tx) => tx.outbox.backlog()) },
    { processMetrics: config.processMetrics ?? false },
  );
  const notReady = async (): Promise<string | undefined> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve('database not answering'), readinessTimeoutMs);
    });
    // The keys were loaded before the port opened; what can go away since is the database.
    const probe = store.schemaVersion().then(() => undefined, () => 'database unreachable');
    try {
      return await Promise.race([probe, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    const listening = await listen(
      {
        cose: {
          '/v1/enroll': (body, sender) => service.enroll(body, sender.source),
          '/v1/authorize': (body) => current(service.authorize(body)),
          '/v1/reverse': (body) => current(authorizer.reversals.reverse(body)),
          '/v1/instruct': (body) => current(authorizer.instructions.receive(body)),
          '/v1/offline-batch': (body) => service.adviseBatch(body),
        },
        trustList: () => store.transaction((tx) => lists.trustList(tx)),
        denyList: () => store.transaction((tx) => lists.denyList(tx)),
        decisionKeys: () => encode(ring.rotations()),
        // Liveness only: counts tell a stranger how busy the system is; the operator reads them with `qrpay operator counts`.
        health: async () => ({ ok: true }),
        notReady,
        trustedProxies: proxies,
        onExchange: (entry) => {
          metrics.exchange(entry);
          config.onExchange?.(entry);
        },
        // A step-up's final decision, polled by the terminal, is stored too.
        routes: async (request, path) => {
          const answer = await wallet(request, path);
          return answer && answer.contentType === 'application/cose' ? { ...answer, body: ring.current(answer.body) } : answer;
        },
      },
      { host: config.host ?? '127.0.0.1', port: config.port ?? 0, ...(config.tls ? { tls: config.tls } : {}) },
    );
    inFlight = listening.inFlight;
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
      decisionKeys: ring,
      metrics,
      notReady,
      close: async (options) => {
        await listening.close(options);
        clearInterval(expiry);
        await authorizer.close();
      },
    };
  } catch (error) {
    await authorizer.close();
    throw error;
  }
}
