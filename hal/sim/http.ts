/**
 * The HTTP client of the simulator, over node:http and node:https. Every
 * failure rejects with a HalError whose kind says what happened (see
 * `hal/http.ts`); the timeout covers the whole exchange and aborts it.
 */
import http from 'node:http';
import https from 'node:https';
import { HalError } from '../errors';
import { defaultMaxResponseBytes, type HttpClient, type HttpRequest, type HttpResponse } from '../http';

export interface NodeHttpClientOptions {
  /** Extra options for TLS requests (a test CA, for instance). */
  tls?: https.RequestOptions;
}

export class NodeHttpClient implements HttpClient {
  readonly #tls: https.RequestOptions;

  constructor(options: NodeHttpClientOptions = {}) {
    this.#tls = options.tls ?? {};
  }

  request(request: HttpRequest): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(request.url);
      } catch {
        reject(new HalError('unreachable', `not an absolute URL: ${request.url}`));
        return;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') {
        reject(new HalError('unreachable', `unsupported scheme ${url.protocol} in ${request.url}`));
        return;
      }
      if (!(request.timeout > 0)) {
        reject(new RangeError(`timeout must be a positive number of milliseconds, got ${request.timeout}`));
        return;
      }
      const limit = request.maxResponseBytes ?? defaultMaxResponseBytes;
      const body = request.body;
      const headers: Record<string, string> = { ...request.headers };
      if (body) headers['content-length'] = String(body.length);

      let settled = false;
      const finish = (error: HalError | undefined, response?: HttpResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) {
          outgoing.destroy();
          reject(error);
        } else {
          resolve(response!);
        }
      };
      const timer = setTimeout(
        () => finish(new HalError('timeout', `${request.method} ${request.url}: no complete answer within ${request.timeout} ms`)),
        request.timeout,
      );

      const transport = url.protocol === 'https:' ? https : http;
      const extra = url.protocol === 'https:' ? this.#tls : {};
      const outgoing = transport.request(url, { ...extra, method: request.method, headers, agent: false }, (incoming) => {
        const declared = Number(incoming.headers['content-length']);
        if (declared > limit) {
          finish(tooLarge(request, limit));
          return;
        }
        const chunks: Buffer[] = [];
        let received = 0;
        let ended = false;
        incoming.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > limit) finish(tooLarge(request, limit));
          else chunks.push(chunk);
        });
        incoming.on('end', () => {
          ended = true;
          const status = incoming.statusCode ?? 0;
          if (status < 200 || status > 299) {
            finish(new HalError('bad-status', `${request.method} ${request.url} answered ${status}`, status));
            return;
          }
          finish(undefined, { status, headers: flattenHeaders(incoming.headers), body: new Uint8Array(Buffer.concat(chunks)) });
        });
        incoming.on('error', (error) => finish(classify(error, request)));
        incoming.on('close', () => {
          if (!ended) finish(new HalError('reset', `${request.method} ${request.url}: connection closed mid-answer`));
        });
      });
      outgoing.on('error', (error) => finish(classify(error, request)));
      outgoing.end(body);
    });
  }
}

function tooLarge(request: HttpRequest, limit: number): HalError {
  return new HalError('too-large', `${request.method} ${request.url}: answer exceeds ${limit} bytes`);
}

const kindsByCode: Record<string, HalError['kind']> = {
  ECONNREFUSED: 'refused',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  ETIMEDOUT: 'timeout',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  EADDRNOTAVAIL: 'unreachable',
};

function classify(error: Error & { code?: string }, request: HttpRequest): HalError {
  const kind = (error.code && kindsByCode[error.code]) || (/socket hang up|aborted/i.test(error.message) ? 'reset' : 'device');
  return new HalError(kind, `${request.method} ${request.url}: ${error.message}${error.code ? ` (${error.code})` : ''}`);
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}
