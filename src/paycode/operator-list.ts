/**
 * Operator documents: the trust list (issuer keys) and the deny list
 * (revoked credentials, frozen accounts). Each is a COSE_Sign1 tagged 18,
 * signed by the operator's root key, whose protected header carries `alg`
 * and a content type naming the document, so one can never pass for the other.
 *
 *   payload = { 1: version (uint), 2: issuedAt, 3: expiresAt (NumericDate),
 *               4: [COSE_Key with kid, ...]          ; trust list
 *               5: [[issuer kid, id width, ids], ...] ; deny list: revoked credentials (id-runs.ts)
 *               6: [[issuer kid, id width, ids], ...] ; deny list: frozen accounts
 *               7: {1 floor limit, 2 count, 3 total, 4 per credential, 5 list age ms} } ; deny list: offline limits
 */
import { decode, type CborMap, type CborValue } from '../codec/cbor';
import { algName, decodeSign1, HeaderLabel, toBeSigned, type CoseAlgName } from '../cose/sign1';
import { fromCoseKey, type PublicKey } from '../cose/key';
import { verify, type SignatureCheck } from '../crypto/verify';
import { denyListContentType, ListField, trustListContentType } from './format';
import { hex } from './hex';
import { IdRunError, IdRuns } from './id-runs';
import type { OfflineLimits } from '../authorization/enrollment';

/** The operator's root key, provisioned on the terminal at manufacture. */
export interface OperatorRoot {
  alg: CoseAlgName;
  publicKey: Uint8Array;
}

export type ListRejectReason =
  | 'malformed' // not a well-formed operator document of the expected type
  | 'bad-signature' // not signed by the operator root key
  | 'expired' // expiresAt has passed
  | 'not-newer' // version is not above the installed one
  | 'storage'; // the document verified but could not be persisted, so it was not installed

export interface ListRejection {
  ok: false;
  reason: ListRejectReason;
  detail: string;
}

export interface ListHeader {
  version: number;
  issuedAt: number;
  expiresAt: number;
}

export interface TrustListContent extends ListHeader {
  /** Issuer keys by hex kid. */
  issuers: Map<string, PublicKey>;
}

export interface DenyListContent extends ListHeader {
  /** (issuer kid, credential id) */
  revokedCredentials: IdRuns;
  /** (issuer kid, account) */
  frozenAccounts: IdRuns;
  /** The offline limits the operator sets with this list, for every terminal (absent: the enrollment's stay). */
  offlineLimits?: OfflineLimits;
}

export const maxListBytes = 65536;

class ListError extends Error {
  constructor(readonly reason: ListRejectReason, detail: string) {
    super(detail);
  }
}

function uint(payload: CborMap, field: number, name: string): number {
  const value = payload.get(field);
  if (typeof value !== 'number' || value < 0) throw new ListError('malformed', `${name} is missing or not an unsigned integer`);
  return value;
}

function array(payload: CborMap, field: number, name: string): CborValue[] {
  const value = payload.get(field);
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw new ListError('malformed', `${name} is not an array`);
  return value;
}

/** Verifies the envelope and returns the payload map and its header fields. */
function openDocument(bytes: Uint8Array, contentType: string, root: OperatorRoot, allowed: number[], check: SignatureCheck): { payload: CborMap; header: ListHeader } {
  let payload: CborValue;
  let sign1;
  try {
    sign1 = decodeSign1(bytes, { tag: 'required', maxBytes: maxListBytes, maxDepth: 6, protectedLabels: [HeaderLabel.alg, HeaderLabel.contentType] });
  } catch (error) {
    throw new ListError('malformed', `not a COSE_Sign1: ${(error as Error).message}`);
  }
  if (sign1.protectedHeader.get(HeaderLabel.contentType) !== contentType) {
    throw new ListError('malformed', `content type is not ${contentType}`);
  }
  const alg = algName(sign1.alg);
  if (alg !== root.alg) throw new ListError('bad-signature', `signed with ${String(sign1.alg)}, the operator root key is ${root.alg}`);
  if (!check(alg, root.publicKey, toBeSigned(sign1), sign1.signature)) throw new ListError('bad-signature', 'operator signature does not verify');
  try {
    payload = decode(sign1.payload, { maxBytes: maxListBytes, maxDepth: 6 });
  } catch (error) {
    throw new ListError('malformed', `payload: ${(error as Error).message}`);
  }
  if (!(payload instanceof Map)) throw new ListError('malformed', 'payload is not a map');
  payload.forEach((_v, key) => {
    if (typeof key !== 'number' || allowed.indexOf(key) < 0) throw new ListError('malformed', `unexpected field ${String(key)}`);
  });
  const header = {
    version: uint(payload, ListField.version, 'version'),
    issuedAt: uint(payload, ListField.issuedAt, 'issuedAt'),
    expiresAt: uint(payload, ListField.expiresAt, 'expiresAt'),
  };
  if (header.expiresAt <= header.issuedAt) throw new ListError('malformed', 'expiresAt is not after issuedAt');
  return { payload, header };
}

