/**
 * CBOR (RFC 8949) for signed objects: a deterministic encoder and a strict
 * decoder that accepts exactly the encodings the encoder produces.
 *
 * Deterministic encoding follows the core requirements of RFC 8949 §4.2.1:
 * integers, lengths and tags in their shortest form, definite lengths only,
 * map keys sorted by the bytewise order of their encodings. Because the
 * decoder requires all of that too, every accepted value has exactly one
 * byte string, so a signature over bytes is a signature over one value.
 *
 * The value model (`CborValue`):
 * - unsigned and negative integers (major types 0, 1): `number` when it is a
 *   safe integer, `bigint` beyond (up to 64 bits, as CBOR allows);
 * - byte strings: `Uint8Array`; text strings: `string` (strict UTF-8);
 * - arrays: `CborValue[]`; maps: `Map` whose keys are integers or text
 *   (the only labels COSE and CWT use; other key types are rejected);
 * - tags: `Tagged` (tag number below 2^53);
 * - simple values: `false`, `true`, `null`.
 * Floating point, `undefined` and other simple values are not part of the
 * model: the formats built on it never need them, and refusing them removes
 * the non-canonical float forms (and NaN payloads) from the attack surface.
 */
import { utf8Decode, utf8Encode } from './utf8';

export type CborKey = number | bigint | string;
export type CborValue = number | bigint | string | Uint8Array | boolean | null | CborValue[] | CborMap | Tagged;
export type CborMap = Map<CborKey, CborValue>;

export class Tagged {
  readonly tag: number;
  readonly value: CborValue;
  constructor(tag: number, value: CborValue) {
    this.tag = tag;
    this.value = value;
  }
}

export type DecodeErrorReason =
  | 'too-large' // input longer than maxBytes
  | 'truncated' // input ends inside an item
  | 'trailing-bytes' // bytes after the single top-level item
  | 'indefinite-length' // additional info 31 (or a stray break)
  | 'reserved' // additional info 28-30
  | 'non-canonical' // an integer, length or tag not in its shortest form
  | 'unsupported-simple' // floats, undefined and simple values other than false/true/null
  | 'invalid-utf8'
  | 'key-type' // a map key that is neither an integer nor text
  | 'duplicate-key'
  | 'key-order' // map keys not in bytewise order of their encodings
  | 'too-deep' // nesting beyond maxDepth
  | 'out-of-range'; // a tag number of 2^53 or more

export class DecodeError extends Error {
  /** Not `this.name = ...`: Moddable freezes Error.prototype (docs/moddable.md). */
  override get name(): string {
    return 'DecodeError';
  }

  readonly reason: DecodeErrorReason;
  /** Byte offset where the problem was found. */
  readonly offset: number;
  constructor(reason: DecodeErrorReason, offset: number, message: string) {
    super(`${message} (at byte ${offset})`);
    this.reason = reason;
    this.offset = offset;
  }
}

/** Thrown by `encode` for a value outside the model (a float, undefined, a lone surrogate...). */
export class EncodeError extends Error {
  /** Not `this.name = ...`: Moddable freezes Error.prototype (docs/moddable.md). */
  override get name(): string {
    return 'EncodeError';
  }

  constructor(message: string) {
    super(message);
  }
}

export interface DecodeOptions {
  /** Inputs longer than this are rejected before any decoding. Default 4096. */
  maxBytes?: number;
  /** Deepest nesting of arrays, maps and tags accepted. Default 16. */
  maxDepth?: number;
}

export const defaultMaxBytes = 4096;
export const defaultMaxDepth = 16;

// ---------------------------------------------------------------- encoding

