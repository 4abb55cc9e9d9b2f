/**
 * The authorizer's HTTP face (node:http), loopback by default:
 *   POST /v1/enroll      application/cose  enrollment request → signed answer
 *   POST /v1/authorize   application/cose  authorization request → signed decision
 *   POST /v1/reverse     application/cose  a terminal's reversal → signed acknowledgement
 *   POST /v1/instruct    application/cose  a completion, void, refund or batch close → signed result
 *   POST /v1/offline-batch  application/cose  offline approvals, uploaded → a signed acknowledgement with each decision
 *   GET  /v1/trust-list  the operator-signed issuer trust list (application/cose)
 *   GET  /v1/deny-list   the operator-signed deny list (application/cose)
 *   GET  /v1/health      JSON {"ok":true}: liveness, nothing more
 *   POST /v1/wallet, GET /v1/step-up/<hash>  wallet messages and step-up polls (wallet-routes.ts, via `routes`)
 * Bodies over 16 KiB are refused (413) before they are read in full. The
 * domain answers with results (domain/results.ts); this file alone turns
 * them into status codes.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Answer, Refusal } from '../domain/results';

export const maxBodyBytes = 16 * 1024;

/** What the HTTP layer sends back. */
export interface Reply {
  status: number;
  contentType: string;
  body: Uint8Array;
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

/** Who sent a request, as far as the connection tells: the peer's address. */
export interface Sender {
  source: string;
}

/** The signed-message endpoints: POST application/cose → a domain answer. */
export type CoseEndpoints = Record<string, (body: Uint8Array, sender: Sender) => Promise<Answer<unknown>>>;

export interface HttpFaceOptions {
  cose: CoseEndpoints;
  trustList(): Promise<Uint8Array>;
  denyList(): Promise<Uint8Array>;
  health(): Promise<Record<string, unknown>>;
  /** Further endpoints (wallet messages, step-up polls): a reply, or undefined for not mine. */
  routes?(request: http.IncomingMessage, path: string): Promise<Reply | undefined>;
  /** Called after each exchange (for the CLI's log). */
  onExchange?(entry: { method: string; path: string; status: number; ms: number }): void;
}

export interface Listening {
  url: string;
  port: number;
  close(): Promise<void>;
}

export function listen(face: HttpFaceOptions, host = '127.0.0.1', port = 0): Promise<Listening> {
  const server = http.createServer((request, response) => {
    const started = Date.now();
    const path = (request.url ?? '/').split('?')[0];
    const send = (r: Reply) => {
      response.writeHead(r.status, { 'content-type': r.contentType, 'content-length': String(r.body.length) });
      response.end(r.body);
      face.onExchange?.({ method: request.method ?? '?', path, status: r.status, ms: Date.now() - started });
    };
    route(face, request, path)
      .then(send)
      .catch((error: unknown) => send(text(500, `internal error: ${(error as Error)?.message ?? error}`)));
  });
  // A terminal sends a few hundred bytes: a client that dawdles is cut off instead of holding a socket.
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        url: `http://${shownHost}:${address.port}`,
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

async function route(face: HttpFaceOptions, request: http.IncomingMessage, path: string): Promise<Reply> {
  const method = request.method ?? '';
  if (method === 'GET' && path === '/v1/trust-list') return { status: 200, contentType: 'application/cose', body: await face.trustList() };
  if (method === 'GET' && path === '/v1/deny-list') return { status: 200, contentType: 'application/cose', body: await face.denyList() };
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
  return reply(await endpoint(body, { source: request.socket.remoteAddress ?? 'unknown' }), 'text');
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
