import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeHttpClient } from '../../../hal/sim/http';
import { HalError } from '../../../hal/errors';

let server: Server;
let base: string;
const sockets = new Set<Socket>();
let stalledClosed: { promise: Promise<void>; resolve: () => void };
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      if (path === '/echo') {
        res.writeHead(200, { 'content-type': 'application/cbor', 'x-method': req.method ?? '' });
        res.end(Buffer.concat(chunks));
      } else if (path === '/status/503') {
        res.writeHead(503).end('busy');
      } else if (path === '/reset') {
        req.socket.destroy();
      } else if (path === '/reset-mid-body') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('partial');
        setTimeout(() => req.socket.destroy(), 20);
      } else if (path === '/silent') {
        // never answers
      } else if (path === '/stall-body') {
        res.writeHead(200, { 'content-length': '100' });
        res.write('a start');
        req.socket.on('close', () => stalledClosed.resolve());
      } else if (path === '/big-declared') {
        res.writeHead(200, { 'content-length': String(100_000) }).end(Buffer.alloc(100_000));
      } else if (path === '/big-chunked') {
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(10_000));
        res.end();
      } else {
        res.writeHead(404).end();
      }
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});

async function failure(promise: Promise<unknown>): Promise<HalError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof HalError) return error;
    throw error;
  }
  throw new Error('expected a failure');
}

const client = new NodeHttpClient();

describe('NodeHttpClient', () => {
  it('sends the body and headers and returns status, lower-case headers and bytes', async () => {
    const body = Uint8Array.of(0xa1, 0x01, 0x02);
    const response = await client.request({ method: 'POST', url: `${base}/echo`, body, timeout: 2000, headers: { 'Content-Type': 'application/cbor' } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual(body);
    expect(response.body).toBeInstanceOf(Uint8Array);
    expect(response.headers['content-type']).toBe('application/cbor');
    expect(response.headers['x-method']).toBe('POST');
  });

  it('rejects a non-2xx answer as bad-status carrying the status', async () => {
    const error = await failure(client.request({ method: 'GET', url: `${base}/status/503`, timeout: 2000 }));
    expect(error.kind).toBe('bad-status');
    expect(error.status).toBe(503);
  });

  it('rejects a closed port as refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(client.request({ method: 'GET', url: `http://127.0.0.1:${port}/`, timeout: 2000 }));
    expect(error.kind).toBe('refused');
  });

  it('rejects a connection the server destroys as reset, before or during the answer', async () => {
    expect((await failure(client.request({ method: 'POST', url: `${base}/reset`, body: Uint8Array.of(1), timeout: 2000 }))).kind).toBe('reset');
    expect((await failure(client.request({ method: 'GET', url: `${base}/reset-mid-body`, timeout: 2000 }))).kind).toBe('reset');
  });

  it('rejects a server that never answers as timeout, after about the timeout', async () => {
    const started = Date.now();
    const error = await failure(client.request({ method: 'GET', url: `${base}/silent`, timeout: 150 }));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('times out an answer that stalls mid-body and aborts the connection', async () => {
    stalledClosed = deferred();
    const error = await failure(client.request({ method: 'GET', url: `${base}/stall-body`, timeout: 150 }));
    expect(error.kind).toBe('timeout');
    await stalledClosed.promise; // the server saw the client hang up
  });

  it('rejects answers over the limit as too-large, declared or streamed', async () => {
    expect((await failure(client.request({ method: 'GET', url: `${base}/big-declared`, timeout: 2000 }))).kind).toBe('too-large');
    expect((await failure(client.request({ method: 'GET', url: `${base}/big-chunked`, timeout: 2000, maxResponseBytes: 50_000 }))).kind).toBe('too-large');
    const fits = await client.request({ method: 'GET', url: `${base}/big-chunked`, timeout: 2000, maxResponseBytes: 100_000 });
    expect(fits.body).toHaveLength(100_000);
  });

  it('rejects a host that does not resolve and a bad URL as unreachable', async () => {
    expect((await failure(client.request({ method: 'GET', url: 'http://no-such-host.invalid/', timeout: 5000 }))).kind).toBe('unreachable');
    expect((await failure(client.request({ method: 'GET', url: 'not a url', timeout: 100 }))).kind).toBe('unreachable');
    expect((await failure(client.request({ method: 'GET', url: 'ftp://127.0.0.1/', timeout: 100 }))).kind).toBe('unreachable');
  });
});
