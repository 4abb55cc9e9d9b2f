/**
 * The eight data-mask patterns (ISO/IEC 18004 Table 10): a data module at
 * (row i, column j) is inverted where the pattern's condition holds.
 */
/** A data mask's pattern as the rows it repeats after: module (i, j) is inverted where `rows[(i % period) * dimension + j]` is 1. */
export interface MaskRows {
  period: number;
  rows: number[];
}

/**
 * `maskApplies` for every module of a `dimension`-sided grid at once: the pattern is chosen once, not per
 * module (on XS a call and a switch per module cost more than the test), and only the rows it repeats after
 * are computed (the condition depends on the row through i mod 2, 3, 4 or 6).
 */
export function maskRows(mask: number, dimension: number): MaskRows {
  const condition = maskConditions[mask];
  if (!condition) throw new RangeError(`data mask ${mask}`);
  const period = maskPeriods[mask];
  // A plain array: XS reads and writes an Array element in about half the instructions of a typed array's.
  const rows: number[] = new Array(period * dimension).fill(0);
  for (let i = 0, at = 0; i < period; i++) at = condition(rows, at, i, dimension);
  return { period, rows };
}

/** Rows after which each pattern repeats: floor(i / 2) mod 2 (mask 4) has period 4, i * j mod 6 (masks 5-7) 6. */
const maskPeriods: readonly number[] = [2, 2, 1, 3, 4, 6, 6, 6];

/** Each mask's condition over one row i (from `at`), with what depends on i alone taken out of the loop. */
const maskConditions: readonly ((out: number[], at: number, i: number, dimension: number) => number)[] = [
  (out, at, i, n) => {
    for (let j = i % 2; j < n; j += 2) out[at + j] = 1;
    return at + n;
  },
  (out, at, i, n) => {
    if (i % 2 === 0) out.fill(1, at, at + n);
    return at + n;
  },
  (out, at, _i, n) => {
    for (let j = 0; j < n; j += 3) out[at + j] = 1;
    return at + n;
  },
  (out, at, i, n) => {
    for (let j = (3 - (i % 3)) % 3; j < n; j += 3) out[at + j] = 1;
    return at + n;
  },
  (out, at, i, n) => {
    // floor(i / 2) + floor(j / 3) even: runs of three columns, every other run, which runs by the row pair.
    for (let j = ((i >> 1) % 2) * 3; j < n; j += 6) out.fill(1, at + j, at + Math.min(j + 3, n));
    return at + n;
  },
  (out, at, i, n) => {
    for (let j = 0; j < n; j++) {
      const ij = i * j;
      if ((ij % 2) + (ij % 3) === 0) out[at + j] = 1;
    }
    return at + n;
  },
  (out, at, i, n) => {
    for (let j = 0; j < n; j++) {
      const ij = i * j;
      if (((ij % 2) + (ij % 3)) % 2 === 0) out[at + j] = 1;
    }
    return at + n;
  },
  (out, at, i, n) => {
    for (let j = 0; j < n; j++) if ((((i + j) % 2) + ((i * j) % 3)) % 2 === 0) out[at + j] = 1;
    return at + n;
  },
];

export function maskApplies(mask: number, i: number, j: number): boolean {
  switch (mask) {
    case 0: return (i + j) % 2 === 0;
    case 1: return i % 2 === 0;
    case 2: return j % 3 === 0;
    case 3: return (i + j) % 3 === 0;
    case 4: return (Math.floor(i / 2) + Math.floor(j / 3)) % 2 === 0;
    case 5: return ((i * j) % 2) + ((i * j) % 3) === 0;
    case 6: return (((i * j) % 2) + ((i * j) % 3)) % 2 === 0;
    case 7: return (((i + j) % 2) + ((i * j) % 3)) % 2 === 0;
    default: throw new RangeError(`data mask ${mask}`);
  }
}
