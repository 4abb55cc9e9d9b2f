/**
 * Scanner benchmark: XS instructions (cachegrind) and V8 times for a 320x240
 * frame without a code (gray8, the mean over 20 such scenes, RGB565, YUV422) and frames with a version-10 (gray8
 * and YUV422, and the grid decoder's share) and a version-4 code, each beside the naive
 * baseline (luma expanded to RGBA, jsQR default options) measured in the same
 * run; jsQR's module-initialisation cost on XS; and the corpus success rates
 * of the scanner beside plain jsQR.
 *
 * Usage: npx tsx bench/scan.ts [--corpus N]   (N frames per category, default 40)
 */
import { join } from 'node:path';
import { formatCount, printTable, v8MillisPerOp, xsInstructionsPerOp, xsInstructionsTotal } from './measure';
import { evaluateCorpus, percent } from '../test/support/corpus/evaluate';
import { scenes } from './cases/scan-empty-scenes';

const cases = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, 'cases');
const path = (name: string) => join(cases, `${name}.ts`);
const corpusArg = process.argv.indexOf('--corpus');
const perCategory = corpusArg > 0 ? Number(process.argv[corpusArg + 1]) : 40;

async function main(): Promise<void> {
  const started = Date.now();
  // Cheap cases first, with more repetitions; the jsQR baselines once each (~2-4 G instructions a call).
  const [scanEmpty, scanScenes, scanRgb, scanYuv, scanV10, scanV10Yuv, gridDecodeV10, scanV4, naiveEmpty, naiveV10, naiveV4] = [
    await xsInstructionsPerOp(path('scan-empty'), { reps: 3, warmup: 1 }),
    (await xsInstructionsPerOp(path('scan-empty-scenes'), { reps: 1, warmup: 1 })) / scenes,
    await xsInstructionsPerOp(path('scan-empty-rgb565'), { reps: 2, warmup: 1 }),
    await xsInstructionsPerOp(path('scan-empty-yuv422'), { reps: 2, warmup: 1 }),
    await xsInstructionsPerOp(path('scan-v10'), { reps: 2, warmup: 1 }),
    await xsInstructionsPerOp(path('scan-v10-yuv422'), { reps: 2, warmup: 1 }),
    await xsInstructionsPerOp(path('grid-decode-v10'), { reps: 2, warmup: 1 }),
    await xsInstructionsPerOp(path('scan-v4'), { reps: 2, warmup: 1 }),
    await xsInstructionsPerOp(path('naive-empty'), { reps: 1, warmup: 1 }),
    await xsInstructionsPerOp(path('naive-v10'), { reps: 1, warmup: 1 }),
    await xsInstructionsPerOp(path('naive-v4'), { reps: 1, warmup: 1 }),
  ];
  const [withJsqr, bare] = await Promise.all([xsInstructionsTotal(path('jsqr-module'), 0), xsInstructionsTotal(path('empty-module'), 0)]);
  const v8 = async (name: string) => (await v8MillisPerOp(path(name), { reps: 30, warmup: 5 })).toFixed(2);
  const [v8ScanEmpty, v8ScanRgb, v8ScanYuv, v8ScanV10, v8ScanV4, v8NaiveEmpty, v8NaiveV10, v8NaiveV4] = [
    await v8('scan-empty'), await v8('scan-empty-rgb565'), await v8('scan-empty-yuv422'), await v8('scan-v10'), await v8('scan-v4'),
    await v8('naive-empty'), await v8('naive-v10'), await v8('naive-v4'),
  ];
  printTable('Scanner, 320x240 frame: XS instructions per frame (cachegrind) and V8 ms', ['frame', 'path', 'XS instructions', 'target', 'V8 ms'], [
    ['no code (gray8)', 'src/scan', formatCount(scanEmpty), '<= 5 M', v8ScanEmpty],
    ['no code (gray8), mean of 20 scenes', 'src/scan', formatCount(scanScenes), '', ''],
    ['no code (RGB565)', 'scanFrame (lazy luma)', formatCount(scanRgb), '<= 10 M', v8ScanRgb],
    ['no code (YUV422, the ESP32 camera default)', 'scanFrame (lazy luma)', formatCount(scanYuv), '', v8ScanYuv],
    ['no code', 'naive jsQR', formatCount(naiveEmpty), '', v8NaiveEmpty],
    ['version-10 code', 'src/scan', formatCount(scanV10), '<= 60 M', v8ScanV10],
    ['version-10 code (YUV422)', 'scanFrame (lazy luma)', formatCount(scanV10Yuv), '', ''],
    ['version-10 code', 'of which decodeGrid', formatCount(gridDecodeV10), '', ''],
    ['version-10 code', 'naive jsQR', formatCount(naiveV10), '', v8NaiveV10],
    ['version-4 code', 'src/scan', formatCount(scanV4), '', v8ScanV4],
    ['version-4 code', 'naive jsQR', formatCount(naiveV4), '', v8NaiveV4],
  ]);
  console.log(`speed-up on XS: ${(naiveEmpty / scanEmpty).toFixed(0)}x without a code, ${(naiveV10 / scanV10).toFixed(1)}x with a version-10 code, ${(naiveV4 / scanV4).toFixed(1)}x with a version-4 code`);
  printTable('jsQR module initialisation on XS (script with 0 calls, minus an empty script)', ['script', 'XS instructions'], [
    ['empty script', formatCount(bare)],
    ['import jsqr', formatCount(withJsqr)],
    ['jsQR module init', formatCount(withJsqr - bare)],
  ]);
  const rows = evaluateCorpus(perCategory);
  const total = rows.reduce((t, r) => ({ frames: t.frames + r.frames, scanner: t.scanner + r.scanner, jsqr: t.jsqr + r.jsqr, missed: t.missed + r.missed.length, wrong: t.wrong + r.scannerWrong }), { frames: 0, scanner: 0, jsqr: 0, missed: 0, wrong: 0 });
  printTable(`Corpus success rate (${perCategory} frames per category; jsQR = default options, whole frame)`, ['category', 'src/scan', 'plain jsQR', 'jsQR-only reads', 'wrong payloads'], [
    ...rows.map((r) => [r.category, percent(r.scanner, r.frames), percent(r.jsqr, r.frames), r.missed.length, r.scannerWrong]),
    ['all', percent(total.scanner, total.frames), percent(total.jsqr, total.frames), total.missed, total.wrong],
  ]);
  console.log(`\nbench/scan.ts: ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

await main();
