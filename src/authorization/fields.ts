/**
 * Typed readers for the CBOR maps of the authorization protocol. Every
 * problem becomes a `FormatError` naming the field, so a garbled message is
 * reported as such and never as an untyped exception.
 */
import { isBytes, isCborMap, type CborKey, type CborMap, type CborValue } from '../codec/cbor';

export class FormatError extends Error {
  /** Not `this.name = ...`: Moddable freezes Error.prototype (docs/moddable.md). */
  override get name(): string {
    return 'FormatError';
  }

  /** The field (map key) at fault, or `message` for the message as a whole. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

export function asMap(value: CborValue | undefined, field: string): CborMap {
  if (!isCborMap(value)) throw new FormatError(field, `${field} is not a CBOR map`);
  return value;
}

/** Rejects keys outside `allowed`: an unknown field is a format this code does not understand. */
export function onlyKeys(map: CborMap, allowed: readonly CborKey[], where: string): void {
  map.forEach((_value, key) => {
    if (allowed.indexOf(key) < 0) throw new FormatError(where, `${where} has an unknown field ${String(key)}`);
  });
}

function missing(name: string): FormatError {
  return new FormatError(name, `${name} is missing`);
}

export function readUint(map: CborMap, key: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  const value = map.get(key);
  if (value === undefined) throw missing(name);
  if (typeof value !== 'number' || value < 0 || value > max || Math.floor(value) !== value) {
    throw new FormatError(name, `${name} is not an unsigned integer up to ${max}`);
  }
  return value;
}

export function readInt(map: CborMap, key: number, name: string, min: number, max: number): number {
  const value = map.get(key);
  if (value === undefined) throw missing(name);
  if (typeof value !== 'number' || value < min || value > max || Math.floor(value) !== value) {
    throw new FormatError(name, `${name} is not an integer in ${min}..${max}`);
  }
  return value;
}

export function readText(map: CborMap, key: number, name: string, maxLength: number, pattern?: RegExp): string {
  const value = map.get(key);
  if (value === undefined) throw missing(name);
  if (typeof value !== 'string' || value.length > maxLength || (pattern && !pattern.test(value))) {
    throw new FormatError(name, `${name} is not valid text (at most ${maxLength} characters${pattern ? `, ${pattern}` : ''})`);
  }
  return value;
}

export function readBytes(map: CborMap, key: number, name: string, minLength: number, maxLength: number): Uint8Array {
  const value = map.get(key);
  if (value === undefined) throw missing(name);
  if (!isBytes(value) || value.length < minLength || value.length > maxLength) {
    throw new FormatError(name, `${name} is not a byte string of ${minLength}..${maxLength} bytes`);
  }
  return value;
}

export function readChoice<T extends string>(map: CborMap, key: number, name: string, choices: readonly T[]): T {
  const value = map.get(key);
  if (value === undefined) throw missing(name);
  if (typeof value !== 'string' || choices.indexOf(value as T) < 0) {
    throw new FormatError(name, `${name} is not one of ${choices.join(', ')}`);
  }
  return value as T;
}

/** Reads an optional field with one of the readers above. */
export function optional<T>(map: CborMap, key: number, read: (map: CborMap, key: number) => T): T | undefined {
  return map.has(key) ? read(map, key) : undefined;
}

/** Builds a CBOR map from [key, value] pairs, leaving out undefined values. */
export function mapOf(entries: [number, CborValue | undefined][]): CborMap {
  const map: CborMap = new Map();
  for (const [key, value] of entries) if (value !== undefined) map.set(key, value);
  return map;
}
