/**
 * Undoes the block interleaving of ISO/IEC 18004 section 7.6 and corrects each
 * block: codeword i of every block in turn (blocks that are one data codeword
 * short skip the last round), then the error-correction codewords the same way.
 */
import type { BlockLayout } from './ec-blocks';
import { correctBlock } from './reed-solomon';

export interface CorrectedData {
  /** The data codewords of all blocks, in order. */
  data: Uint8Array;
  /** Codewords corrected, over all blocks. */
  corrected: number;
}

/** The corrected data codewords, or undefined when any block has more errors than it may correct. */
export function correctCodewords(codewords: Uint8Array, layout: BlockLayout): CorrectedData | undefined {
  const { dataPerBlock, ecPerBlock, maxErrors } = layout;
  const count = dataPerBlock.length;
  const blocks = dataPerBlock.map((d) => new Uint8Array(d + ecPerBlock));
  const longest = dataPerBlock[count - 1];
  let k = 0;
  for (let i = 0; i < longest; i++) {
    for (let b = 0; b < count; b++) if (i < dataPerBlock[b]) blocks[b][i] = codewords[k++];
  }
  for (let i = 0; i < ecPerBlock; i++) {
    for (let b = 0; b < count; b++) blocks[b][dataPerBlock[b] + i] = codewords[k++];
  }
  let total = 0;
  for (const d of dataPerBlock) total += d;
  const data = new Uint8Array(total);
  let corrected = 0;
  let o = 0;
  for (let b = 0; b < count; b++) {
    const fixed = correctBlock(blocks[b], ecPerBlock, maxErrors);
    if (fixed < 0) return undefined;
    corrected += fixed;
    data.set(blocks[b].subarray(0, dataPerBlock[b]), o);
    o += dataPerBlock[b];
  }
  return { data, corrected };
}
