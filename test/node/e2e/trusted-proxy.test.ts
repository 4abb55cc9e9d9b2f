/**
 * The per-source enrollment limit behind a reverse proxy (`--trust-proxy`, http/client-address.ts), against the
 * real authorizer and a real proxy on loopback. Clients are told apart by their loopback source address
 * (127.0.0.2, 127.0.0.3, ...: Linux routes all of 127/8 to lo); the proxy, on 127.0.0.1, appends each client's
 * address to X-Forwarded-For as nginx's `$proxy_add_x_forwarded_for` does.
 *
 * Without trust, every terminal behind a proxy shares the proxy's allowance; with it, one client's attempts do not
 * use up another's, a client cannot pick its own source by writing the header, and a peer that is not the proxy
 * is counted by its own address whatever its header says.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeEntropy } from '../../../hal/sim/entropy';
import { signEnrollmentRequest } from '../../../src/authorization/enrollment';
import { startAuthorizer, type RunningAuthorizer } from '../../../tools/authorizer/authorizer';
import { createKeyPair, signerFor } from '../../../tools/wallet/wallet';

const perSource = 3;

function enrollment(): Uint8Array {
  const board = createKeyPair('ES256', nodeEntropy);
  return signEnrollmentRequest(
    { key: { alg: 'ES256', publicKey: board.publicKey }, device: { model: 'cheap', serial: 'SN-1', firmware: '0.1.0', board: 'cheap' }, localTime: Date.now() },
    { alg: 'ES256', sign: signerFor(board) },
  );
}

/** POSTs `body` to `url` from the loopback address `from`, with extra headers; the status and text of the answer. */
function post(url: string, from: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: target.hostname, port: target.port, path: target.pathname, method: 'POST', localAddress: from, agent: false,
      headers: { 'content-type': 'application/cose', 'content-length': String(body.length), ...headers },
    }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** A reverse proxy on 127.0.0.1 in front of `upstream`, appending the client's address to X-Forwarded-For. */
function startProxy(upstream: string): Promise<{ url: string; close(): Promise<void> }> {
  const target = new URL(upstream);
  const server = http.createServer((incoming, outgoing) => {
    const forwarded = [incoming.headers['x-forwarded-for'], incoming.socket.remoteAddress].filter((x) => x !== undefined).join(', ');
    const onward = http.request({
      host: target.hostname, port: target.port, path: incoming.url, method: incoming.method, localAddress: '127.0.0.1', agent: false,
      headers: { ...incoming.headers, 'x-forwarded-for': forwarded },
    }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(outgoing);
    });
    onward.on('error', () => outgoing.destroy());
    incoming.pipe(onward);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) });
    });
  });
}

describe.skipIf(process.platform !== 'linux')('the per-source enrollment limit behind a trusted reverse proxy', () => {
  let root: string;
  let authorizer: RunningAuthorizer;
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'qrpay-proxy-'));
    authorizer = await startAuthorizer({
      dataDir: root, enrollment: 'open', trustedProxies: ['127.0.0.1'],
      enrollmentLimits: { windowMs: 60_000, perSource, perCredential: 3 }, notify: { dispatcher: { intervalMs: 3_600_000 } },
    });
    proxy = await startProxy(authorizer.url);
  });
  afterAll(async () => {
    await proxy?.close();
    await authorizer?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('counts each client behind the proxy by its own address; writing the header changes nothing', async () => {
    const via = (from: string, headers?: Record<string, string>) => post(`${proxy.url}/v1/enroll`, from, enrollment(), headers);
    for (let i = 0; i < perSource; i++) expect(await via('127.0.0.2')).toMatchObject({ status: 200 });
    expect(await via('127.0.0.2')).toEqual({ status: 429, text: expect.stringContaining(`more than ${perSource} enrollment attempts from 127.0.0.2`) });
    // The client at its limit names another source itself: the proxy appends its real address, which is what counts.
    expect(await via('127.0.0.2', { 'x-forwarded-for': '192.0.2.77' })).toMatchObject({ status: 429, text: expect.stringContaining('from 127.0.0.2') });
    // Another terminal behind the same proxy still enrolls: one client's traffic does not use up its allowance.
    expect(await via('127.0.0.3')).toMatchObject({ status: 200 });
    expect(await authorizer.store.transaction((tx) => tx.views.terminals())).toHaveLength(perSource + 1);
  });

  it('a peer that is not the trusted proxy is counted by its own address, whatever X-Forwarded-For it sends', async () => {
    const direct = (i: number) => post(`${authorizer.url}/v1/enroll`, '127.0.0.4', enrollment(), { 'x-forwarded-for': `198.51.100.${i}` });
    for (let i = 0; i < perSource; i++) expect(await direct(i)).toMatchObject({ status: 200 });
    expect(await direct(perSource)).toEqual({ status: 429, text: expect.stringContaining('from 127.0.0.4') });
  });
});
