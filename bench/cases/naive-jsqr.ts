/**
 * The naive baseline: luma expanded to RGBA, jsQR with its default options
 * (both polarities). `inversionAttempts: 'attemptBoth'` is spelled out because
 * jsQR 1.4 stores the options of its previous call as its defaults, and on V8
 * the benchmark runs every case in one process.
 */
import jsQR from 'jsqr';
import type { LumaImage } from '../../src/frame/luma';
import { lumaToRgba } from '../../src/scan/jsqr-decode';

export function naiveDecode(frame: LumaImage): string | undefined {
  const code = jsQR(lumaToRgba(frame.data), frame.width, frame.height, { inversionAttempts: 'attemptBoth' });
  return code?.data;
}
