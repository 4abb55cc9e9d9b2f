/**
 * The data bit stream of a QR symbol (ISO/IEC 18004 section 7.4): segments of
 * numeric, alphanumeric, byte and ECI mode up to the terminator (or the end
 * of the data). The payload bytes and text are what jsQR reports for the same
 * symbol: digits and alphanumeric characters as their ASCII codes, byte
 * segments as the bytes; text is the characters, byte segments read as UTF-8
 * when valid and Latin-1 otherwise (`jsqr-decode.ts` reads jsQR's byte
 * segments the same way). ECI designators are recorded, not applied (jsQR ignores
 * them too). Kanji, structured append and FNC1 are refused as unsupported:
 * the caller then falls back to jsQR.
 */
import { decodeUtf8 } from './utf8';

export type SegmentFailure = 'unsupported-mode' | 'bad-data';

export interface Payload {
  bytes: Uint8Array;
  text: string;
  /** ECI assignment numbers in the order they appear. */
  eci: number[];
}

/** The 45 characters of alphanumeric mode, as their ASCII codes, by value. */
const alphanumericCodes: readonly number[] = Array.from('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:', (c) => c.charCodeAt(0));

class BitReader {
  private position = 0;
  constructor(private readonly data: Uint8Array) {}

  available(): number {
    return this.data.length * 8 - this.position;
  }

  /**
   * `count` bits (at most 17) most significant first; the caller checks `available` first. Cut from the 24 bits
   * of the three bytes from the current one (bytes past the end read as 0): on XS a step per bit, or per byte,
   * costs more than the three reads.
   */
  read(count: number): number {
    const data = this.data;
    const position = this.position;
    const at = position >> 3;
    // `| 0` turns a byte past the end (undefined) into 0.
    const window = (data[at] << 16) | ((data[at + 1] | 0) << 8) | (data[at + 2] | 0);
    this.position = position + count;
    return (window >> (24 - (position & 7) - count)) & ((1 << count) - 1);
  }
}

/** Character-count bits per mode for versions 1-9, 10-26, 27-40. */
const countBits = {
  numeric: [10, 12, 14],
  alphanumeric: [9, 11, 13],
  byte: [8, 16, 16],
};

export function parseSegments(data: Uint8Array, version: number): Payload | SegmentFailure {
  const size = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  const reader = new BitReader(data);
  let bytes: number[] = [];
  const eci: number[] = [];
  let text = '';
  while (reader.available() >= 4) {
    const mode = reader.read(4);
    if (mode === 0) return finish(bytes, text, eci);
    if (mode === 0b0111) {
      const assignment = readEci(reader);
      if (assignment < 0) return 'bad-data';
      eci.push(assignment);
      continue;
    }
    const bitsForCount = mode === 0b0001 ? countBits.numeric : mode === 0b0010 ? countBits.alphanumeric : mode === 0b0100 ? countBits.byte : undefined;
    if (!bitsForCount) return 'unsupported-mode';
    if (reader.available() < bitsForCount[size]) return 'bad-data';
    const count = reader.read(bitsForCount[size]);
    const segment = mode === 0b0001 ? readNumeric(reader, count) : mode === 0b0010 ? readAlphanumeric(reader, count) : readBytes(reader, count);
    if (segment === undefined) return 'bad-data';
    // One native concatenation, not a `push` call a byte.
    bytes = bytes.concat(segment);
    text += mode === 0b0100 ? bytesToText(segment) : charactersOf(segment);
  }
  // No terminator: the stream may end in fewer than four bits, which must then be zero.
  if (reader.read(reader.available()) !== 0) return 'bad-data';
  return finish(bytes, text, eci);
}

function finish(bytes: number[], text: string, eci: number[]): Payload {
  return { bytes: Uint8Array.from(bytes), text, eci };
}

/** The string of these character codes, built in slices (an interpreter's argument count is bounded). */
function charactersOf(codes: number[]): string {
  let text = '';
  for (let i = 0; i < codes.length; i += 1024) text += String.fromCharCode.apply(null, codes.slice(i, i + 1024));
  return text;
}

/** UTF-8 when valid, else one character per byte (Latin-1). */
export function bytesToText(bytes: ArrayLike<number>): string {
  const utf8 = decodeUtf8(bytes);
  if (utf8 !== undefined) return utf8;
  return charactersOf(Array.prototype.slice.call(bytes) as number[]);
}

/** The ECI assignment number (1, 2 or 3 bytes, announced by 0, 10 or 110), or -1. */
function readEci(reader: BitReader): number {
  if (reader.available() < 8) return -1;
  const first = reader.read(8);
  if ((first & 0x80) === 0) return first;
  if ((first & 0xc0) === 0x80) return reader.available() < 8 ? -1 : ((first & 0x3f) << 8) | reader.read(8);
  if ((first & 0xe0) === 0xc0) return reader.available() < 16 ? -1 : ((first & 0x1f) << 16) | reader.read(16);
  return -1;
}

/** Digits as ASCII codes: groups of three in 10 bits, a final two in 7 or one in 4. */
function readNumeric(reader: BitReader, count: number): number[] | undefined {
  const out: number[] = [];
  for (let left = count; left > 0; ) {
    const digits = left >= 3 ? 3 : left;
    const bits = digits === 3 ? 10 : digits === 2 ? 7 : 4;
    if (reader.available() < bits) return undefined;
    const value = reader.read(bits);
    if (value >= [1, 10, 100, 1000][digits]) return undefined;
    const s = String(value + [0, 10, 100, 1000][digits]).slice(1);
    for (let i = 0; i < digits; i++) out.push(s.charCodeAt(i));
    left -= digits;
  }
  return out;
}

/** Pairs of characters in 11 bits (45 a + b), a final one in 6. */
function readAlphanumeric(reader: BitReader, count: number): number[] | undefined {
  const pairs = count >> 1;
  // The whole segment's length checked once, not per pair; the characters' codes read from a table (on XS a
  // `charCodeAt` is a call).
  if (reader.available() < 11 * pairs + 6 * (count & 1)) return undefined;
  const out: number[] = new Array(count).fill(0);
  for (let i = 0, k = 0; i < pairs; i++, k += 2) {
    const value = reader.read(11);
    const a = (value / 45) | 0;
    if (a >= 45) return undefined;
    out[k] = alphanumericCodes[a];
    out[k + 1] = alphanumericCodes[value - 45 * a];
  }
  if (count & 1) {
    const value = reader.read(6);
    if (value >= 45) return undefined;
    out[count - 1] = alphanumericCodes[value];
  }
  return out;
}

function readBytes(reader: BitReader, count: number): number[] | undefined {
  if (reader.available() < 8 * count) return undefined;
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(reader.read(8));
  return out;
}
