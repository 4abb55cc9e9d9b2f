/**
 * The authorizer's HTTP face (node:http), loopback by default:
 *   POST /v1/enroll      application/cose  enrollment request → signed answer
 *   POST /v1/authorize   application/cose  authorization request → signed decision
 *   POST /v1/reverse     application/cose  a terminal's reversal → signed acknowledgement
 *   POST /v1/instruct    application/cose  a completion, void, refund or batch close → signed result
 *   POST /v1/offline-batch  application/cose  offline approvals, uploaded → a signed acknowledgement with each decision
 *   GET  /v1/trust-list  the operator-signed issuer trust list (application/cose)
 *   GET  /v1/deny-list   the operator-signed deny list (application/cose)
 *   GET  /v1/decision-keys  the decision-key rotations, oldest first (application/cbor: an array of signed rotations)
 *   GET  /v1/health      JSON {"ok":true}: liveness, nothing more
 *   GET  /v1/ready       readiness: 200 {"ready":true}, or 503 {"ready":false,"reason":...} while the
 *                        database cannot be reached
 *   POST /v1/wallet, GET /v1/step-up/<hash>  wallet messages and step-up polls (wallet-routes.ts, via `routes`)
 * Bodies over 16 KiB are refused (413) before they are read in full. The
 * domain answers with results (domain/results.ts); this file alone turns
 * them into status codes. Over HTTPS when given a certificate and key.
 *
 * Every exchange gets a request id (the caller's `x-request-id` when it is a
 * plain token, else a fresh one), echoed in the answer and reported with the
 * exchange's facts (exchange.ts) to `onExchange`. `close()` drains: no new
 * connection is accepted, idle keep-alive connections are closed, the
 * requests under way finish (up to `graceMs`) and their connections close
 * after the answer, then whatever remains is cut.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { Answer, Refusal } from '../domain/results';
import { clientAddress } from './client-address';
import { describeAnswer, routeOf, type ExchangeEntry, type ExchangeFacts } from './exchange';

export const maxBodyBytes = 16 * 1024;

/** What the HTTP layer sends back. */
export interface Reply {
  status: number;
  contentType: string;
  body: Uint8Array;
  /** What the answer said (outcome, terminal), for the exchange's log line and metrics. */
  facts?: ExchangeFacts;
}

export const statusOf: Record<Refusal, number> = {
  malformed: 400, forbidden: 403, 'not-found': 404, conflict: 409, expired: 410, pending: 202, 'rate-limited': 429,
};

/** A domain answer as a reply: signed messages as application/cose, values and refusals as JSON or text. */
export function reply(answer: Answer<unknown>, errors: 'json' | 'text'): Reply {
  if (answer.kind === 'signed') return { status: 200, contentType: 'application/cose', body: answer.body };
  if (answer.kind === 'value') return json(200, answer.value);
  const status = statusOf[answer.refusal];
  if (answer.refusal === 'pending') return json(status, { state: 'pending' });
  return errors === 'json' ? json(status, { error: answer.problem }) : text(status, answer.problem);
}

/** Who sent a request, as far as the connection tells: the peer's address, or the client a trusted proxy saw (client-address.ts). */
export interface Sender {
  source: string;
}

/** The signed-message endpoints: POST application/cose → a domain answer. */
export type CoseEndpoints = Record<string, (body: Uint8Array, sender: Sender) => Promise<Answer<unknown>>>;

export interface HttpFaceOptions {
  cose: CoseEndpoints;
  trustList(): Promise<Uint8Array>;
  denyList(): Promise<Uint8Array>;
  /** The decision-key rotations, encoded (a CBOR array of COSE messages; empty before any rotation). */
  decisionKeys(): Uint8Array;
  health(): Promise<Record<string, unknown>>;
  /** Readiness: undefined when ready, else why not (a short phrase, no detail an outsider could use). */
  notReady?(): Promise<string | undefined>;
  /** Further endpoints (wallet messages, step-up polls): a reply, or undefined for not mine. */
  routes?(request: http.IncomingMessage, path: string): Promise<Reply | undefined>;
  /** Called after each exchange (the JSON log line, the metrics). */
  onExchange?(entry: ExchangeEntry): void;
  /** Reverse proxies whose `X-Forwarded-For` names the sender (client-address.ts `trustedProxies`); none by default. */
  trustedProxies?: ReadonlySet<string>;
}

/** PEM certificate chain and private key: the server speaks HTTPS. */
export interface TlsFiles {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface ListenOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  tls?: TlsFiles;
}

export interface Listening {
  url: string;
  port: number;
  /** Requests being answered right now. */
  inFlight(): number;
  /** Drains and stops (see the file's comment); `graceMs` default 10 000. */
  close(options?: { graceMs?: number }): Promise<void>;
}

/** A caller's request id is kept when it is a plain token (a load balancer's), so log lines can be joined. */
const requestIdPattern = /^[A-Za-z0-9._:-]{1,64}$/;

