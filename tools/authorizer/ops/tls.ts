/**
 * HTTPS for the authorizer: reading the certificate and key it is given
 * (`qrpay authorizer --tls-cert F --tls-key F`), and making a self-signed pair
 * for development (`qrpay authorizer tls-keygen`), which terminals and tests
 * then pin as their only trusted certificate (`qrpay terminal --authorizer-ca`).
 *
 * The pair comes from the `openssl` command (Debian's openssl package, which
 * .ci/run installs) rather than from an npm package: Node can make keys but
 * not X.509 certificates, the npm generators (selfsigned, on node-forge) are
 * JavaScript reimplementations of what OpenSSL, already on every Debian
 * machine and the library Node's own TLS runs on, does in one command. It is a
 * development tool only: a fleet uses its own CA's certificates (docs/deploy.md).
 *
 * `tls-keygen --ca` makes a development CA instead and the authorizer's
 * certificate signed by it, served as a chain (certificate, then the CA's):
 * what a Moddable board can trust (its TLS refuses a lone self-signed server
 * certificate, docs/moddable.md); boards build the CA certificate in
 * (`npm run build:device -- <board> --authorizer-ca DIR/ca-cert.pem`).
 */
import { spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';

export interface TlsPair {
  cert: Buffer;
  key: Buffer;
}

/** A certificate and key that could not be used, with which file and why. */
export class TlsFileError extends Error {}
Object.defineProperty(TlsFileError.prototype, 'name', { value: 'TlsFileError' });

/** Reads a PEM certificate (chain) and its private key, and checks that they belong together. */
export function readTlsPair(certPath: string, keyPath: string): TlsPair {
  const read = (path: string, what: string) => {
    try {
      return readFileSync(path);
    } catch (error) {
      throw new TlsFileError(`${what} ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
  };
  const cert = read(certPath, '--tls-cert');
  const key = read(keyPath, '--tls-key');
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(cert);
  } catch (error) {
    throw new TlsFileError(`--tls-cert ${certPath}: not a PEM certificate (${(error as Error).message})`);
  }
  let privateKey;
  try {
    privateKey = createPrivateKey(key);
  } catch (error) {
    throw new TlsFileError(`--tls-key ${keyPath}: not a PEM private key (${(error as Error).message})`);
  }
  if (!certificate.checkPrivateKey(privateKey)) throw new TlsFileError(`--tls-key ${keyPath} is not the key of the certificate in ${certPath}`);
  return { cert, key };
}

export const tlsFileNames = { cert: 'tls-cert.pem', key: 'tls-key.pem', caCert: 'ca-cert.pem', caKey: 'ca-key.pem' } as const;

export interface KeygenOptions {
  outDir: string;
  /** Host names and addresses the certificate is for (subjectAltName). Default localhost, 127.0.0.1, ::1. */
  names?: string[];
  days?: number;
  /** Overwrite an existing pair. */
  force?: boolean;
  /** A development CA (ca-cert.pem, ca-key.pem) signs the certificate, and tls-cert.pem holds the chain. */
  ca?: boolean;
}

export const defaultTlsNames = ['localhost', '127.0.0.1', '::1'];

/** The openssl command, or undefined with the reason it cannot be run. */
export function opensslVersion(): string | undefined {
  const probe = spawnSync('openssl', ['version'], { encoding: 'utf8' });
  return probe.status === 0 ? probe.stdout.trim() : undefined;
}

/**
 * A P-256 certificate and its key in `outDir` (the keys 0600), valid for `names`: self-signed, or with `ca`
 * signed by a new development CA whose certificate and key are written next to it (tls-cert.pem then holds
 * the certificate followed by the CA's). Every file is written by openssl; no key passes through this process.
 */
export function generateDevelopmentTls(options: KeygenOptions): { certPath: string; keyPath: string; fingerprint: string; ca?: { certPath: string; keyPath: string } } {
  const names = options.names?.length ? options.names : defaultTlsNames;
  for (const name of names) {
    if (!isIP(name) && !/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(name)) {
      throw new TlsFileError(`--name ${JSON.stringify(name)} is neither a host name nor an IP address`);
    }
  }
  const days = options.days ?? 365;
  if (!Number.isInteger(days) || days < 1 || days > 825) throw new TlsFileError(`--days must be 1-825, got ${days}`);
  const certPath = join(options.outDir, tlsFileNames.cert);
  const keyPath = join(options.outDir, tlsFileNames.key);
  const caCertPath = join(options.outDir, tlsFileNames.caCert);
  const caKeyPath = join(options.outDir, tlsFileNames.caKey);
  const written = options.ca ? [certPath, keyPath, caCertPath, caKeyPath] : [certPath, keyPath];
  if (!options.force && written.some((path) => existsSync(path))) {
    throw new TlsFileError(`${options.outDir} already holds a TLS pair (${tlsFileNames.cert}, ${tlsFileNames.key}${options.ca ? `, ${tlsFileNames.caCert}, ${tlsFileNames.caKey}` : ''}); --force replaces it`);
  }
  if (!opensslVersion()) throw new TlsFileError('the openssl command is not installed (Debian: apt-get install openssl)');
  mkdirSync(options.outDir, { recursive: true });
  const openssl = (args: string[]) => {
    const made = spawnSync('openssl', args, { encoding: 'utf8' });
    if (made.status !== 0) throw new TlsFileError(`openssl failed: ${(made.stderr || made.error?.message || '').trim()}`);
  };
  const p256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-sha256', '-days', String(days)];
  if (options.ca) {
    openssl([
      'req', '-x509', ...p256, '-subj', `/CN=qrpay development CA for ${names[0]}`,
      '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
      '-keyout', caKeyPath, '-out', caCertPath,
    ]);
    chmodSync(caKeyPath, 0o600);
  }
  const san = names.map((n) => (isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  openssl([
    'req', '-x509', ...p256, ...(options.ca ? ['-CA', caCertPath, '-CAkey', caKeyPath] : []), '-subj', `/CN=${names[0]}`, '-addext', `subjectAltName=${san}`,
    '-addext', 'basicConstraints=critical,CA:FALSE', '-addext', 'keyUsage=critical,digitalSignature', '-addext', 'extendedKeyUsage=serverAuth',
    '-keyout', keyPath, '-out', certPath,
  ]);
  // openssl creates private keys owner-only already; said again in case a build of it does not.
  chmodSync(keyPath, 0o600);
  // The chain a client without the CA's certificate at hand (a Moddable board) needs to reach it.
  if (options.ca) writeFileSync(certPath, Buffer.concat([readFileSync(certPath), readFileSync(caCertPath)]));
  const fingerprint = new X509Certificate(readFileSync(certPath)).fingerprint256;
  return { certPath, keyPath, fingerprint, ...(options.ca ? { ca: { certPath: caCertPath, keyPath: caKeyPath } } : {}) };
}
