/**
 * The wallet's files: keys and credentials as JSON with hex fields, so a
 * developer can read them (and see that the secret keys are in them: these
 * are simulator keys, not for real money).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { decode, type CborValue } from '../../src/codec/cbor';
import type { CoseAlgName } from '../../src/cose/sign1';
import { keyPairFromSecret, type IssuedCredential, type IssuerKey, type KeyPair } from './wallet';

interface KeyFile { kind: 'issuer' | 'operator' | 'device'; alg: CoseAlgName; secretKey: string; publicKey: string; kid?: string }
interface CredentialFile {
  kind: 'credential';
  issuerKid: string;
  issuerAlg: CoseAlgName;
  account: string;
  credentialId: string;
  notBefore: number;
  expiresAt: number;
  limits?: { perPaymentCap?: number; offlineAllowed?: boolean };
  device: KeyFile;
  credential: string;
}

export class WalletFileError extends Error {}

function readJson(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new WalletFileError(code === 'ENOENT' ? `no such file: ${path}` : `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object') return value as Record<string, unknown>;
  } catch {
    // reported below, without echoing the bytes (they may be a PNG or a secret)
  }
  throw new WalletFileError(`${path} is not a qrpay wallet file (JSON from qrpay wallet issuer, operator or credential)`);
}

/**
 * Writes a file that holds a secret key, owner-only, creating its directory.
 * It never replaces an existing file unless `force`: that would lose the old key.
 */
export function writeSecretFile(path: string, text: string, force: boolean): void {
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, text, { mode: 0o600, flag: force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new WalletFileError(`${path} already exists and may hold a secret key: pass --force to replace it`);
    }
    throw error;
  }
}

/** Writes a public output file (a signed list, a PNG), creating its directory. */
export function writeOutputFile(path: string, bytes: Uint8Array | string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, bytes);
}

function keyToFile(kind: KeyFile['kind'], key: KeyPair & { kid?: Uint8Array }): KeyFile {
  const file: KeyFile = { kind, alg: key.alg, secretKey: bytesToHex(key.secretKey), publicKey: bytesToHex(key.publicKey) };
  if (key.kid) file.kid = bytesToHex(key.kid);
  return file;
}

function keyFromFile(file: Record<string, unknown>, kind: KeyFile['kind'], path: string): KeyPair {
  if (file.kind !== kind) throw new WalletFileError(`${path} is not a ${kind} key file`);
  if (file.alg !== 'ES256' && file.alg !== 'EdDSA') throw new WalletFileError(`${path}: unsupported alg`);
  return keyPairFromSecret(file.alg, hexToBytes(String(file.secretKey)));
}

export function saveKey(path: string, kind: KeyFile['kind'], key: KeyPair & { kid?: Uint8Array }, force = false): void {
  writeSecretFile(path, JSON.stringify(keyToFile(kind, key), null, 2) + '\n', force);
}

export function loadKey(path: string, kind: 'operator' | 'device'): KeyPair {
  return keyFromFile(readJson(path), kind, path);
}

export function loadIssuer(path: string): IssuerKey {
  const file = readJson(path);
  const key = keyFromFile(file, 'issuer', path);
  return { ...key, kid: hexToBytes(String(file.kid)) };
}

export function saveCredential(path: string, credential: IssuedCredential, device: KeyPair, force = false): void {
  const file: CredentialFile = {
    kind: 'credential',
    issuerKid: bytesToHex(credential.issuerKid),
    issuerAlg: credential.issuerAlg,
    account: bytesToHex(credential.account),
    credentialId: bytesToHex(credential.credentialId),
    notBefore: credential.notBefore,
    expiresAt: credential.expiresAt,
    device: keyToFile('device', device),
    credential: bytesToHex(credential.bytes),
  };
  if (credential.limits) file.limits = credential.limits;
  writeSecretFile(path, JSON.stringify(file, null, 2) + '\n', force);
}

export function loadCredential(path: string): { credential: IssuedCredential; device: KeyPair } {
  const file = readJson(path) as unknown as CredentialFile;
  if (file.kind !== 'credential') throw new WalletFileError(`${path} is not a credential file`);
  const device = keyFromFile(file.device as unknown as Record<string, unknown>, 'device', path);
  const bytes = hexToBytes(file.credential);
  const credential: IssuedCredential = {
    issuerKid: hexToBytes(file.issuerKid),
    issuerAlg: file.issuerAlg,
    account: hexToBytes(file.account),
    credentialId: hexToBytes(file.credentialId),
    notBefore: file.notBefore,
    expiresAt: file.expiresAt,
    device: { alg: device.alg, publicKey: device.publicKey },
    value: decode(bytes) as CborValue[],
    bytes,
  };
  if (file.limits) credential.limits = file.limits;
  return { credential, device };
}
