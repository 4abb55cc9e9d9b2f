/**
 * The deny list's compact form of identifiers (docs/payment-code.md, operator
 * documents): per issuer kid and identifier width, one byte string of the
 * identifiers sorted ascending and concatenated, each exactly `width` bytes.
 * 10,000 revoked 4-byte credential ids of one issuer take 40,000 bytes and a
 * few more for the run's header (the plain [kid, id] pairs took 9 per id), and
 * the terminal looks one up by binary search in the signed bytes themselves,
 * with no set of strings to build in RAM.
 *
 *   run = [kid: bstr, width: uint, ids: bstr]   ; ids ascending, no repeats
 */
import type { CborValue } from '../codec/cbor';
import { hex } from './hex';

/** Widths an identifier may have (credential ids and accounts: 4-16 bytes). */
export const idWidth = { min: 4, max: 16 } as const;

export class IdRunError extends Error {}

interface Run {
  width: number;
  ids: Uint8Array;
}

/** Compares `a` with `ids[at .. at + a.length)`. */
function compareAt(a: Uint8Array, ids: Uint8Array, at: number): number {
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - ids[at + i];
    if (d !== 0) return d;
  }
  return 0;
}

/** A read-only set of (kid, id) pairs over the runs of a verified list. */
export class IdRuns {
  private readonly runs: Map<string, Run[]>;
  readonly size: number;

  private constructor(runs: Map<string, Run[]>, size: number) {
    this.runs = runs;
    this.size = size;
  }

  static empty(): IdRuns {
    return new IdRuns(new Map(), 0);
  }

  /** Reads the runs of a list field (absent: none). Throws IdRunError on anything but canonical runs. */
  static read(value: CborValue | undefined, name: string): IdRuns {
    const runs = new Map<string, Run[]>();
    if (value === undefined) return new IdRuns(runs, 0);
    if (!Array.isArray(value)) throw new IdRunError(`${name} is not an array of runs`);
    let size = 0;
    for (const item of value) {
      if (!Array.isArray(item) || item.length !== 3) throw new IdRunError(`${name}: a run is not [kid, width, ids]`);
      const [kid, width, ids] = item;
      if (!(kid instanceof Uint8Array) || kid.length < 1 || kid.length > 8) throw new IdRunError(`${name}: a run's kid is not 1-8 bytes`);
      if (typeof width !== 'number' || !Number.isInteger(width) || width < idWidth.min || width > idWidth.max) throw new IdRunError(`${name}: a run's width is not ${idWidth.min}-${idWidth.max}`);
      if (!(ids instanceof Uint8Array) || ids.length === 0 || ids.length % width !== 0) throw new IdRunError(`${name}: a run's ids are not a whole number of ${width}-byte ids`);
      for (let at = width; at < ids.length; at += width) {
        if (compareAt(ids.subarray(at - width, at), ids, at) >= 0) throw new IdRunError(`${name}: a run's ids are not strictly ascending`);
      }
      const key = hex(kid);
      const same = runs.get(key) ?? [];
      if (same.some((run) => run.width === width)) throw new IdRunError(`${name}: two runs for one kid and width`);
      same.push({ width, ids });
      runs.set(key, same);
      size += ids.length / width;
    }
    return new IdRuns(runs, size);
  }

  has(kid: Uint8Array, id: Uint8Array): boolean {
    const runs = this.runs.get(hex(kid));
    if (!runs) return false;
    for (const run of runs) {
      if (run.width !== id.length) continue;
      let low = 0;
      let high = run.ids.length / run.width - 1;
      while (low <= high) {
        const middle = (low + high) >>> 1;
        const d = compareAt(id, run.ids, middle * run.width);
        if (d === 0) return true;
        if (d > 0) low = middle + 1;
        else high = middle - 1;
      }
    }
    return false;
  }
}

/** Encodes (kid, id) pairs as runs: grouped by kid and width, sorted, repeats dropped. */
export function encodeIdRuns(pairs: { kid: Uint8Array; id: Uint8Array }[]): CborValue[] {
  const groups = new Map<string, { kid: Uint8Array; width: number; ids: Uint8Array[] }>();
  for (const { kid, id } of pairs) {
    if (id.length < idWidth.min || id.length > idWidth.max) throw new IdRunError(`an id of ${id.length} bytes (${idWidth.min}-${idWidth.max})`);
    const key = `${hex(kid)}/${id.length}`;
    const group = groups.get(key) ?? { kid, width: id.length, ids: [] };
    group.ids.push(id);
    groups.set(key, group);
  }
  const runs: CborValue[] = [];
  const keys = Array.from(groups.keys()).sort();
  for (const key of keys) {
    const group = groups.get(key)!;
    const sorted = group.ids.slice().sort((a, b) => compareAt(a, b, 0));
    const unique = sorted.filter((id, i) => i === 0 || compareAt(sorted[i - 1], id, 0) !== 0);
    const ids = new Uint8Array(unique.length * group.width);
    unique.forEach((id, i) => ids.set(id, i * group.width));
    runs.push([group.kid, group.width, ids]);
  }
  return runs;
}
