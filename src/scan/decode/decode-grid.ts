/**
 * Decodes a QR symbol from its module grid (ISO/IEC 18004 section 7 in
 * reverse), without locating anything: the scanner has already sampled and
 * thresholded the modules. Format information, version information (7+),
 * data mask, codeword order, block de-interleaving, Reed-Solomon correction
 * and the data segments, one module each.
 *
 * It never guesses: format and version information must be within their BCH
 * codes' correction capacity, every block must correct within its capacity,
 * and the bit stream must parse. Anything else is a typed failure, never an
 * exception and never a payload that was not encoded. Mirrored symbols are
 * not read (a phone screen seen by a camera is never mirrored).
 */
import { correctCodewords } from './blocks';
import { blockLayout, type EcLevel } from './ec-blocks';
import { readCodewords } from './codeword-order';
import { decodeFormat, readFormatBits } from './format-info';
import { parseSegments, type SegmentFailure } from './segments';
import { decodeVersion, readVersionBits } from './version-info';

export interface GridDecoded {
  ok: true;
  bytes: Uint8Array;
  text: string;
  version: number;
  level: EcLevel;
  mask: number;
  /** Codewords Reed-Solomon corrected. */
  corrected: number;
  /** ECI assignment numbers met in the stream (recorded, not applied). */
  eci: number[];
}

export interface GridFailure {
  ok: false;
  reason: 'bad-size' | 'format-unreadable' | 'version-unreadable' | 'version-mismatch' | 'too-many-errors' | SegmentFailure;
}

export type GridDecodeResult = GridDecoded | GridFailure;

/**
 * `modules`: `dimension` x `dimension` row-major (a plain or a typed array), 1 = dark module, 0 = light,
 * in the symbol's own orientation (top-left finder at row 0, column 0).
 */
export function decodeGrid(modules: ArrayLike<number>, dimension: number): GridDecodeResult {
  const version = (dimension - 17) / 4;
  if (!Number.isInteger(version) || version < 1 || version > 40 || modules.length < dimension * dimension) return fail('bad-size');
  const dark = (row: number, col: number) => modules[row * dimension + col] === 1;
  const format = decodeFormat(readFormatBits(dark, dimension));
  if (!format) return fail('format-unreadable');
  if (version >= 7) {
    const stated = decodeVersion(readVersionBits(dark, dimension));
    if (stated === undefined) return fail('version-unreadable');
    // The grid was sampled at the wrong size: reading it as another version would be garbage.
    if (stated !== version) return fail('version-mismatch');
  }
  const layout = blockLayout(version, format.level);
  const codewords = readCodewords(modules, dimension, format.mask, layout.totalCodewords);
  const corrected = correctCodewords(codewords, layout);
  if (!corrected) return fail('too-many-errors');
  const payload = parseSegments(corrected.data, version);
  if (typeof payload === 'string') return fail(payload);
  return { ok: true, ...payload, version, level: format.level, mask: format.mask, corrected: corrected.corrected };
}

function fail(reason: GridFailure['reason']): GridFailure {
  return { ok: false, reason };
}
