/**
 * How each QR symbol splits its codewords into Reed-Solomon blocks
 * (ISO/IEC 18004 Table 9), versions 1-40 and levels L, M, Q, H.
 *
 * The table holds only what cannot be derived: error-correction codewords per
 * block and the number of blocks. The total codeword count follows from the
 * version (modules left after the function patterns, format and version
 * information, divided by 8); data codewords are spread over the blocks with
 * the later blocks one codeword longer, as the standard lays them out.
 */

export type EcLevel = 'L' | 'M' | 'Q' | 'H';

export interface BlockLayout {
  /** Data codewords of each block, in interleaving order. */
  dataPerBlock: number[];
  /** Error-correction codewords per block (the same for every block). */
  ecPerBlock: number;
  /** Errors a block may correct: (ec - misdecode-protection codewords) / 2. */
  maxErrors: number;
  totalCodewords: number;
}

// Per version: [ecPerBlock, blocks] for L, M, Q, H.
const table: ReadonlyArray<readonly number[]> = [
  [7, 1, 10, 1, 13, 1, 17, 1],
  [10, 1, 16, 1, 22, 1, 28, 1],
  [15, 1, 26, 1, 18, 2, 22, 2],
  [20, 1, 18, 2, 26, 2, 16, 4],
  [26, 1, 24, 2, 18, 4, 22, 4],
  [18, 2, 16, 4, 24, 4, 28, 4],
  [20, 2, 18, 4, 18, 6, 26, 5],
  [24, 2, 22, 4, 22, 6, 26, 6],
  [30, 2, 22, 5, 20, 8, 24, 8],
  [18, 4, 26, 5, 24, 8, 28, 8],
  [20, 4, 30, 5, 28, 8, 24, 11],
  [24, 4, 22, 8, 26, 10, 28, 11],
  [26, 4, 22, 9, 24, 12, 22, 16],
  [30, 4, 24, 9, 20, 16, 24, 16],
  [22, 6, 24, 10, 30, 12, 24, 18],
  [24, 6, 28, 10, 24, 17, 30, 16],
  [28, 6, 28, 11, 28, 16, 28, 19],
  [30, 6, 26, 13, 28, 18, 28, 21],
  [28, 7, 26, 14, 26, 21, 26, 25],
  [28, 8, 26, 16, 30, 20, 28, 25],
  [28, 8, 26, 17, 28, 23, 30, 25],
  [28, 9, 28, 17, 30, 23, 24, 34],
  [30, 9, 28, 18, 30, 25, 30, 30],
  [30, 10, 28, 20, 30, 27, 30, 32],
  [26, 12, 28, 21, 30, 29, 30, 35],
  [28, 12, 28, 23, 28, 34, 30, 37],
  [30, 12, 28, 25, 30, 34, 30, 40],
  [30, 13, 28, 26, 30, 35, 30, 42],
  [30, 14, 28, 28, 30, 38, 30, 45],
  [30, 15, 28, 29, 30, 40, 30, 48],
  [30, 16, 28, 31, 30, 43, 30, 51],
  [30, 17, 28, 33, 30, 45, 30, 54],
  [30, 18, 28, 35, 30, 48, 30, 57],
  [30, 19, 28, 37, 30, 51, 30, 60],
  [30, 19, 28, 38, 30, 53, 30, 63],
  [30, 20, 28, 40, 30, 56, 30, 66],
  [30, 21, 28, 43, 30, 59, 30, 70],
  [30, 22, 28, 45, 30, 62, 30, 74],
  [30, 24, 28, 47, 30, 65, 30, 77],
  [30, 25, 28, 49, 30, 68, 30, 81],
];

const levelIndex: Record<EcLevel, number> = { L: 0, M: 1, Q: 2, H: 3 };

// Misdecode-protection codewords (Table 9, "p"): only versions 1-3 have them.
const protection: Record<string, number> = { '1L': 3, '1M': 2, '1Q': 1, '1H': 1, '2L': 2, '3L': 1 };

/** Codewords a symbol of this version holds (data plus error correction; remainder bits excluded). */
export function totalCodewords(version: number): number {
  const side = 17 + 4 * version;
  // Finders with separators and format information (3 * 64 + 31), timing patterns, the dark module.
  let functionModules = 3 * 64 + 31 + 2 * (side - 16);
  if (version >= 2) {
    const count = Math.floor(version / 7) + 2;
    // count^2 alignment patterns minus the three under the finders; those on the timing lines overlap 5 modules each.
    functionModules += 25 * (count * count - 3) - 10 * (count - 2);
  }
  if (version >= 7) functionModules += 36;
  return Math.floor((side * side - functionModules) / 8);
}

export function blockLayout(version: number, level: EcLevel): BlockLayout {
  const row = table[version - 1];
  const ecPerBlock = row[2 * levelIndex[level]];
  const blocks = row[2 * levelIndex[level] + 1];
  const total = totalCodewords(version);
  const data = total - ecPerBlock * blocks;
  const shortData = Math.floor(data / blocks);
  const longBlocks = data % blocks;
  const dataPerBlock: number[] = [];
  for (let i = 0; i < blocks; i++) dataPerBlock.push(i < blocks - longBlocks ? shortData : shortData + 1);
  const maxErrors = Math.floor((ecPerBlock - (protection[`${version}${level}`] ?? 0)) / 2);
  return { dataPerBlock, ecPerBlock, maxErrors, totalCodewords: total };
}
