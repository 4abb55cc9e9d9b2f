/**
 * The authorizer over HTTPS: `qrpay authorizer tls-keygen` makes a
 * self-signed pair with openssl, the authorizer serves with it, and a
 * simulated terminal (`qrpay terminal --authorizer-ca`) that pins that
 * certificate pays over a real TLS hop on loopback; a terminal trusting the
 * system's store, or another certificate, does not get through, nor does
 * plain HTTP.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import https from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run as authorizerCli } from '../../../tools/cli/authorizer';
import { main } from '../../../tools/cli/main';
import { run as terminalCli } from '../../../tools/cli/terminal';
import { CliError } from '../../../tools/cli/exit';
import { opensslVersion, readTlsPair, TlsFileError } from '../../../tools/authorizer/ops/tls';
import { authorityDer } from '../../../tools/device/build';
import { captureConsole } from '../../support/capture-console';
import { startWorld, type World } from '../../support/e2e-world';

const openssl = opensslVersion();
if (!openssl && process.env.CI === 'true') throw new Error('CI=true but the openssl command is missing: .ci/run installs Debian\'s openssl');
if (!openssl) console.warn('authorizer HTTPS: SKIPPED: no openssl command (apt-get install openssl)');

describe.skipIf(!openssl)('the authorizer over HTTPS, its self-signed certificate pinned by the terminal', () => {
  let world: World;
  let tlsDir: string;
  let otherDir: string;
  const roots: string[] = [];

  beforeAll(async () => {
    const keys = mkdtempSync(join(tmpdir(), 'qrpay-tls-'));
    tlsDir = join(keys, 'tls');
    otherDir = join(keys, 'other-tls');
    const made = await captureConsole(() => authorizerCli(['tls-keygen', '--out-dir', tlsDir]));
    expect(made.code, made.all).toBe(0);
    expect(made.out).toMatch(/^certificate .*tls-cert\.pem \(self-signed, SHA-256 ([0-9A-F]{2}:){31}[0-9A-F]{2}\)$/m);
    expect((await captureConsole(() => authorizerCli(['tls-keygen', '--out-dir', otherDir]))).code).toBe(0);
    world = await startWorld({ tls: readTlsPair(join(tlsDir, 'tls-cert.pem'), join(tlsDir, 'tls-key.pem')) });
    roots.push(keys);
  }, 60_000);
  afterAll(async () => {
    await world?.close();
    for (const root of roots) rmSync(root, { recursive: true, force: true });
  });

  it('makes a P-256 certificate for localhost and the loopback addresses, its key owner-only, and will not overwrite it', async () => {
    const certificate = new X509Certificate(readFileSync(join(tlsDir, 'tls-cert.pem')));
    expect(certificate.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(certificate.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(certificate.issuer).toBe(certificate.subject);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(statSync(join(tlsDir, 'tls-key.pem')).mode & 0o777).toBe(0o600);
    await expect(authorizerCli(['tls-keygen', '--out-dir', tlsDir])).rejects.toThrow(CliError);
    await expect(authorizerCli(['tls-keygen', '--out-dir', tlsDir, '--name', 'bad name!'])).rejects.toThrow(/neither a host name nor an IP address/);
  });

  it('refuses a key that is not the certificate\'s, and files that are not PEM', () => {
    expect(() => readTlsPair(join(tlsDir, 'tls-cert.pem'), join(otherDir, 'tls-key.pem'))).toThrow(TlsFileError);
    expect(() => readTlsPair(join(tlsDir, 'tls-key.pem'), join(tlsDir, 'tls-key.pem'))).toThrow(/not a PEM certificate/);
    expect(() => readTlsPair(join(tlsDir, 'missing.pem'), join(tlsDir, 'tls-key.pem'))).toThrow(/ENOENT/);
  });

  it('a terminal pinning the certificate enrolls and pays over HTTPS', async () => {
    expect(world.authorizer.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const paid = await captureConsole(() => terminalCli([
      '--authorizer', world.authorizer.url, '--authorizer-ca', join(tlsDir, 'tls-cert.pem'), '--data-dir', world.dir('pinned-terminal'),
      '--code', world.wallet.code(),
    ]));
    expect(paid.code, paid.all).toBe(0);
    expect(paid.all).toMatch(/APPROVED, approval [A-Z0-9]{6}/);
    // And the exchange really went over TLS: the server presents exactly this certificate.
    const presented = await new Promise<string>((resolve, reject) => {
      const request = https.get(`${world.authorizer.url}/v1/health`, { ca: readFileSync(join(tlsDir, 'tls-cert.pem')) }, (response) => {
        resolve((response.socket as import('node:tls').TLSSocket).getPeerCertificate().fingerprint256);
        response.resume();
      });
      request.on('error', reject);
    });
    expect(presented).toBe(new X509Certificate(readFileSync(join(tlsDir, 'tls-cert.pem'))).fingerprint256);
  });

  it('a terminal trusting the system\'s store, or another certificate, cannot enroll: nothing is attempted', async () => {
    for (const [name, extra] of [['system-trust', []], ['other-pin', ['--authorizer-ca', join(otherDir, 'tls-cert.pem')]]] as const) {
      // Through the command's one error path, as a user sees it: one line, exit 1 (no payment was attempted).
      const result = await captureConsole(() => main(['terminal', '--authorizer', world.authorizer.url, ...extra, '--data-dir', world.dir(name), '--code', world.wallet.code()]));
      expect(result.code, result.all).toBe(1);
      expect(result.all).toMatch(/self-signed certificate|DEPTH_ZERO_SELF_SIGNED_CERT/);
    }
  });

  it('plain HTTP to the HTTPS port gets no answer from the authorizer', async () => {
    const plain = world.authorizer.url.replace('https:', 'http:');
    const answer = await fetch(`${plain}/v1/health`).then((r) => r.status, (error: Error) => error.message);
    expect(answer).not.toBe(200);
  });

  it('refuses --tls-cert without --tls-key, and a pair that does not belong together, before it starts', async () => {
    const alone = await captureConsole(() => authorizerCli(['--tls-cert', join(tlsDir, 'tls-cert.pem'), '--data-dir', world.dir('never')]));
    expect(alone.code).toBe(2);
    expect(alone.err).toMatch(/give both --tls-cert and --tls-key/);
    await expect(authorizerCli(['--tls-cert', join(tlsDir, 'tls-cert.pem'), '--tls-key', join(otherDir, 'tls-key.pem'), '--data-dir', world.dir('never')]))
      .rejects.toThrow(/is not the key of the certificate/);
  });
});

describe.skipIf(!openssl)('tls-keygen --ca: a development CA and the authorizer\'s certificate it signed (what a Moddable board trusts)', () => {
  let world: World;
  let keys: string;

  beforeAll(async () => {
    keys = mkdtempSync(join(tmpdir(), 'qrpay-tls-ca-'));
    const made = await captureConsole(() => authorizerCli(['tls-keygen', '--ca', '--out-dir', join(keys, 'tls')]));
    expect(made.code, made.all).toBe(0);
    expect(made.out).toMatch(/^CA +.*ca-cert\.pem \(its key .*ca-key\.pem, owner-only\)$/m);
    expect(made.out).toMatch(/^board: +npm run build:device -- <board> --authorizer-ca .*ca-cert\.pem$/m);
    world = await startWorld({ tls: readTlsPair(join(keys, 'tls', 'tls-cert.pem'), join(keys, 'tls', 'tls-key.pem')) });
  }, 60_000);
  afterAll(async () => {
    await world?.close();
    rmSync(keys, { recursive: true, force: true });
  });

  it('writes a CA certificate, the server certificate it signed followed by the CA\'s (the chain), both keys owner-only', () => {
    const ca = new X509Certificate(readFileSync(join(keys, 'tls', 'ca-cert.pem')));
    const pem = readFileSync(join(keys, 'tls', 'tls-cert.pem'), 'utf8');
    const chain = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!.map((block) => new X509Certificate(block));
    expect(ca.ca).toBe(true);
    expect(ca.verify(ca.publicKey)).toBe(true);
    expect(chain.map((c) => c.fingerprint256)).toEqual([chain[0].fingerprint256, ca.fingerprint256]);
    expect(chain[0].ca).toBe(false);
    expect(chain[0].checkIssued(ca)).toBe(true);
    expect(chain[0].verify(ca.publicKey)).toBe(true);
    expect(chain[0].subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    for (const key of ['tls-key.pem', 'ca-key.pem']) expect(statSync(join(keys, 'tls', key)).mode & 0o777).toBe(0o600);
  });

  it('a terminal trusting the CA pays over HTTPS; one trusting another CA cannot enroll', async () => {
    const paid = await captureConsole(() => terminalCli([
      '--authorizer', world.authorizer.url, '--authorizer-ca', join(keys, 'tls', 'ca-cert.pem'), '--data-dir', world.dir('ca-terminal'), '--code', world.wallet.code(),
    ]));
    expect(paid.code, paid.all).toBe(0);
    expect(paid.all).toMatch(/APPROVED, approval [A-Z0-9]{6}/);
    expect((await captureConsole(() => authorizerCli(['tls-keygen', '--ca', '--out-dir', join(keys, 'other')]))).code).toBe(0);
    const refused = await captureConsole(() => main([
      'terminal', '--authorizer', world.authorizer.url, '--authorizer-ca', join(keys, 'other', 'ca-cert.pem'), '--data-dir', world.dir('other-ca'), '--code', world.wallet.code(),
    ]));
    expect(refused.code, refused.all).toBe(1);
    expect(refused.all).toMatch(/SELF_SIGNED_CERT_IN_CHAIN/);
  });

  it('a board build takes the CA certificate as DER, and refuses a server certificate in its place', () => {
    const ca = new X509Certificate(readFileSync(join(keys, 'tls', 'ca-cert.pem')));
    expect(authorityDer(join(keys, 'tls', 'ca-cert.pem')).equals(ca.raw)).toBe(true);
    expect(() => authorityDer(join(keys, 'tls', 'tls-cert.pem'))).toThrow(/not a CA certificate/);
    expect(() => authorityDer(join(keys, 'tls', 'tls-key.pem'))).toThrow(/not a PEM certificate/);
  });
});
