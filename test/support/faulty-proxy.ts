/**
 * A loopback HTTP proxy between a terminal and the real authorizer that
 * misbehaves on request: answers late, drops the connection after the
 * authorizer decided, rewrites the answer (forged, garbled, someone else's
 * decision) or sends the request upstream twice. Node-only, for e2e tests.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type Fault =
  | { kind: 'pass' }
  /** Forwards at once, answers after `ms` (the terminal may have given up by then). */
  | { kind: 'delay'; ms: number }
  /** Forwards, then resets the connection without answering. */
  | { kind: 'drop' }
  /** Forwards, then answers with `answer(upstreamAnswer, request)` instead. */
  | { kind: 'rewrite'; answer: (upstream: Uint8Array, request: Uint8Array) => Uint8Array }
  /** Sends the request upstream twice and answers with the second answer. */
  | { kind: 'duplicate' }
  /** Never forwards it (it is lost on the way): resets the connection. */
  | { kind: 'swallow' };

export class FaultyProxy {
  /** Faults for the coming authorization requests, one each; `pass` when empty. */
  faults: Fault[] = [];
  /** The same for the coming reversals (POST /v1/reverse). */
  reversalFaults: Fault[] = [];
  /** The same for the coming uploads of the offline journal (POST /v1/offline-batch). */
  batchFaults: Fault[] = [];
  /** Offline batches as received, and the authorizer's acknowledgements as received. */
  readonly batches: Uint8Array[] = [];
  readonly batchAnswers: Uint8Array[] = [];
  /** The link is down: every request is lost on the way (until this is false again). */
  down = false;
  /** Authorization request bodies as received, and the authorizer's answers as received. */
  readonly requests: Uint8Array[] = [];
  readonly upstreamAnswers: Uint8Array[] = [];
  readonly #server: http.Server;
  readonly #upstream: string;
  url = '';

  private constructor(upstream: string) {
    this.#upstream = upstream;
    this.#server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        const body = new Uint8Array(Buffer.concat(chunks));
        this.#handle(request, body, response).catch(() => response.destroy());
      });
    });
  }

  static async start(upstream: string): Promise<FaultyProxy> {
    const proxy = new FaultyProxy(upstream);
    await new Promise<void>((resolve) => proxy.#server.listen(0, '127.0.0.1', resolve));
    proxy.url = `http://127.0.0.1:${(proxy.#server.address() as AddressInfo).port}`;
    return proxy;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #forward(path: string, method: string, headers: http.IncomingHttpHeaders, body: Uint8Array): Promise<{ status: number; type: string; body: Uint8Array }> {
    const response = await fetch(this.#upstream + path, {
      method,
      headers: { 'content-type': String(headers['content-type'] ?? 'application/octet-stream') },
      body: method === 'POST' ? body : undefined,
    });
    return { status: response.status, type: response.headers.get('content-type') ?? '', body: new Uint8Array(await response.arrayBuffer()) };
  }

  async #handle(request: http.IncomingMessage, body: Uint8Array, response: http.ServerResponse): Promise<void> {
    const path = request.url ?? '/';
    const method = request.method ?? 'GET';
    const authorize = path === '/v1/authorize';
    const batch = path === '/v1/offline-batch';
    const queue = authorize ? this.faults : path === '/v1/reverse' ? this.reversalFaults : batch ? this.batchFaults : [];
    const fault: Fault = this.down ? { kind: 'swallow' } : queue.shift() ?? { kind: 'pass' };
    if (authorize) this.requests.push(body);
    if (batch) this.batches.push(body);
    if (fault.kind === 'swallow') {
      response.destroy();
      return;
    }
    let answer = await this.#forward(path, method, request.headers, body);
    if (fault.kind === 'duplicate') answer = await this.#forward(path, method, request.headers, body);
    if (authorize) this.upstreamAnswers.push(answer.body);
    if (batch) this.batchAnswers.push(answer.body);
    if (fault.kind === 'drop') {
      response.destroy();
      return;
    }
    if (fault.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms));
    const out = fault.kind === 'rewrite' ? fault.answer(answer.body, body) : answer.body;
    if (response.destroyed) return;
    response.writeHead(answer.status, { 'content-type': answer.type, 'content-length': String(out.length) });
    response.end(out);
  }
}
