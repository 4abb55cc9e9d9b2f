/**
 * How a board reaches its authorizer: over TLS, trusting one private CA, the
 * certificate in the build's `authorizer-ca.der` resource (the board's
 * manifest takes it from build/device/<board>/, which
 * `npm run build:device -- <board> --authorizer-ca FILE` fills); plain http
 * only when the board's configuration allows it on purpose (a lab bench).
 *
 * Moddable's TLS (modules/crypt, ssl/cert.js) checks the server's chain
 * against certificates registered with the session (`secure.certificate`)
 * and its index of public CAs, whose certificates are not in our builds: the
 * registered CA is in effect the only root. Its check also needs the chain to
 * end in a certificate the CA signed: a server presenting a lone self-signed
 * certificate is refused (docs/moddable.md), so the authorizer serves its
 * certificate followed by the CA's.
 *
 * What the terminal acts on is still only what the pinned authorizer key
 * signed: TLS keeps the traffic private and the server named.
 */
import Resource from 'Resource';
import type { HttpClient } from '../../hal/http';
import { createEsp32Http, type HttpProvider } from './http';

/** The resource a build carries its authorizer's CA certificate (DER) in. */
export const authorityResource = 'authorizer-ca.der';

/** The CA certificate in the build, or undefined when the build has none. */
export function buildAuthority(): ArrayBuffer | undefined {
  return Resource.exists(authorityResource) ? new Resource(authorityResource).slice(0) : undefined;
}

interface TcpOptions {
  onReadable?(count: number): void;
  onWritable?(count: number): void;
  onError?(error?: unknown): void;
  [option: string]: unknown;
}
type TcpClass = new (options: TcpOptions) => object;

/**
 * The TCP socket class under the TLS socket, its callbacks guarded. Moddable's TLS runs the handshake inside
 * the TCP socket's callbacks and throws there (`certificate: auth err` for a chain it does not trust); a host
 * callback that throws aborts the whole XS machine. Guarded, the exception is reported and becomes the
 * socket's error, so the request fails and the terminal carries on.
 */
function guardedTcp(Tcp: TcpClass, report: (error: unknown) => void): TcpClass {
  return class GuardedTcp extends Tcp {
    constructor(options: TcpOptions) {
      const guard = <A extends unknown[]>(callback: ((...args: A) => void) | undefined) =>
        callback &&
        function (this: unknown, ...args: A): void {
          try {
            callback.apply(this, args);
          } catch (error) {
            report(error);
            options.onError?.();
          }
        };
      super({ ...options, onReadable: guard(options.onReadable), onWritable: guard(options.onWritable), onError: guard(options.onError) });
    }
  };
}

/**
 * The TLS HTTP provider over the guarded TCP socket, with `authority` (a DER CA certificate), if any,
 * registered as a root for every connection (`secure.certificate`, read by ssl/cert.js); `report` hears why
 * a handshake failed.
 */
export function authorizerTls(https: HttpProvider, authority: ArrayBuffer | undefined, report: (error: unknown) => void): HttpProvider {
  const socket = (https.socket ?? {}) as { TCP?: { io: TcpClass }; secure?: Record<string, unknown> };
  const tcp = socket.TCP && { ...socket.TCP, io: guardedTcp(socket.TCP.io, report) };
  const secure = authority ? { ...socket.secure, certificate: authority } : socket.secure;
  return { ...https, socket: { ...socket, ...(tcp ? { TCP: tcp } : {}), secure } };
}

export interface AuthorizerNetwork {
  /** `device.network.https`: the ECMA-419 HTTP client over `embedded:io/socket/tcp/tls`. */
  https?: HttpProvider;
  /** `device.network.http`: the same client over plain TCP. */
  http?: HttpProvider;
}

/**
 * The HTTP HAL for the authorizer: `https://` through the TLS client trusting the build's CA, `http://` only
 * with `allowPlainHttp`. Without a CA in the build no TLS connection can succeed; the board says so once.
 */
export function authorizerHttp(network: AuthorizerNetwork | undefined, options: { allowPlainHttp: boolean; warn(message: string): void }): HttpClient {
  const authority = buildAuthority();
  if (!authority) options.warn(`no ${authorityResource} in this build: https connections will fail (npm run build:device -- <board> --authorizer-ca FILE)`);
  const report = (error: unknown) => options.warn(`tls: ${error instanceof Error ? error.message : String(error)}`);
  const https = network?.https && authorizerTls(network.https, authority, report);
  return createEsp32Http({ https, ...(options.allowPlainHttp ? { http: network?.http } : {}) });
}
