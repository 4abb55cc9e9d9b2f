/**
 * The uplink of the simulated terminals, as a loopback HTTP proxy to the
 * authorizer that can be cut: while `down`, every connection is reset
 * before anything is forwarded (a basement, a dead access point), so the
 * authorizer hears nothing and the terminal's attempts fail at once.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export class LinkSwitch {
  /** Cut: nothing reaches the authorizer. */
  down = false;
  url = '';
  readonly #server: http.Server;

  private constructor(upstream: string) {
    this.#server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (this.down) {
          response.destroy();
          return;
        }
        const method = request.method ?? 'GET';
        fetch(upstream + (request.url ?? '/'), {
          method,
          headers: { 'content-type': String(request.headers['content-type'] ?? 'application/octet-stream') },
          body: method === 'POST' ? Buffer.concat(chunks) : undefined,
        }).then(async (answer) => {
          const body = Buffer.from(await answer.arrayBuffer());
          response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/octet-stream', 'content-length': String(body.length) });
          response.end(body);
        }, () => response.destroy());
      });
    });
  }

  /** Listens on an ephemeral loopback port in front of `upstream` (the authorizer's URL). */
  static async start(upstream: string): Promise<LinkSwitch> {
    const link = new LinkSwitch(upstream);
    await new Promise<void>((resolve) => link.#server.listen(0, '127.0.0.1', resolve));
    link.url = `http://127.0.0.1:${(link.#server.address() as AddressInfo).port}`;
    return link;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
