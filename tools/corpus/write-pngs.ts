/**
 * Writes corpus frames as PNG files, to look at what the scanner is tested on
 * (and to feed `qrpay scan`).
 *
 * Usage: tsx tools/corpus/write-pngs.ts <out-dir> [count-per-category] [category ...]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { categories, generateFrame, type Category } from '../../test/support/corpus/corpus';

export function lumaToPng(data: Uint8Array, width: number, height: number): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    png.data[4 * i] = png.data[4 * i + 1] = png.data[4 * i + 2] = data[i];
    png.data[4 * i + 3] = 255;
  }
  return PNG.sync.write(png);
}

function main(argv: string[]): number {
  const [outDir, countText, ...only] = argv;
  if (!outDir || outDir === '--help') {
    console.log('usage: tsx tools/corpus/write-pngs.ts <out-dir> [count-per-category] [category ...]');
    console.log(`categories: ${categories.join(', ')}`);
    return outDir ? 0 : 2;
  }
  const count = Number(countText ?? 3);
  const chosen = (only.length ? only : categories) as Category[];
  mkdirSync(outDir, { recursive: true });
  for (const category of chosen) {
    for (let seed = 1; seed <= count; seed++) {
      const frame = generateFrame(category, seed);
      const name = `${category}-${seed}.png`;
      writeFileSync(join(outDir, name), lumaToPng(frame.data, frame.width, frame.height));
      console.log(`${name}\t${frame.version ? `v${frame.version}` : '-'}\t${frame.text ?? ''}`);
    }
  }
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = main(process.argv.slice(2));
