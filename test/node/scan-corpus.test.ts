/**
 * The scanner against plain jsQR on the generated corpus (40 frames per
 * category): per category it must read at least what jsQR reads, within one
 * percentage point, and it must never report a wrong payload.
 */
import { describe, expect, it } from 'vitest';
import { evaluateCorpus, percent } from '../support/corpus/evaluate';

const perCategory = 40;

describe('scanner on the frame corpus', () => {
  const rows = evaluateCorpus(perCategory);
  console.log(
    ['category       scanner  jsQR    missed-vs-jsQR', ...rows.map((r) =>
      `${r.category.padEnd(14)} ${percent(r.scanner, r.frames).padStart(6)}  ${percent(r.jsqr, r.frames).padStart(6)}  ${r.missed.join(',') || '-'}`)].join('\n'),
  );

  for (const row of rows) {
    it(`${row.category}: reads at least what plain jsQR reads (within 1 point), never a wrong payload`, () => {
      expect(row.scannerWrong).toBe(0);
      expect((100 * row.scanner) / row.frames).toBeGreaterThanOrEqual((100 * row.jsqr) / row.frames - 1);
    });
  }

  it('reads the easy categories almost always', () => {
    for (const row of rows.filter((r) => ['clean', 'rotation', 'noise', 'glare', 'inverted'].includes(r.category))) {
      expect(row.scanner / row.frames).toBeGreaterThanOrEqual(0.9);
    }
  });

  it('reports no payload where there is no code', () => {
    const row = rows.find((r) => r.category === 'no-code')!;
    expect(row.frames).toBe(perCategory);
    expect(row.scanner + row.scannerWrong).toBe(0);
  });
});
