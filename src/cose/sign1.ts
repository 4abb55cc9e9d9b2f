/**
 * COSE_Sign1 (RFC 9052 §4.2): one signer, one signature.
 *
 *   COSE_Sign1 = [protected: bstr .cbor header_map, unprotected: header_map,
 *                 payload: bstr, signature: bstr]
 *
 * What is signed is the Sig_structure
 *   ["Signature1", protected, external_aad, payload]
 * so verification needs only the byte strings as received: nothing is
 * re-encoded, and the deterministic CBOR decoder guarantees that a decoded
 * header map has a single encoding anyway.
 *
 * Tag 18 (COSE_Sign1) is a decode option: 'required', 'optional' or
 * 'forbidden'; the formats built on this module say which they use. The
 * protected header must be an encoded map (a zero-length bstr stands for an
 * empty one, as RFC 9052 §3 requires for an empty protected header) and must
 * carry `alg`; a detached payload (nil) is not supported.
 *
 * Critical headers (RFC 9052 §3.1 `crit`): a recipient must refuse a message
 * whose `crit` names a label it does not understand. None of our formats
 * defines a critical extension, so a message is refused ('critical-header')
 * when `crit` names any label outside `criticalLabels` (default: none), when
 * it is not a non-empty array of labels present in the protected bucket, and
 * when it sits in the unprotected bucket (it must be integrity protected).
 * `protectedLabels`, when given, is the whole list of labels a format allows
 * in the protected bucket: anything else is refused ('unknown-header'), so a
 * signer cannot slip in a header some other verifier would act upon.
 */
import { decode, encode, isBytes, isCborMap, Tagged, type CborMap, type CborValue } from '../codec/cbor';

export const coseSign1Tag = 18;

/** COSE header labels used by this project (RFC 9052 §3.1, RFC 9528 §10.6). */
export const HeaderLabel = { alg: 1, crit: 2, contentType: 3, kid: 4, kcwt: 13 } as const;

/** COSE algorithm identifiers (RFC 9053). */
export const CoseAlg = { ES256: -7, EdDSA: -8 } as const;
export type CoseAlgName = keyof typeof CoseAlg;

export function algName(id: CborValue | undefined): CoseAlgName | undefined {
  if (id === CoseAlg.ES256) return 'ES256';
  if (id === CoseAlg.EdDSA) return 'EdDSA';
  return undefined;
}

export type CoseErrorReason =
  | 'cbor' // the bytes are not deterministic CBOR (see `cause`)
  | 'structure' // not a four-element COSE_Sign1 array of the right types
  | 'tag' // tag 18 missing when required, present when forbidden, or another tag
  | 'protected-header' // protected bucket is not an encoded map, or lacks `alg`
  | 'header-conflict' // a label in both buckets
  | 'critical-header' // crit malformed, unprotected, or naming a label this recipient does not understand
  | 'unknown-header'; // a protected label the format does not allow

export class CoseError extends Error {
  /** Not `this.name = ...`: Moddable freezes Error.prototype (docs/moddable.md). */
  override get name(): string {
    return 'CoseError';
  }

  readonly reason: CoseErrorReason;
  override readonly cause?: unknown;
  constructor(reason: CoseErrorReason, message: string, cause?: unknown) {
    super(message);
    this.reason = reason;
    if (cause !== undefined) this.cause = cause;
  }
}

export interface Sign1 {
  /** The protected header exactly as carried (a bstr's content). */
  protectedBytes: Uint8Array;
  /** `protectedBytes` decoded. */
  protectedHeader: CborMap;
  unprotectedHeader: CborMap;
  payload: Uint8Array;
  signature: Uint8Array;
  /** The algorithm id from the protected header (any integer or text; the caller checks its allow-list). */
  alg: CborValue;
}

export type TagPolicy = 'required' | 'optional' | 'forbidden';

export interface HeaderRules {
  /** Every label allowed in the protected bucket (absent: any). */
  protectedLabels?: readonly (number | string)[];
  /** Labels this recipient understands when a sender marks them critical. Default none. */
  criticalLabels?: readonly (number | string)[];
}

export interface DecodeSign1Options extends HeaderRules {
  tag?: TagPolicy;
  maxBytes?: number;
  maxDepth?: number;
}

/** The Sig_structure bytes (RFC 9052 §4.4) that a COSE_Sign1 signature covers. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = new Uint8Array(0)): Uint8Array {
  return encode(['Signature1', protectedBytes, externalAad, payload]);
}

/**
 * Interprets an already decoded CBOR value as a COSE_Sign1 (used when one
 * COSE object is embedded in another's header, as `kcwt` is).
 */
