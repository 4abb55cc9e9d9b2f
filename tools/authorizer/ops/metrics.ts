/**
 * Prometheus metrics of an authorizer process (prom-client): exchanges by
 * route and status, their latency, signed decisions by outcome and reason,
 * failures that escaped the domain (the database unreachable or failing, or a
 * bug: the log line says which), requests in flight and the notification
 * backlog. Served on a listener of its own (`qrpay authorizer --metrics
 * HOST:PORT`, off by default), never on the terminals' port: counts say how
 * busy the system is, which /v1/health deliberately does not (docs/security.md).
 *
 * prom-client rather than our own text writer for its cluster aggregation:
 * with --workers the primary answers a scrape by asking every worker for its
 * registry over the cluster's IPC channel and summing (AggregatorRegistry), and
 * for Node's process metrics (CPU, memory, event-loop delay, GC) per process.
 * Labels are bounded: routes come from a fixed list (http/exchange.ts),
 * outcomes and reasons from the domain's.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ExchangeEntry } from '../http/exchange';

/** Latency buckets, seconds: a loopback authorization takes milliseconds; the target p99 is 50 ms. */
export const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface MetricsSources {
  inFlight(): number;
  backlog(): Promise<{ queued: number; dead: number }>;
}

export class AuthorizerMetrics {
  readonly registry = new Registry();
  readonly #exchanges: Counter<'route' | 'status'>;
  readonly #latency: Histogram<'route'>;
  readonly #decisions: Counter<'route' | 'outcome' | 'reason'>;
  readonly #internalErrors: Counter<'route'>;

  constructor(sources: MetricsSources, options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.#exchanges = new Counter({ name: 'qrpay_http_requests_total', help: 'HTTP exchanges answered, by route and status', labelNames: ['route', 'status'], registers });
    this.#latency = new Histogram({
      name: 'qrpay_http_request_duration_seconds', help: 'Time from a request\'s arrival to its answer, by route', labelNames: ['route'], buckets: latencyBuckets, registers,
    });
    this.#decisions = new Counter({
      name: 'qrpay_decisions_total', help: 'Signed decisions on authorization requests and offline advices, by outcome and reason', labelNames: ['route', 'outcome', 'reason'], registers,
    });
    this.#internalErrors = new Counter({
      name: 'qrpay_internal_errors_total', help: 'Exchanges that failed inside the server (500): the database unreachable or failing, or a bug', labelNames: ['route'], registers,
    });
    new Gauge({
      name: 'qrpay_http_requests_in_flight', help: 'Requests being answered right now', registers,
      collect() {
        this.set(sources.inFlight());
      },
    });
    new Gauge({
      name: 'qrpay_notifications', help: 'Customer notifications waiting for delivery (queued) or given up (dead), in the database', labelNames: ['state'], registers,
      // Every worker reads the same database: the cluster's value is one worker's, not their sum.
      aggregator: 'max',
      async collect() {
        try {
          const backlog = await sources.backlog();
          this.set({ state: 'queued' }, backlog.queued);
          this.set({ state: 'dead' }, backlog.dead);
        } catch {
          // The database is unreachable: no figure rather than a stale one (readiness and the error counter say why).
          this.reset();
        }
      },
    });
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry });
  }

  exchange(entry: ExchangeEntry): void {
    this.#exchanges.inc({ route: entry.route, status: String(entry.status) });
    this.#latency.observe({ route: entry.route }, entry.ms / 1000);
    if ((entry.route === '/v1/authorize' || entry.route === '/v1/advice') && entry.outcome !== undefined) {
      this.#decisions.inc({ route: entry.route, outcome: entry.outcome, reason: entry.reason ?? '' });
    }
    if (entry.status >= 500) this.#internalErrors.inc({ route: entry.route });
  }

  /** In a --workers worker: this registry is the one the primary's scrape collects. */
  shareWithPrimary(): void {
    AggregatorRegistry.setRegistries([this.registry]);
    // Constructing one starts the worker's side of the exchange (answering the primary's requests).
    new AggregatorRegistry();
  }
}

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/** `HOST:PORT` (`[::1]:9464`, `127.0.0.1:0`) → its parts; undefined when it is not one. */
export function parseHostPort(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port > 65535) return undefined;
  return { host: match[1] ?? match[2], port };
}

/** GET /metrics in Prometheus' text format, from `text()` (one process's registry, or the cluster's aggregate). */
export function serveMetrics(text: () => Promise<string>, contentType: string, host: string, port: number): Promise<MetricsListener> {
  const server = http.createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('GET /metrics\n');
      return;
    }
    text().then(
      (body) => response.writeHead(200, { 'content-type': contentType }).end(body),
      (error: unknown) => response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics unavailable: ${(error as Error).message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${address.port}/metrics`,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}

/** The --workers primary's scrape: every worker's registry, summed (gauges by their own aggregator). */
export function clusterMetricsText(): { text: () => Promise<string>; contentType: string } {
  const aggregator = new AggregatorRegistry();
  return { text: () => aggregator.clusterMetrics(), contentType: aggregator.contentType };
}
