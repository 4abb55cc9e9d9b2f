/**
 * The wallet's files: keys and credentials as JSON with hex fields, so a
 * developer can read them (and see that the secret keys are in them: these
 * are simulator keys, not for real money).
 */
import { readFileSync, writeFileSync } from 'node:fs';
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
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    throw new WalletFileError(`cannot read ${path}: ${(error as Error).message}`);
  }
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

export function saveKey(path: string, kind: KeyFile['kind'], key: KeyPair & { kid?: Uint8Array }): void {
  writeFileSync(path, JSON.stringify(keyToFile(kind, key), null, 2) + '\n', { mode: 0o600 });
}

export function loadKey(path: string, kind: 'operator' | 'device'): KeyPair {
  return keyFromFile(readJson(path), kind, path);
}

export function loadIssuer(path: string): IssuerKey {
  const file = readJson(path);
  const key = keyFromFile(file, 'issuer', path);
  return { ...key, kid: hexToBytes(String(file.kid)) };
}

export function saveCredential(path: string, credential: IssuedCredential, device: KeyPair): void {
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
  writeFileSync(path, JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
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
