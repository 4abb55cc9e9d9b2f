/**
 * Key-value storage in a directory: one folder per domain, one file per key
 * (names encoded by `file-names.ts`). Each write goes to a temporary file,
 * is fsynced, then renamed over the old file, and the folder is fsynced: a
 * reader after a crash sees the old value or the new one, never a mix.
 * Opening a domain removes temporary files a crash left behind.
 * A `powerCut` option simulates a power failure at the Nth write.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { HalError } from '../errors';
import type { KeyValueStore, Storage, StorageOpenOptions } from '../storage';
import { requireBytes, requireValidKey } from '../portable/key-rules';
import { decodeKey, encodeKey } from './file-names';
import { PowerSwitch, type PowerCutOptions } from './power-switch';

const tempSuffix = '.tmp';

export interface DirectoryStorageOptions {
  directory: string;
  powerCut?: PowerCutOptions;
  /** Permission bits for value files. Default 0o644 (the file keystore uses 0o600). */
  fileMode?: number;
}

export class DirectoryStorage implements Storage {
  readonly directory: string;
  readonly power: PowerSwitch;
  readonly #fileMode: number;

  constructor(options: DirectoryStorageOptions) {
    this.directory = options.directory;
    this.power = new PowerSwitch(options.powerCut);
    this.#fileMode = options.fileMode ?? 0o644;
    io(() => mkdirSync(this.directory, { recursive: true }), 'create the storage directory');
  }

  open(options: StorageOpenOptions): KeyValueStore {
    const path = requireValidKey(options?.path, 'domain');
    this.power.requirePower();
    const folder = join(this.directory, encodeKey(path));
    const readOnly = options.mode === 'r';
    if (!readOnly) io(() => mkdirSync(folder, { recursive: true }), `create domain ${path}`);
    removeTornWrites(folder);
    return new DirectoryKeyValueStore(folder, readOnly, this.power, this.#fileMode);
  }
}

class DirectoryKeyValueStore implements KeyValueStore {
  readonly #folder: string;
  readonly #readOnly: boolean;
  readonly #power: PowerSwitch;
  readonly #fileMode: number;
  #closed = false;

  constructor(folder: string, readOnly: boolean, power: PowerSwitch, fileMode: number) {
    this.#folder = folder;
    this.#readOnly = readOnly;
    this.#power = power;
    this.#fileMode = fileMode;
  }

  read(key: string): Uint8Array | undefined {
    this.#check(false);
    const file = join(this.#folder, encodeKey(requireValidKey(key)));
    try {
      return new Uint8Array(readFileSync(file));
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return undefined;
      throw new HalError('io', `cannot read ${key}: ${messageOf(error)}`);
    }
  }

  write(key: string, value: Uint8Array): void {
    this.#check(true);
    const name = encodeKey(requireValidKey(key));
    requireBytes(value);
    const file = join(this.#folder, name);
    const temp = file + tempSuffix;
    const cut = this.#power.startWrite();
    if (cut && this.#power.cut === 'lost') throw powerLost(key);
    io(() => mkdirSync(this.#folder, { recursive: true }), 'create the domain folder');
    if (cut && this.#power.cut === 'torn') {
      writeFileDurably(temp, value.subarray(0, value.length >> 1), this.#fileMode);
      throw powerLost(key);
    }
    io(() => {
      writeFileDurably(temp, value, this.#fileMode);
      renameSync(temp, file);
      syncDirectory(this.#folder);
    }, `write ${key}`);
    if (cut) throw powerLost(key);
  }

  delete(key: string): void {
    this.#check(true);
    const file = join(this.#folder, encodeKey(requireValidKey(key)));
    const cut = this.#power.startWrite();
    if (cut && this.#power.cut !== 'done') throw powerLost(key);
    io(() => {
      try {
        unlinkSync(file);
      } catch (error) {
        if (codeOf(error) !== 'ENOENT') throw error;
      }
      syncDirectory(this.#folder);
    }, `delete ${key}`);
    if (cut) throw powerLost(key);
  }

  keys(): string[] {
    this.#check(false);
    let names: string[];
    try {
      names = readdirSync(this.#folder);
    } catch (error) {
      if (codeOf(error) === 'ENOENT') return [];
      throw new HalError('io', `cannot list keys: ${messageOf(error)}`);
    }
    const keys: string[] = [];
    for (const name of names) {
      const key = decodeKey(name);
      if (key !== undefined) keys.push(key);
    }
    return keys;
  }

  close(): void {
    this.#closed = true;
  }

  #check(writing: boolean): void {
    if (this.#closed) throw new HalError('closed', 'key-value store is closed');
    this.#power.requirePower();
    if (writing && this.#readOnly) throw new HalError('io', 'key-value store was opened read-only');
  }
}

function writeFileDurably(path: string, bytes: Uint8Array, mode: number): void {
  const fd = openSync(path, 'w', mode);
  try {
    let offset = 0;
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename or unlink durable. Some platforms (Windows) cannot fsync a directory; they journal metadata anyway. */
function syncDirectory(folder: string): void {
  let fd: number;
  try {
    fd = openSync(folder, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // EISDIR/EPERM on platforms without directory fsync.
  } finally {
    closeSync(fd);
  }
}

function removeTornWrites(folder: string): void {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.endsWith(tempSuffix)) io(() => rmSync(join(folder, name), { force: true }), `remove torn write ${name}`);
  }
}

function io<T>(run: () => T, what: string): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof HalError) throw error;
    throw new HalError('io', `cannot ${what}: ${messageOf(error)}`);
  }
}

function powerLost(key: string): HalError {
  return new HalError('power-lost', `power was cut while writing ${key}`);
}

function codeOf(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
