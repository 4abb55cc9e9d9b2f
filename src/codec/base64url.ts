/**
 * base64url without padding (RFC 4648 §5, as JOSE and CWT texts use it): the
 * credential's `sub` claim carries the account pseudonym this way, because RFC
 * 8392 makes `sub` a text string (StringOrURI) and strict CWT readers refuse
 * a byte string there.
 *
 * The decoder is strict, so every byte string has exactly one text: a character
 * outside `A-Z a-z 0-9 - _` (padding `=` included), a length that is 1 modulo 4,
 * or non-zero bits left over in the last character is a `Base64urlError`.
 */
export const base64urlAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export type Base64urlErrorReason = 'invalid-character' | 'invalid-length' | 'non-canonical';

export class Base64urlError extends Error {
  /** Not `this.name = ...`: Moddable freezes Error.prototype (docs/moddable.md). */
  override get name(): string {
    return 'Base64urlError';
  }

  readonly reason: Base64urlErrorReason;
  constructor(reason: Base64urlErrorReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

export function encodeBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += base64urlAlphabet[n >> 18] + base64urlAlphabet[(n >> 12) & 63] + base64urlAlphabet[(n >> 6) & 63] + base64urlAlphabet[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += base64urlAlphabet[n >> 18] + base64urlAlphabet[(n >> 12) & 63];
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += base64urlAlphabet[n >> 18] + base64urlAlphabet[(n >> 12) & 63] + base64urlAlphabet[(n >> 6) & 63];
  }
  return out;
}

/** The 6-bit value of one character, or -1 outside the alphabet (arithmetic: no table to build at load). */
function sextet(code: number): number {
  if (code >= 65 && code <= 90) return code - 65; // A-Z
  if (code >= 97 && code <= 122) return code - 71; // a-z
  if (code >= 48 && code <= 57) return code + 4; // 0-9
  if (code === 45) return 62; // -
  if (code === 95) return 63; // _
  return -1;
}

export function decodeBase64url(text: string): Uint8Array {
  if (text.length % 4 === 1) throw new Base64urlError('invalid-length', `base64url text of ${text.length} characters`);
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let bits = 0;
  let buffered = 0;
  let o = 0;
  let position = 0;
  // for-of, not charCodeAt(i): XS stores strings as UTF-8, where indexing is O(i) (see base45.ts).
  for (const char of text) {
    const value = sextet(char.charCodeAt(0));
    if (value < 0) throw new Base64urlError('invalid-character', `character ${JSON.stringify(char)} at ${position} is not base64url`);
    buffered = ((buffered << 6) | value) & 0xfff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffered >> bits) & 0xff;
    }
    position++;
  }
  if ((buffered & ((1 << bits) - 1)) !== 0) throw new Base64urlError('non-canonical', 'the last character has non-zero unused bits');
  return out;
}
