// Our grid decoder alone on the module grid the scanner samples from the version-10 frame
// (format and version information, codewords, Reed-Solomon, segments).
import { codeGeometry } from '../../src/scan/code-geometry';
import { decodeGrid } from '../../src/scan/decode/decode-grid';
import { scanForFinders } from '../../src/scan/finder-scan';
import { pickTriple } from '../../src/scan/finder-triple';
import { sampleModules, thresholdModulesByBlock } from '../../src/scan/grid-sample';
import { frameWithV10Code } from './scan-frames';

export function prepare(): { modules: number[]; dimension: number; text: string } {
  const frame = frameWithV10Code();
  const triple = pickTriple(scanForFinders(frame));
  if (!triple) throw new Error('no finder triple in the version-10 frame');
  const { dimension } = triple;
  const modules = thresholdModulesByBlock(sampleModules(frame, codeGeometry(frame, triple), dimension, 'nearest'), dimension, triple.darkModules);
  return { modules, dimension, text: frame.text };
}

export function op(state: { modules: number[]; dimension: number; text: string }): void {
  const decoded = decodeGrid(state.modules, state.dimension);
  if (!decoded.ok || decoded.text !== state.text) throw new Error('expected the version-10 payload');
}
