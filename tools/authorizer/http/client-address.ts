/**
 * The address a request is counted against (the per-source enrollment limit): the connection's peer, or,
 * when the peer is a reverse proxy the operator named (`--trust-proxy`), the client that proxy saw.
 *
 * `X-Forwarded-For` is a list each proxy appends its own peer to, so only its right end is written by proxies
 * we trust; anything to the left of that may be the client's invention. The client is therefore found from the
 * right: skip the addresses of trusted proxies, and the first other address is the client. An entry that is
 * not an IP address ends the walk at the last trusted hop (the request counts against that proxy): a trusted
 * proxy writes addresses, and a guess would let a client pick its own source. A peer that is not a trusted
 * proxy is the source whatever its header says: anyone can write the header.
 */
import { isIP } from 'node:net';

/** An IPv4 address the dual-stack socket reports as `::ffff:a.b.c.d`, as the `a.b.c.d` an operator writes. */
function normalized(address: string): string {
  const trimmed = address.trim();
  return /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(trimmed) ? trimmed.slice(7) : trimmed.toLowerCase();
}

export class TrustedProxyError extends Error {}

/** The operator's list of proxy addresses, checked: each must be an IP address (no names, no ranges). */
export function trustedProxies(addresses: readonly string[]): ReadonlySet<string> {
  const set = new Set<string>();
  for (const address of addresses) {
    const value = normalized(address);
    if (isIP(value) === 0) throw new TrustedProxyError(`--trust-proxy wants an IP address (such as 10.0.0.5 or ::1), got ${JSON.stringify(address)}`);
    set.add(value);
  }
  return set;
}

export function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, trusted: ReadonlySet<string>): string {
  if (peer === undefined) return 'unknown';
  let source = normalized(peer);
  if (!trusted.has(source) || forwardedFor === undefined) return source;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = normalized(hops[i]);
    if (isIP(hop) === 0) return source;
    source = hop;
    if (!trusted.has(hop)) return hop;
  }
  return source;
}
