/**
 * The payment bench's frame split into the scanner's stages (src/scan/scanner.ts `scanImage`, grid path), each
 * measured alone by a `scan-stage-*` case: `prepare` renders the frame and runs the stages before the measured one
 * (their products are its input), `op` runs that one stage. The frame is the ES256 payment code of
 * bench/cases/payment-world.ts (embedded below, so prepare renders one frame and builds no world): 320x240
 * gray8, 3 px a module, version 12.
 */
import { renderQrLuma } from '../../test/support/qr-frame';
import type { LumaImage } from '../../src/frame/luma';
import { scanForFinders, type Finder } from '../../src/scan/finder-scan';
import { pickTriple, type FinderTriple } from '../../src/scan/finder-triple';
import { codeCorners, codeGeometry } from '../../src/scan/code-geometry';
import type { Homography } from '../../src/scan/homography';
import { sampleModules, thresholdModulesByBlock } from '../../src/scan/grid-sample';
import { decodeFormat, readFormatBits } from '../../src/scan/decode/format-info';
import { decodeVersion, readVersionBits } from '../../src/scan/decode/version-info';
import { blockLayout, type BlockLayout } from '../../src/scan/decode/ec-blocks';
import { readCodewords } from '../../src/scan/decode/codeword-order';
import { correctCodewords } from '../../src/scan/decode/blocks';
import { parseSegments } from '../../src/scan/decode/segments';
import { scanLuma } from '../../src/scan/scanner';

/** The ES256 payment code of the payment bench (its first payment, a first-time customer). */
export const paymentCodeText =
  'QP1:+WGFELO60+V1N29O60AO0*JK8CK..AVD0+96S0AUIBQ9EFN0CED3G11T0AEDKHNF-0A0NRRJ441G90X50-H0324V94D34VZA3ZFRK7E0AY46AJ8E7GU2017HSR5.QR86PDGJO3N$PLTWTH*U1000005KG5VOX0V998WKJ%8VYU2.$E35E.6IJ4C%/3GMIJANYRI*YLK-5GPL$7131WJFE6UH6A970T/HH/UVL4IW%IYYTL$F$TAAQ50V6MR8H-2B+58$AFN0AEDKJNWY0AEDZINH-0G476UIX0Q27BOEJ $E+FPT2N8JEJWPA 1*SKG8H%AK.6FN9L1MHV1PY4U6 HVT0Y:CTARS11B6GWHD1KG5 SQRBZ BETAHVDITLNYP2KIN O';

export interface StageState {
  image: LumaImage;
  finders: Finder[];
  triple: FinderTriple;
  toPixel: Homography;
  samples: number[];
  modules: number[];
  mask: number;
  layout: BlockLayout;
  codewords: Uint8Array;
  data: Uint8Array;
}

export function prepareStages(): StageState {
  const image = renderQrLuma(paymentCodeText, { width: 320, height: 240, scale: 3 });
  const whole = scanLuma(image);
  if (whole.kind !== 'code' || whole.text !== paymentCodeText || whole.version !== 12) throw new Error('the stage frame must scan as the version-12 payment code');
  const finders = scanForFinders(image);
  const triple = pickTriple(finders)!;
  const toPixel = codeGeometry(image, triple);
  const { dimension } = triple;
  const samples = sampleModules(image, toPixel, dimension, 'nearest');
  const modules = thresholdModulesByBlock(samples.slice(), dimension, triple.darkModules);
  const format = readFormat(modules, dimension)!;
  const layout = blockLayout(12, format.level);
  const codewords = readCodewords(modules, dimension, format.mask, layout.totalCodewords);
  const data = correctCodewords(codewords, layout)!.data;
  return { image, finders, triple, toPixel, samples, modules, mask: format.mask, layout, codewords, data };
}

function readFormat(modules: ArrayLike<number>, dimension: number) {
  const dark = (row: number, col: number) => modules[row * dimension + col] === 1;
  const format = decodeFormat(readFormatBits(dark, dimension));
  if (!format || decodeVersion(readVersionBits(dark, dimension)) !== (dimension - 17) / 4) throw new Error('format or version unreadable');
  return format;
}

/** Each stage as `scanImage` runs it on this frame. */
export const stages = {
  /** The pre-scan of every fifth row and the finder candidates' cross-checks. */
  finders: (s: StageState) => scanForFinders(s.image),
  /** The finder triple, the alignment search and the module-to-pixel homography, and the corners. */
  geometry: (s: StageState) => codeCorners(codeGeometry(s.image, pickTriple(s.finders)!), s.triple.dimension),
  /** One read per module, of the pixel under its centre (the scanner's first attempt). */
  sampling: (s: StageState) => sampleModules(s.image, s.toPixel, s.triple.dimension, 'nearest'),
  /** Each block of 3x3 modules against its neighbourhood's mean (the scanner's first attempt; in place, so on a copy
   *  of the samples: ~0.3 M of the figure). */
  threshold: (s: StageState) => thresholdModulesByBlock(s.samples.slice(), s.triple.dimension, s.triple.darkModules),
  /** Format and version information, the data mask, the codewords in their placement order. */
  codewords: (s: StageState) => {
    const dimension = s.triple.dimension;
    const format = readFormat(s.modules, dimension);
    return readCodewords(s.modules, dimension, format.mask, blockLayout(12, format.level).totalCodewords);
  },
  /** Block de-interleaving and Reed-Solomon syndromes (and correction, none needed here). */
  'reed-solomon': (s: StageState) => correctCodewords(s.codewords, s.layout),
  /** The bit stream's segments to the payload text. */
  segments: (s: StageState) => parseSegments(s.data, 12),
  /** The whole scan (`scanLuma`), to compare with the sum. */
  whole: (s: StageState) => scanLuma(s.image),
};