export function sign1FromValue(value: CborValue, tag: TagPolicy = 'optional', options: { maxDepth?: number } & HeaderRules = {}): Sign1 {
  let body = value;
  if (body instanceof Tagged) {
    if (body.tag !== coseSign1Tag) throw new CoseError('tag', `tag ${body.tag} is not COSE_Sign1 (18)`);
    if (tag === 'forbidden') throw new CoseError('tag', 'tag 18 present where it is not allowed');
    body = body.value;
  } else if (tag === 'required') {
    throw new CoseError('tag', 'tag 18 (COSE_Sign1) missing');
  }
  if (!Array.isArray(body) || body.length !== 4) throw new CoseError('structure', 'COSE_Sign1 is not a four-element array');
  const [protectedBytes, unprotectedHeader, payload, signature] = body;
  if (!isBytes(protectedBytes)) throw new CoseError('structure', 'protected header is not a byte string');
  if (!isCborMap(unprotectedHeader)) throw new CoseError('structure', 'unprotected header is not a map');
  if (!isBytes(payload)) throw new CoseError('structure', 'payload is not a byte string (detached payloads are not supported)');
  if (!isBytes(signature)) throw new CoseError('structure', 'signature is not a byte string');
  let protectedHeader: CborValue;
  if (protectedBytes.length === 0) protectedHeader = new Map();
  else {
    try {
      protectedHeader = decode(protectedBytes, { maxBytes: protectedBytes.length, maxDepth: options.maxDepth });
    } catch (error) {
      throw new CoseError('cbor', `protected header: ${(error as Error).message}`, error);
    }
  }
  if (!isCborMap(protectedHeader)) throw new CoseError('protected-header', 'protected header is not a map');
  if (protectedBytes.length > 0 && protectedHeader.size === 0) {
    throw new CoseError('protected-header', 'an empty protected header must be a zero-length byte string');
  }
  const alg = protectedHeader.get(HeaderLabel.alg);
  if (alg === undefined) throw new CoseError('protected-header', 'alg is not in the protected header');
  let conflict = false;
  unprotectedHeader.forEach((_v, label) => {
    if (protectedHeader.has(label)) conflict = true;
  });
  if (conflict) throw new CoseError('header-conflict', 'a header label is in both the protected and unprotected buckets');
  checkHeaderRules(protectedHeader, unprotectedHeader, options);
  return { protectedBytes, protectedHeader, unprotectedHeader, payload, signature, alg };
}

function checkHeaderRules(protectedHeader: CborMap, unprotectedHeader: CborMap, rules: HeaderRules): void {
  if (unprotectedHeader.has(HeaderLabel.crit)) throw new CoseError('critical-header', 'crit is in the unprotected bucket');
  const allowed = rules.protectedLabels;
  if (allowed) {
    protectedHeader.forEach((_v, label) => {
      if (allowed.indexOf(label as number | string) < 0) throw new CoseError('unknown-header', `protected header label ${String(label)} is not allowed here`);
    });
  }
  const crit = protectedHeader.get(HeaderLabel.crit);
  if (crit === undefined) return;
  if (!Array.isArray(crit) || crit.length === 0) throw new CoseError('critical-header', 'crit is not a non-empty array of labels');
  const understood = rules.criticalLabels ?? [];
  for (const label of crit) {
    if (typeof label !== 'number' && typeof label !== 'string') throw new CoseError('critical-header', 'a crit entry is not a label');
    if (!protectedHeader.has(label)) throw new CoseError('critical-header', `crit names ${String(label)}, which is not in the protected header`);
    if (understood.indexOf(label) < 0) throw new CoseError('critical-header', `critical header ${String(label)} is not understood`);
  }
}

/** Decodes a COSE_Sign1 from bytes with the strict CBOR decoder. Throws `CoseError`. */
export function decodeSign1(bytes: Uint8Array, options: DecodeSign1Options = {}): Sign1 {
  let value: CborValue;
  try {
    value = decode(bytes, { maxBytes: options.maxBytes, maxDepth: options.maxDepth });
  } catch (error) {
    throw new CoseError('cbor', (error as Error).message, error);
  }
  return sign1FromValue(value, options.tag ?? 'optional', options);
}

/** The bytes a verifier checks `sign1.signature` against. */
export function toBeSigned(sign1: Sign1, externalAad?: Uint8Array): Uint8Array {
  return sigStructure(sign1.protectedBytes, sign1.payload, externalAad);
}

export interface CreateSign1Options {
  protectedHeader: CborMap;
  unprotectedHeader?: CborMap;
  payload: Uint8Array;
  externalAad?: Uint8Array;
  /** Signs the Sig_structure bytes (the whole message; ES256 hashes it itself), e.g. a keystore by name. */
  sign: (toBeSigned: Uint8Array) => Uint8Array;
}

/** Builds and signs a COSE_Sign1; returns the untagged array value (wrap it in `Tagged(18, ...)` to tag it). */
export function createSign1(options: CreateSign1Options): CborValue[] {
  if (!options.protectedHeader.has(HeaderLabel.alg)) throw new CoseError('protected-header', 'alg must be in the protected header');
  const protectedBytes = options.protectedHeader.size === 0 ? new Uint8Array(0) : encode(options.protectedHeader);
  const signature = options.sign(sigStructure(protectedBytes, options.payload, options.externalAad));
  return [protectedBytes, options.unprotectedHeader ?? new Map(), options.payload, signature];
}

/** `createSign1`, encoded; tagged with 18 unless `tagged` is false. */
export function encodeSign1(options: CreateSign1Options & { tagged?: boolean }): Uint8Array {
  const message = createSign1(options);
  return encode(options.tagged === false ? message : new Tagged(coseSign1Tag, message));
}