function runs(payload: CborMap, field: number, name: string): IdRuns {
  try {
    return IdRuns.read(payload.get(field), name);
  } catch (error) {
    if (error instanceof IdRunError) throw new ListError('malformed', error.message);
    throw error;
  }
}

function offlineLimits(payload: CborMap): OfflineLimits | undefined {
  const value = payload.get(ListField.offlineLimits);
  if (value === undefined) return undefined;
  if (!(value instanceof Map)) throw new ListError('malformed', 'offline limits is not a map');
  value.forEach((_v, key) => {
    if (typeof key !== 'number' || key < 1 || key > 5) throw new ListError('malformed', `offline limits: unexpected field ${String(key)}`);
  });
  return {
    floorLimit: uint(value, 1, 'floor limit'), maxCount: uint(value, 2, 'offline count'), maxTotal: uint(value, 3, 'offline total'),
    maxPerCredential: uint(value, 4, 'offline per credential'), maxListAge: uint(value, 5, 'list age'),
  };
}

type Opened<T> = { ok: true; content: T } | ListRejection;

function guard<T>(f: () => T): Opened<T> {
  try {
    return { ok: true, content: f() };
  } catch (error) {
    if (error instanceof ListError) return { ok: false, reason: error.reason, detail: error.message };
    return { ok: false, reason: 'malformed', detail: String(error) };
  }
}

/** Verifies (with `check`, crypto/verify.ts's unless given) and reads a signed trust list (expiry and version are the store's business). */
export function openTrustList(bytes: Uint8Array, root: OperatorRoot, check: SignatureCheck = verify): Opened<TrustListContent> {
  return guard(() => {
    const { payload, header } = openDocument(bytes, trustListContentType, root,
      [ListField.version, ListField.issuedAt, ListField.expiresAt, ListField.issuers], check);
    const issuers = new Map<string, PublicKey>();
    for (const entry of array(payload, ListField.issuers, 'issuers')) {
      let key: PublicKey;
      try {
        key = fromCoseKey(entry);
      } catch (error) {
        throw new ListError('malformed', `issuer key: ${(error as Error).message}`);
      }
      if (!key.kid || key.kid.length === 0) throw new ListError('malformed', 'issuer key has no kid');
      const id = hex(key.kid);
      if (issuers.has(id)) throw new ListError('malformed', `issuer kid ${id} listed twice`);
      issuers.set(id, key);
    }
    return { ...header, issuers };
  });
}

/** Verifies (with `check`, crypto/verify.ts's unless given) and reads a signed deny list. */
export function openDenyList(bytes: Uint8Array, root: OperatorRoot, check: SignatureCheck = verify): Opened<DenyListContent> {
  return guard(() => {
    const { payload, header } = openDocument(bytes, denyListContentType, root,
      [ListField.version, ListField.issuedAt, ListField.expiresAt, ListField.revokedCredentials, ListField.frozenAccounts, ListField.offlineLimits], check);
    const limits = offlineLimits(payload);
    return {
      ...header,
      revokedCredentials: runs(payload, ListField.revokedCredentials, 'revoked credentials'),
      frozenAccounts: runs(payload, ListField.frozenAccounts, 'frozen accounts'),
      ...(limits ? { offlineLimits: limits } : {}),
    };
  });
}
