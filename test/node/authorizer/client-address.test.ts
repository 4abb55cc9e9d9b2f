/**
 * Whom a request is counted against (http/client-address.ts): the peer, unless the peer is a proxy the
 * operator trusts; then the right end of X-Forwarded-For, past the trusted hops, and never an address a
 * client could write itself.
 */
import { describe, expect, it } from 'vitest';
import { clientAddress, trustedProxies, TrustedProxyError } from '../../../tools/authorizer/http/client-address';
import { run as authorizer } from '../../../tools/cli/authorizer';
import { captureConsole } from '../../support/capture-console';

const proxies = trustedProxies(['10.0.0.5', '10.0.0.6', '::1']);

describe('clientAddress', () => {
  it('is the peer when the peer is not a trusted proxy, whatever the header says', () => {
    expect(clientAddress('203.0.113.9', '198.51.100.1', proxies)).toBe('203.0.113.9');
    expect(clientAddress('203.0.113.9', undefined, trustedProxies([]))).toBe('203.0.113.9');
    expect(clientAddress('::ffff:203.0.113.9', '198.51.100.1', proxies)).toBe('203.0.113.9');
    expect(clientAddress(undefined, '198.51.100.1', proxies)).toBe('unknown');
  });

  it('behind a trusted proxy, is the address that proxy appended', () => {
    expect(clientAddress('10.0.0.5', '198.51.100.1', proxies)).toBe('198.51.100.1');
    expect(clientAddress('::ffff:10.0.0.5', ' 198.51.100.1 ', proxies)).toBe('198.51.100.1');
    expect(clientAddress('::1', '2001:db8::7', proxies)).toBe('2001:db8::7');
  });

  it('ignores what the client wrote to the left of the proxies', () => {
    // The client sent "X-Forwarded-For: 192.0.2.77"; its proxy appended the client's real address.
    expect(clientAddress('10.0.0.5', '192.0.2.77, 198.51.100.1', proxies)).toBe('198.51.100.1');
    // Two trusted proxies in a row: the client is the first untrusted hop from the right.
    expect(clientAddress('10.0.0.5', '192.0.2.77, 198.51.100.1, 10.0.0.6', proxies)).toBe('198.51.100.1');
    // Several headers are one list, in order.
    expect(clientAddress('10.0.0.5', ['192.0.2.77', '198.51.100.1, 10.0.0.6'], proxies)).toBe('198.51.100.1');
  });

  it('a malformed hop, or no header, counts the request against the last trusted hop', () => {
    expect(clientAddress('10.0.0.5', undefined, proxies)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', 'unknown', proxies)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', '198.51.100.1, not-an-ip, 10.0.0.6', proxies)).toBe('10.0.0.6');
    expect(clientAddress('10.0.0.5', '198.51.100.1:4711', proxies)).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', '', proxies)).toBe('10.0.0.5');
    // Only trusted hops: the leftmost of them.
    expect(clientAddress('10.0.0.5', '10.0.0.6', proxies)).toBe('10.0.0.6');
  });
});

describe('trustedProxies', () => {
  it('takes IP addresses only', () => {
    expect([...trustedProxies(['::FFFF:10.0.0.5', '2001:DB8::1'])]).toEqual(['10.0.0.5', '2001:db8::1']);
    for (const bad of ['proxy.internal', '10.0.0.0/8', '10.0.0.5:80', '']) {
      expect(() => trustedProxies([bad])).toThrow(TrustedProxyError);
    }
  });

  it('a --trust-proxy that is not an IP address stops the authorizer before it opens anything', async () => {
    const result = await captureConsole(() => authorizer(['--trust-proxy', 'proxy.internal', '--port', '0', '--data-dir', '/nonexistent/qrpay']));
    expect(result).toMatchObject({ code: 2, err: expect.stringContaining('--trust-proxy wants an IP address') });
  });
});
