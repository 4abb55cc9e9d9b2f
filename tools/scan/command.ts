/**
 * `qrpay scan <image.png>`: decodes one image file with the firmware's
 * scanner and prints the payload (text and hex), the corners, the version and
 * the time taken. Exit status: 0 when a code was read, 1 when none was
 * (or it was unreadable), 2 for usage errors and files that are not PNG.
 *
 * Large images (photos, screenshots) are first box-downscaled to camera
 * resolution, as the terminal would see them; if that reading fails, the
 * full-resolution image is tried with the whole-frame jsQR fallback on.
 */
import { readFileSync } from 'node:fs';
import type { LumaImage } from '../../src/frame/luma';
import type { Corners, ScanResult } from '../../src/scan/result';
import { scanLuma } from '../../src/scan/scanner';
import { downscale, pngToLuma } from './png-luma';

const usage = `usage: qrpay scan <image.png> [--json]

Decodes a QR code in a PNG image the way the terminal's scanner does
(colour reduced to camera luma, finder pre-scan, module-grid resampling, jsQR).
Prints the payload as text and hex, the corners, the QR version and the time
taken; --json prints one object {text, bytesHex, corners, version, path, millis}.
Exits 1 when no code is read.`;

/** Longest side the scanner is tuned for (VGA); larger images are reduced first. */
const cameraSide = 640;

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage);
    return 0;
  }
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  if (files.length !== 1 || files[0].startsWith('-')) {
    console.error(usage);
    return 2;
  }
  let image: LumaImage;
  try {
    image = pngToLuma(readFileSync(files[0]));
  } catch (error) {
    console.error(`qrpay scan: cannot read ${files[0]} as PNG: ${(error as Error).message}`);
    return 2;
  }
  const started = performance.now();
  const result = scanImage(image);
  const millis = performance.now() - started;
  if (result.kind !== 'code') {
    const why = result.kind === 'none' ? 'no QR code found' : `a QR code was seen but could not be read (${result.reason})`;
    if (json) console.log(JSON.stringify({ error: why, kind: result.kind, millis: round(millis) }));
    else console.error(`qrpay scan: ${why}`);
    return 1;
  }
  const bytesHex = Array.from(result.bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  const corners = roundCorners(result.corners);
  if (json) {
    console.log(JSON.stringify({ text: result.text, bytesHex, corners, version: result.version, path: result.path, millis: round(millis) }));
  } else {
    console.log(`text:    ${result.text}`);
    console.log(`hex:     ${bytesHex}`);
    console.log(`version: ${result.version} (${17 + 4 * result.version}x${17 + 4 * result.version} modules)`);
    const c = corners;
    console.log(`corners: top-left ${c.topLeft.x},${c.topLeft.y}  top-right ${c.topRight.x},${c.topRight.y}  bottom-right ${c.bottomRight.x},${c.bottomRight.y}  bottom-left ${c.bottomLeft.x},${c.bottomLeft.y}`);
    console.log(`time:    ${round(millis)} ms (${result.path} path, ${image.width}x${image.height})`);
  }
  return 0;
}

/** Camera resolution first; the full image (with the whole-frame fallback) only if that fails. */
export function scanImage(image: LumaImage): ScanResult {
  const factor = Math.ceil(Math.max(image.width, image.height) / cameraSide);
  if (factor > 1) {
    const result = scanLuma(downscale(image, factor));
    if (result.kind === 'code') return { ...result, corners: scaleCorners(result.corners, factor) };
  }
  return scanLuma(image, { frameFallback: true });
}

function scaleCorners(c: Corners, k: number): Corners {
  const s = (p: { x: number; y: number }) => ({ x: (p.x + 0.5) * k - 0.5, y: (p.y + 0.5) * k - 0.5 });
  return { topLeft: s(c.topLeft), topRight: s(c.topRight), bottomRight: s(c.bottomRight), bottomLeft: s(c.bottomLeft) };
}

function roundCorners(c: Corners): Corners {
  const r = (p: { x: number; y: number }) => ({ x: round(p.x), y: round(p.y) });
  return { topLeft: r(c.topLeft), topRight: r(c.topRight), bottomRight: r(c.bottomRight), bottomLeft: r(c.bottomLeft) };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
