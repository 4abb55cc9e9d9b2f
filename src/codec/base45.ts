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
  /** Not `this.name = ...`: Moddable freezes Error.prototype (docs/moddable.md). */
  override get name(): string {
    return 'Base45Error';
  }

  readonly reason: Base45ErrorReason;
  constructor(reason: Base45ErrorReason, message: string) {
    super(message);
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

// One sequential pass over the characters: XS stores strings as UTF-8, where charCodeAt(i)
// costs O(i), so an index loop is quadratic (it cost 2.5 M instructions per code, this 1.8 M).
function toDigits(text: string): Uint8Array {
  const digits = new Uint8Array(text.length);
  let n = 0;
  for (const char of text) {
    const code = char.charCodeAt(0);
    const digit = code < 128 ? digitOf[code] : -1;
    if (digit < 0) throw new Base45Error('invalid-character', `character ${JSON.stringify(char)} at ${n} is not base45`);
    digits[n++] = digit;
  }
  return digits;
}

/**
 * Decodes base45 text. `maxChars` bounds the work before any is done: longer
 * text is rejected with reason 'too-large' without being read.
 */
export function decodeBase45(text: string, maxChars = Infinity): Uint8Array {
  if (typeof text !== 'string') throw new Base45Error('invalid-character', 'base45 input is not a string');
  if (text.length > maxChars) throw new Base45Error('too-large', `base45 text of ${text.length} characters exceeds ${maxChars}`);
  if (text.length % 3 === 1) throw new Base45Error('invalid-length', `base45 length ${text.length} is 1 modulo 3`);
  const digits = toDigits(text);
  const n = digits.length;
  const out = new Uint8Array(2 * Math.floor(n / 3) + (n % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < n; i += 3) {
    if (i + 2 < n) {
      const value = digits[i] + digits[i + 1] * 45 + digits[i + 2] * 2025;
      if (value > 0xffff) throw new Base45Error('out-of-range', `base45 triple at ${i} has value ${value} > 65535`);
      out[o++] = value >> 8;
      out[o++] = value & 0xff;
    } else {
      const value = digits[i] + digits[i + 1] * 45;
      if (value > 0xff) throw new Base45Error('out-of-range', `base45 final pair at ${i} has value ${value} > 255`);
      out[o++] = value;
    }
  }
  return out;
}
