/**
 * The HTTP HAL over the ECMA-419 HTTP client: `https://` through the TLS
 * provider (`device.network.https`: the HTTP client over
 * `embedded:io/socket/tcp/tls`, which checks the server certificate against
 * the CA certificates in the build's `data`), `http://` only through a plain
 * provider the board passes on purpose (a lab network). One connection per
 * request keeps the state machine simple; the timeout is a Timer that closes
 * the client. Failures become HalError kinds.
 *
 * TLS keeps the traffic private and the server named; what the terminal acts
 * on is still only what the pinned authorizer key signed (decision.ts), so a
 * rogue server with a valid certificate gets nothing released either.
 */
import Timer from 'timer';
import type { HttpClient, HttpRequest, HttpResponse } from '../../hal/http';
import { defaultMaxResponseBytes } from '../../hal/http';
import { HalError } from '../../hal/errors';

export interface HttpProvider {
  io: new (options: Record<string, unknown>) => {
    request(options: Record<string, unknown>): { read(count?: number): ArrayBuffer | undefined; write(data?: ArrayBuffer): void };
    close(): void;
  };
  [option: string]: unknown;
}

export interface HttpProviders {
  /** The ECMA-419 HTTP client over TLS (`device.network.https`). */
  https?: HttpProvider;
  /** A plain HTTP client: absent on a shipped board, so `http://` URLs are refused. */
  http?: HttpProvider;
}

function parseUrl(url: string, providers: HttpProviders): { provider: HttpProvider; host: string; port: number; path: string } {
  const match = /^(https?):\/\/([^/:]+)(?::(\d+))?(\/.*)?$/.exec(url);
  if (!match) throw new HalError('unreachable', `unsupported URL ${url}`);
  const secure = match[1] === 'https';
  const provider = secure ? providers.https : providers.http;
  if (!provider) {
    throw new HalError('unreachable', secure ? 'this build has no TLS client (include the https client manifest)' : `plain http is disabled on this board: ${url}`);
  }
  return { provider, host: match[2], port: match[3] ? Number(match[3]) : secure ? 443 : 80, path: match[4] ?? '/' };
}

function classify(message: string): HalError {
  if (/refused/i.test(message)) return new HalError('refused', message);
  if (/dns|resolve|host/i.test(message)) return new HalError('unreachable', message);
  return new HalError('reset', message || 'connection failed');
}

export function createEsp32Http(providers: HttpProviders): HttpClient {
  return {
    request(request: HttpRequest): Promise<HttpResponse> {
      return new Promise((resolve, reject) => {
        const { provider, host, port, path } = parseUrl(request.url, providers);
        const limit = request.maxResponseBytes ?? defaultMaxResponseBytes;
        const chunks: Uint8Array[] = [];
        let received = 0;
        let status = 0;
        const headers: Record<string, string> = {};
        let settled = false;
        const body = request.body;
        let sent = 0;
        const finish = (error?: HalError) => {
          if (settled) return;
          settled = true;
          Timer.clear(timer);
          client.close();
          if (error) return reject(error);
          const bytes = new Uint8Array(received);
          let offset = 0;
          for (const chunk of chunks) {
            bytes.set(chunk, offset);
            offset += chunk.length;
          }
          if (status < 200 || status > 299) return reject(new HalError('bad-status', `HTTP ${status}`, status));
          resolve({ status, headers, body: bytes });
        };
        const client = new provider.io({
          ...provider,
          host,
          port,
          onError: (error: Error) => finish(classify(error?.message ?? '')),
        });
        const timer = Timer.set(() => finish(new HalError('timeout', `no answer from ${host} in ${request.timeout} ms`)), request.timeout);
        const requestHeaders = new Map<string, string>(Object.entries(request.headers ?? {}));
        if (body) requestHeaders.set('content-length', String(body.length));
        client.request({
          method: request.method,
          path,
          headers: requestHeaders,
          onHeaders(this: unknown, code: number, map: Map<string, string>) {
            status = code;
            map.forEach((value, key) => (headers[String(key).toLowerCase()] = value));
          },
          // The body goes out in slices of at most `count` bytes (a larger write throws "would block"); with a
          // content-length the request ends with its last byte (write(undefined) is for chunked bodies only).
          onWritable(this: { write(data?: ArrayBuffer): void }, count: number) {
            if (!body || sent >= body.length) return;
            const end = Math.min(body.length, sent + count);
            this.write(body.slice(sent, end).buffer);
            sent = end;
          },
          onReadable(this: { read(count?: number): ArrayBuffer | undefined }, count: number) {
            const chunk = this.read(count);
            if (!chunk) return;
            received += chunk.byteLength;
            if (received > limit) return finish(new HalError('too-large', `answer over ${limit} bytes`));
            chunks.push(new Uint8Array(chunk));
          },
          onDone(error: Error | null) {
            finish(error ? classify(error.message) : undefined);
          },
        });
      });
    },
  };
}
