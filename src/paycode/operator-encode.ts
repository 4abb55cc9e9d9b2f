/**
 * Building operator documents (the operator's side; see operator-list.ts for
 * the format). Signing goes through a callback, e.g. an HSM or a keystore.
 */
import { Tagged, encode, type CborMap, type CborValue } from '../codec/cbor';
import { CoseAlg, coseSign1Tag, createSign1, HeaderLabel, type CoseAlgName } from '../cose/sign1';
import { toCoseKey, type PublicKey } from '../cose/key';
import type { Signer } from './encode';
import { denyListContentType, ListField, trustListContentType } from './format';
import { encodeIdRuns } from './id-runs';
import type { OfflineLimits } from '../authorization/enrollment';

export interface ListHeaderInput {
  version: number;
  issuedAt: number;
  expiresAt: number;
}

export interface TrustListInput extends ListHeaderInput {
  /** Issuer public keys; each must have a kid. */
  issuers: (PublicKey & { kid: Uint8Array })[];
}

export interface DenyListInput extends ListHeaderInput {
  revokedCredentials?: { issuerKid: Uint8Array; credentialId: Uint8Array }[];
  frozenAccounts?: { issuerKid: Uint8Array; account: Uint8Array }[];
  /** The offline limits every terminal applies from this list on (absent: each keeps its enrollment's). */
  offlineLimits?: OfflineLimits;
}

function signDocument(contentType: string, alg: CoseAlgName, payload: CborMap, sign: Signer): Uint8Array {
  const message = createSign1({
    protectedHeader: new Map<number, CborValue>([[HeaderLabel.alg, CoseAlg[alg]], [HeaderLabel.contentType, contentType]]),
    payload: encode(payload),
    sign,
  });
  return encode(new Tagged(coseSign1Tag, message));
}

function header(input: ListHeaderInput): CborMap {
  return new Map<number, CborValue>([
    [ListField.version, input.version],
    [ListField.issuedAt, input.issuedAt],
    [ListField.expiresAt, input.expiresAt],
  ]);
}

export function encodeTrustList(input: TrustListInput, rootAlg: CoseAlgName, sign: Signer): Uint8Array {
  const payload = header(input);
  payload.set(ListField.issuers, input.issuers.map((issuer) => toCoseKey(issuer)));
  return signDocument(trustListContentType, rootAlg, payload, sign);
}

export function encodeDenyList(input: DenyListInput, rootAlg: CoseAlgName, sign: Signer): Uint8Array {
  const payload = header(input);
  const revoked = encodeIdRuns((input.revokedCredentials ?? []).map((r) => ({ kid: r.issuerKid, id: r.credentialId })));
  const frozen = encodeIdRuns((input.frozenAccounts ?? []).map((f) => ({ kid: f.issuerKid, id: f.account })));
  if (revoked.length > 0) payload.set(ListField.revokedCredentials, revoked);
  if (frozen.length > 0) payload.set(ListField.frozenAccounts, frozen);
  const limits = input.offlineLimits;
  if (limits) {
    payload.set(ListField.offlineLimits, new Map<number, CborValue>([
      [1, limits.floorLimit], [2, limits.maxCount], [3, limits.maxTotal], [4, limits.maxPerCredential], [5, limits.maxListAge],
    ]));
  }
  return signDocument(denyListContentType, rootAlg, payload, sign);
}