export function listen(face: HttpFaceOptions, options: ListenOptions = {}): Promise<Listening> {
  const host = options.host ?? '127.0.0.1';
  let draining = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  const handler = (request: http.IncomingMessage, response: http.ServerResponse) => {
    const started = performance.now();
    inFlight++;
    const path = (request.url ?? '/').split('?')[0];
    const given = request.headers['x-request-id'];
    const requestId = typeof given === 'string' && requestIdPattern.test(given) ? given : randomBytes(8).toString('hex');
    const send = (r: Reply, error?: unknown) => {
      const headers: Record<string, string> = { 'content-type': r.contentType, 'content-length': String(r.body.length), 'x-request-id': requestId };
      // A draining server tells keep-alive clients to reconnect (to another instance) for their next request.
      if (draining) headers.connection = 'close';
      response.writeHead(r.status, headers);
      response.end(r.body);
      face.onExchange?.({
        requestId, method: request.method ?? '?', route: routeOf(path), status: r.status, ms: performance.now() - started,
        ...r.facts, ...(error !== undefined ? { error } : {}),
      });
    };
    // Under way until both its work is done (a client that hung up does not cut a transaction short) and its
    // answer has left (or its connection is gone).
    let parts = 2;
    const partDone = () => {
      if (--parts === 0 && --inFlight === 0 && drained) drained();
    };
    response.once('close', partDone);
    route(face, request, path)
      .then((r) => send(r))
      .catch((error: unknown) => send(text(500, 'internal error'), error))
      .finally(partDone);
  };
  const server = options.tls ? https.createServer({ cert: options.tls.cert, key: options.tls.key }, handler) : http.createServer(handler);
  // A terminal sends a few hundred bytes: a client that dawdles is cut off instead of holding a socket.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `${options.tls ? 'https' : 'http'}://${shownHost}:${address.port}`,
        port: address.port,
        inFlight: () => inFlight,
        close: ({ graceMs = 10_000 } = {}) =>
          new Promise<void>((done) => {
            draining = true;
            const closed = new Promise<void>((resolveClosed) => server.close(() => resolveClosed()));
            server.closeIdleConnections();
            const finished = new Promise<void>((resolveFinished) => {
              if (inFlight === 0) resolveFinished();
              else drained = resolveFinished;
            });
            let timer: NodeJS.Timeout | undefined;
            const late = new Promise<void>((resolveLate) => {
              timer = setTimeout(resolveLate, graceMs);
            });
            void Promise.race([finished, late]).then(() => {
              clearTimeout(timer);
              // What is left: keep-alive connections between requests, and any request past the grace period.
              server.closeAllConnections();
              return closed;
            }).then(done);
          }),
      });
    });
  });
}

const none: ReadonlySet<string> = new Set();

async function route(face: HttpFaceOptions, request: http.IncomingMessage, path: string): Promise<Reply> {
  const method = request.method ?? '';
  if (method === 'GET' && path === '/v1/ready') {
    const reason = await face.notReady?.();
    return reason === undefined ? json(200, { ready: true }) : json(503, { ready: false, reason });
  }
  if (method === 'GET' && path === '/v1/trust-list') return { status: 200, contentType: 'application/cose', body: await face.trustList() };
  if (method === 'GET' && path === '/v1/deny-list') return { status: 200, contentType: 'application/cose', body: await face.denyList() };
  if (method === 'GET' && path === '/v1/decision-keys') return { status: 200, contentType: 'application/cbor', body: face.decisionKeys() };
  if (method === 'GET' && path === '/v1/health') return text(200, JSON.stringify(await face.health()), 'application/json');
  const extra = face.routes ? await face.routes(request, path) : undefined;
  if (extra) return extra;
  const endpoint = Object.hasOwn(face.cose, path) ? face.cose[path] : undefined;
  if (!endpoint) return text(404, `no such endpoint: ${method} ${path}`);
  if (method !== 'POST') return text(405, `${path} takes POST`);
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/cose') return text(415, 'send application/cose');
  const body = await readBody(request);
  if (!body) return text(413, `bodies are limited to ${maxBodyBytes} bytes`);
  const answer = await endpoint(body, { source: clientAddress(request.socket.remoteAddress, request.headers['x-forwarded-for'], face.trustedProxies ?? none) });
  return { ...reply(answer, 'text'), facts: describeAnswer(path, answer) };
}

export function readBody(request: http.IncomingMessage): Promise<Uint8Array | undefined> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    if (declared > maxBodyBytes) {
      request.resume();
      resolve(undefined);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) over = true;
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(over ? undefined : new Uint8Array(Buffer.concat(chunks))));
    request.on('error', reject);
  });
}

export function json(status: number, value: unknown): Reply {
  return { status, contentType: 'application/json', body: new TextEncoder().encode(`${JSON.stringify(value)}\n`) };
}

function text(status: number, message: string, contentType = 'text/plain; charset=utf-8'): Reply {
  return { status, contentType, body: new TextEncoder().encode(message.endsWith('\n') ? message : `${message}\n`) };
}
