/**
 * Base45 (RFC 9285): bytes as text from the 45-character set of QR
 * alphanumeric mode, so a QR code stores it at 5.5 bits per character.
 * Two bytes become three characters (little end first), a final odd byte
 * two characters.
 *
 * The decoder is strict: any character outside the set, a length that is 1
 * modulo 3, or a group whose value does not fit (a triple above 65535, a pair
 * above 255) is a `Base45Error`; nothing is guessed or skipped.
 */
export const base45Alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

export type Base45ErrorReason = 'invalid-character' | 'invalid-length' | 'out-of-range' | 'too-large';

export class Base45Error extends Error {
  readonly reason: Base45ErrorReason;
  constructor(reason: Base45ErrorReason, message: string) {
    super(message);
    this.name = 'Base45Error';
    this.reason = reason;
  }
}

const digitOf = new Int8Array(128).fill(-1);
for (let i = 0; i < base45Alphabet.length; i++) digitOf[base45Alphabet.charCodeAt(i)] = i;

export function encodeBase45(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 1 < bytes.length; i += 2) {
    let n = bytes[i] * 256 + bytes[i + 1];
    const c = n % 45;
    n = (n - c) / 45;
    const d = n % 45;
    const e = (n - d) / 45;
    out += base45Alphabet[c] + base45Alphabet[d] + base45Alphabet[e];
  }
  if (i < bytes.length) {
    const n = bytes[i];
    out += base45Alphabet[n % 45] + base45Alphabet[(n - (n % 45)) / 45];
  }
  return out;
}

/** Length in characters of the base45 text for `byteLength` bytes. */
export function base45Length(byteLength: number): number {
  return 3 * Math.floor(byteLength / 2) + 2 * (byteLength % 2);
}

/**
 * Decodes base45 text. `maxChars` bounds the work before any is done: longer
 * text is rejected with reason 'too-large' without being read.
 */
export function decodeBase45(text: string, maxChars = Infinity): Uint8Array {
  if (typeof text !== 'string') throw new Base45Error('invalid-character', 'base45 input is not a string');
  if (text.length > maxChars) throw new Base45Error('too-large', `base45 text of ${text.length} characters exceeds ${maxChars}`);
  if (text.length % 3 === 1) throw new Base45Error('invalid-length', `base45 length ${text.length} is 1 modulo 3`);
  const out = new Uint8Array(2 * Math.floor(text.length / 3) + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const group = Math.min(3, text.length - i);
    let n = 0;
    for (let k = group - 1; k >= 0; k--) {
      const code = text.charCodeAt(i + k);
      const digit = code < 128 ? digitOf[code] : -1;
      if (digit < 0) throw new Base45Error('invalid-character', `character ${JSON.stringify(text[i + k])} at ${i + k} is not base45`);
      n = n * 45 + digit;
    }
    if (group === 3) {
      if (n > 0xffff) throw new Base45Error('out-of-range', `base45 triple at ${i} has value ${n} > 65535`);
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    } else {
      if (n > 0xff) throw new Base45Error('out-of-range', `base45 final pair at ${i} has value ${n} > 255`);
      out[o++] = n;
    }
  }
  return out;
}
