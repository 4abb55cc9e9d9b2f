/**
 * The COSE_Sign1 envelope shared by every message of the authorization
 * protocol: tagged (18), `alg` and a content type in the protected header, the
 * signer's `kid` when it has one, a CBOR map as payload. The content type
 * separates the message kinds, so a signature made for one kind (an enrollment)
 * can never be passed off as another (an authorization request) by the same key.
 */
import { decode, encode, type CborMap } from '../codec/cbor';
import { CoseError, HeaderLabel, decodeSign1, encodeSign1, toBeSigned, type Sign1 } from '../cose/sign1';
import { verify, type SignatureCheck } from '../crypto/verify';
import type { SignatureAlgorithm } from '../../hal/keystore';
import { asMap, FormatError } from './fields';
import { coseAlgId, signatureAlgorithm, type PublicKey, type Signer } from './signer';

export const ContentType = {
  enrollmentRequest: 'application/qrpay-enroll+cbor',
  enrollment: 'application/qrpay-enrolled+cbor',
  request: 'application/qrpay-auth-request+cbor',
  decision: 'application/qrpay-decision+cbor',
  /** A customer's signed instruction to the authorizer (step-up answer, report, freeze): wallet-message.ts. */
  wallet: 'application/qrpay-wallet+cbor',
  /** The terminal gives a request up (reversal.ts), and the authorizer's signed acknowledgement. */
  reversal: 'application/qrpay-reversal+cbor',
  reversalAck: 'application/qrpay-reversal-ack+cbor',
  /** A merchant's completion, void, refund or batch close (instruction.ts), and the authorizer's signed result. */
  instruction: 'application/qrpay-instruction+cbor',
  instructionResult: 'application/qrpay-instruction-result+cbor',
  /** A payment the terminal approved offline, uploaded later (advice.ts). */
  offlineAdvice: 'application/qrpay-offline-advice+cbor',
  /** The offline advices uploaded together (offline-batch.ts), and the authorizer's signed acknowledgement. */
  offlineBatch: 'application/qrpay-offline-batch+cbor',
  offlineBatchAck: 'application/qrpay-offline-batch-ack+cbor',
  /** The operator's permission for one terminal to enroll (voucher.ts). */
  voucher: 'application/qrpay-voucher+cbor',
  /** The authorizer's next decision key, signed by the current one (key-rotation.ts). */
  keyRotation: 'application/qrpay-key-rotation+cbor',
} as const;
export type ContentTypeName = (typeof ContentType)[keyof typeof ContentType];

/** The only protected labels an envelope carries; anything else (crit included) is refused. */
const envelopeLabels = [HeaderLabel.alg, HeaderLabel.contentType, HeaderLabel.kid];

/** Bigger messages are refused before any decoding. */
export const maxMessageBytes = 8192;

export interface SealOptions {
  contentType: ContentTypeName;
  payload: CborMap;
  signer: Signer;
  kid?: Uint8Array;
}

export function seal(options: SealOptions): Uint8Array {
  const protectedHeader: CborMap = new Map();
  protectedHeader.set(HeaderLabel.alg, coseAlgId(options.signer.alg));
  protectedHeader.set(HeaderLabel.contentType, options.contentType);
  // A rotated decision key names itself (key-rotation.ts), so a stored answer signed by an older one can be told.
  const kid = options.kid ?? options.signer.kid;
  if (kid) protectedHeader.set(HeaderLabel.kid, kid);
  return encodeSign1({ protectedHeader, payload: encode(options.payload), sign: (bytes) => options.signer.sign(bytes) });
}

export interface Opened {
  sign1: Sign1;
  alg: SignatureAlgorithm;
  kid?: Uint8Array;
  payload: CborMap;
}

/** Decodes the envelope and its payload map; checks nothing about the signature. Throws FormatError. */
export function open(bytes: Uint8Array, contentType: ContentTypeName): Opened {
  let sign1: Sign1;
  try {
    sign1 = decodeSign1(bytes, { tag: 'required', maxBytes: maxMessageBytes, protectedLabels: envelopeLabels });
  } catch (error) {
    const reason = error instanceof CoseError ? error.reason : 'cbor';
    throw new FormatError('message', `not a COSE_Sign1 message (${reason}): ${(error as Error).message}`);
  }
  const alg = signatureAlgorithm(sign1.alg);
  if (!alg) throw new FormatError('alg', `unsupported algorithm ${String(sign1.alg)} (ES256 or EdDSA)`);
  if (sign1.protectedHeader.get(HeaderLabel.contentType) !== contentType) {
    throw new FormatError('content type', `not a ${contentType} message`);
  }
  if (sign1.unprotectedHeader.size !== 0) throw new FormatError('message', 'unexpected unprotected header fields');
  const kid = sign1.protectedHeader.get(HeaderLabel.kid);
  if (kid !== undefined && !(kid instanceof Uint8Array)) throw new FormatError('kid', 'kid is not a byte string');
  let payload;
  try {
    payload = decode(sign1.payload, { maxBytes: maxMessageBytes });
  } catch (error) {
    throw new FormatError('payload', `payload is not deterministic CBOR: ${(error as Error).message}`);
  }
  const opened: Opened = { sign1, alg, payload: asMap(payload, 'payload') };
  if (kid !== undefined) opened.kid = kid;
  return opened;
}

/** True when the envelope's signature verifies with `key` (and the algorithms agree); `check` is crypto/verify.ts's unless given. */
export function signedBy(opened: Opened, key: PublicKey, check: SignatureCheck = verify): boolean {
  return opened.alg === key.alg && check(key.alg, key.publicKey, toBeSigned(opened.sign1), opened.sign1.signature);
}

/**
 * The authorizer keys a terminal accepts an answer from: one key, or during a decision-key rotation's overlap the
 * new one first and the previous one (src/terminal/decision-keys.ts).
 */
export type AuthorizerKeys = PublicKey | readonly PublicKey[];

/** True when the envelope is signed by one of `keys`, tried in order (the current key first: it is the usual signer). */
export function signedByOneOf(opened: Opened, keys: AuthorizerKeys, check: SignatureCheck = verify): boolean {
  const list: readonly PublicKey[] = Array.isArray(keys) ? keys : [keys as PublicKey];
  for (let i = 0; i < list.length; i++) if (signedBy(opened, list[i], check)) return true;
  return false;
}