class Writer {
  private buffer = new Uint8Array(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buffer[this.length++] = b;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  result(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Writes a head (major type + argument) in its shortest form. */
function writeHead(w: Writer, major: number, argument: number | bigint): void {
  const m = major << 5;
  if (typeof argument === 'bigint') {
    if (argument <= BigInt(Number.MAX_SAFE_INTEGER)) {
      writeHead(w, major, Number(argument));
      return;
    }
    w.byte(m | 27);
    for (let shift = 56n; shift >= 0n; shift -= 8n) w.byte(Number((argument >> shift) & 0xffn));
    return;
  }
  if (argument < 24) w.byte(m | argument);
  else if (argument < 0x100) { w.byte(m | 24); w.byte(argument); }
  else if (argument < 0x10000) { w.byte(m | 25); w.byte(argument >> 8); w.byte(argument & 0xff); }
  else if (argument < 0x100000000) {
    w.byte(m | 26);
    w.byte((argument >>> 24) & 0xff); w.byte((argument >>> 16) & 0xff); w.byte((argument >>> 8) & 0xff); w.byte(argument & 0xff);
  } else {
    const high = Math.floor(argument / 0x100000000);
    const low = argument - high * 0x100000000;
    w.byte(m | 27);
    w.byte((high >>> 24) & 0xff); w.byte((high >>> 16) & 0xff); w.byte((high >>> 8) & 0xff); w.byte(high & 0xff);
    w.byte((low >>> 24) & 0xff); w.byte((low >>> 16) & 0xff); w.byte((low >>> 8) & 0xff); w.byte(low & 0xff);
  }
}

const maxUint64 = (1n << 64n) - 1n;

function writeInteger(w: Writer, value: number | bigint): void {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new EncodeError(`${value} is not a safe integer (floats are not supported)`);
    if (value >= 0) writeHead(w, 0, value);
    else writeHead(w, 1, -1 - value);
    return;
  }
  if (value >= 0n) {
    if (value > maxUint64) throw new EncodeError(`${value} does not fit in 64 bits`);
    writeHead(w, 0, value);
  } else {
    if (-1n - value > maxUint64) throw new EncodeError(`${value} does not fit in 64 bits`);
    writeHead(w, 1, -1n - value);
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function writeValue(w: Writer, value: CborValue, depth: number): void {
  if (depth > 64) throw new EncodeError('value nested too deeply (or cyclic)');
  if (typeof value === 'number' || typeof value === 'bigint') writeInteger(w, value);
  else if (typeof value === 'string') {
    const bytes = utf8Encode(value);
    if (!bytes) throw new EncodeError('text contains a lone surrogate');
    writeHead(w, 3, bytes.length);
    w.bytes(bytes);
  } else if (value instanceof Uint8Array) {
    writeHead(w, 2, value.length);
    w.bytes(value);
  } else if (value === false) w.byte(0xf4);
  else if (value === true) w.byte(0xf5);
  else if (value === null) w.byte(0xf6);
  else if (Array.isArray(value)) {
    writeHead(w, 4, value.length);
    for (const item of value) writeValue(w, item, depth + 1);
  } else if (value instanceof Map) {
    const entries: { key: Uint8Array; value: CborValue }[] = [];
    value.forEach((v, k) => {
      if (typeof k !== 'number' && typeof k !== 'bigint' && typeof k !== 'string') throw new EncodeError('map keys must be integers or text');
      entries.push({ key: encode(k), value: v });
    });
    entries.sort((a, b) => compareBytes(a.key, b.key));
    for (let i = 1; i < entries.length; i++) {
      if (compareBytes(entries[i - 1].key, entries[i].key) === 0) throw new EncodeError('two map keys encode the same');
    }
    writeHead(w, 5, entries.length);
    for (const entry of entries) {
      w.bytes(entry.key);
      writeValue(w, entry.value, depth + 1);
    }
  } else if (value instanceof Tagged) {
    if (!Number.isSafeInteger(value.tag) || value.tag < 0) throw new EncodeError(`tag ${value.tag} is not a non-negative safe integer`);
    writeHead(w, 6, value.tag);
    writeValue(w, value.value, depth + 1);
  } else {
    throw new EncodeError(`cannot encode ${value === undefined ? 'undefined' : typeof value} as CBOR`);
  }
}

/** The deterministic encoding (RFC 8949 §4.2.1) of `value`. Throws `EncodeError` outside the value model. */
export function encode(value: CborValue): Uint8Array {
  const w = new Writer();
  writeValue(w, value, 0);
  return w.result();
}

// ---------------------------------------------------------------- decoding

class Reader {
  offset = 0;
  constructor(readonly data: Uint8Array, readonly maxDepth: number) {}

  fail(reason: DecodeErrorReason, message: string, at = this.offset): never {
    throw new DecodeError(reason, at, message);
  }

  need(n: number): void {
    if (n > this.data.length - this.offset) this.fail('truncated', `needs ${n} more bytes, ${this.data.length - this.offset} left`);
  }

  /** Reads a head; returns the major type and argument (a bigint only when beyond 2^53 - 1). */
  head(): { major: number; info: number; argument: number | bigint; start: number } {
    const start = this.offset;
    this.need(1);
    const initial = this.data[this.offset++];
    const major = initial >> 5;
    const info = initial & 31;
    if (info < 24) return { major, info, argument: info, start };
    if (info === 31) this.fail('indefinite-length', 'indefinite lengths and break are not allowed', start);
    if (info > 27) this.fail('reserved', `reserved additional information ${info}`, start);
    if (major === 7) return { major, info, argument: 0, start }; // floats and one-byte simple values: rejected by the caller
    const size = 1 << (info - 24);
    this.need(size);
    let argument: number | bigint = 0;
    if (size <= 4) {
      for (let i = 0; i < size; i++) argument = (argument as number) * 256 + this.data[this.offset++];
    } else {
      let big = 0n;
      for (let i = 0; i < 8; i++) big = (big << 8n) | BigInt(this.data[this.offset++]);
      argument = big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }
    const minimum = info === 24 ? 24 : info === 25 ? 0x100 : info === 26 ? 0x10000 : 0x100000000;
    if (argument < minimum) this.fail('non-canonical', `argument ${argument} not in shortest form`, start);
    return { major, info, argument, start };
  }

  /** A length or count: must fit what is left of the input (each item takes at least one byte). */
  length(argument: number | bigint, start: number): number {
    if (typeof argument === 'bigint' || argument > this.data.length - this.offset) {
      this.fail('truncated', `length ${argument} exceeds the remaining input`, start);
    }
    return argument as number;
  }

  value(depth: number): CborValue {
    const { major, info, argument, start } = this.head();
    switch (major) {
      case 0:
        return argument;
      case 1:
        return typeof argument === 'bigint' ? -1n - argument : argument === Number.MAX_SAFE_INTEGER ? -1n - BigInt(argument) : -1 - argument;
      case 2: {
        const n = this.length(argument, start);
        const bytes = this.data.slice(this.offset, this.offset + n);
        this.offset += n;
        return bytes;
      }
      case 3: {
        const n = this.length(argument, start);
        const text = utf8Decode(this.data.subarray(this.offset, this.offset + n));
        if (text === undefined) this.fail('invalid-utf8', 'text string is not valid UTF-8', start);
        this.offset += n;
        return text;
      }
      case 4: {
        if (depth >= this.maxDepth) this.fail('too-deep', `nesting deeper than ${this.maxDepth}`, start);
        const n = this.length(argument, start);
        const items: CborValue[] = [];
        for (let i = 0; i < n; i++) items.push(this.value(depth + 1));
        return items;
      }
      case 5: {
        if (depth >= this.maxDepth) this.fail('too-deep', `nesting deeper than ${this.maxDepth}`, start);
        const n = this.length(argument, start);
        const map: CborMap = new Map();
        let previousKey: Uint8Array | undefined;
        for (let i = 0; i < n; i++) {
          const keyStart = this.offset;
          const key = this.value(depth + 1);
          if (typeof key !== 'number' && typeof key !== 'bigint' && typeof key !== 'string') {
            this.fail('key-type', 'map key is neither an integer nor text', keyStart);
          }
          const keyBytes = this.data.subarray(keyStart, this.offset);
          if (previousKey) {
            const order = compareBytes(previousKey, keyBytes);
            if (order === 0) this.fail('duplicate-key', 'duplicate map key', keyStart);
            if (order > 0) this.fail('key-order', 'map keys not in canonical order', keyStart);
          }
          previousKey = keyBytes;
          map.set(key, this.value(depth + 1));
        }
        return map;
      }
      case 6: {
        if (depth >= this.maxDepth) this.fail('too-deep', `nesting deeper than ${this.maxDepth}`, start);
        if (typeof argument === 'bigint') this.fail('out-of-range', `tag ${argument} is too large`, start);
        return new Tagged(argument as number, this.value(depth + 1));
      }
      default:
        if (info === 20) return false;
        if (info === 21) return true;
        if (info === 22) return null;
        return this.fail('unsupported-simple', `simple value or float (additional information ${info}) is not supported`, start);
    }
  }
}

/**
 * Decodes exactly one CBOR item filling `data`. Throws `DecodeError` for
 * anything that is not the deterministic encoding of a value in the model.
 */
export function decode(data: Uint8Array, options: DecodeOptions = {}): CborValue {
  const maxBytes = options.maxBytes ?? defaultMaxBytes;
  const maxDepth = options.maxDepth ?? defaultMaxDepth;
  if (!(data instanceof Uint8Array)) throw new DecodeError('truncated', 0, 'input is not a Uint8Array');
  if (data.length > maxBytes) throw new DecodeError('too-large', 0, `input of ${data.length} bytes exceeds ${maxBytes}`);
  const reader = new Reader(data, maxDepth);
  const value = reader.value(0);
  if (reader.offset !== data.length) reader.fail('trailing-bytes', `${data.length - reader.offset} bytes after the item`);
  return value;
}

export function isCborMap(value: CborValue | undefined): value is CborMap {
  return value instanceof Map;
}

export function isBytes(value: CborValue | undefined): value is Uint8Array {
  return value instanceof Uint8Array;
}

/** True for two byte strings of equal content. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
