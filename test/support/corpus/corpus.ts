/**
 * The scanner's frame corpus: camera-like 320x240 luma frames, generated
 * deterministically from a seed, in categories that each stress one thing
 * (scale, rotation, perspective, blur, noise, low contrast, glare, inverted
 * colours, occlusion, codes too small to read) plus frames with no code.
 * Payloads are base45-alphabet text (what our payment codes carry) sized to
 * fill QR versions 2-12 at error correction level M.
 *
 * Portable ECMAScript: the XS lane generates its subset on the engine.
 */
import { create as createQr } from 'qrcode/lib/core/qrcode.js';
import { boxBlur, glareBand, occlude, sensorNoise } from './effects';
import { Random } from './random';
import { drawCode, renderBackground, type Placement } from './scene';
import type { Point } from '../../../src/scan/result';

export const categories = [
  'clean', 'scale', 'rotation', 'perspective', 'blur', 'noise', 'low-contrast', 'glare', 'inverted', 'occlusion',
  'too-small', 'no-code',
] as const;
export type Category = (typeof categories)[number];

export interface CorpusFrame {
  category: Category;
  seed: number;
  width: number;
  height: number;
  data: Uint8Array;
  /** The encoded payload; undefined for `no-code` frames. */
  text?: string;
  version?: number;
  /** Outer corners of the code (modules 0 and n), clockwise from top-left. */
  corners?: Point[];
}

const base45 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
/** Alphanumeric capacity at level M for versions 0-12 (ISO/IEC 18004 table 7). */
const capacityM = [0, 20, 38, 61, 90, 122, 154, 178, 221, 262, 311, 366, 419];

export function payloadFor(random: Random, version: number): string {
  const length = Math.max(capacityM[version - 1] + 1, Math.floor(capacityM[version] * random.range(0.85, 1)));
  let text = 'QRPAY:';
  while (text.length < length) text += base45[random.int(0, base45.length - 1)];
  return text;
}

export function generateFrame(category: Category, seed: number, width = 320, height = 240): CorpusFrame {
  const random = new Random(seed * 7919 + categories.indexOf(category) * 104729 + 1);
  const data = renderBackground(random, width, height);
  if (category === 'no-code') {
    if (random.next() < 0.5) boxBlur(data, width, height, 1);
    sensorNoise(data, random, 2);
    return { category, seed, width, height, data };
  }
  const version = random.int(2, 12);
  const text = payloadFor(random, version);
  const qr = createQr(text, { errorCorrectionLevel: 'M', version });
  const n = qr.modules.size;
  const matrix = { size: n, get: (row: number, col: number) => Boolean(qr.modules.get(row, col)) };
  // Defaults: a phone screen held fairly square to the camera.
  const fit = Math.min(width, height) / (n + 8);
  const placement: Placement = {
    cx: width / 2 + random.range(-20, 20),
    cy: height / 2 + random.range(-15, 15),
    moduleSize: Math.min(fit * 0.95, random.range(2.2, 4.5)),
    rotation: random.range(-0.15, 0.15),
    tilt: 0,
    dark: random.range(10, 50),
    light: random.range(200, 245),
    quiet: 4,
  };
  switch (category) {
    case 'scale':
      placement.moduleSize = random.range(1.6, Math.max(1.7, fit * 0.98));
      break;
    case 'rotation':
      placement.rotation = random.range(-Math.PI, Math.PI);
      break;
    case 'perspective':
      placement.tilt = random.range(0.08, 0.3) * (random.next() < 0.5 ? -1 : 1);
      placement.rotation = random.range(-Math.PI, Math.PI);
      placement.moduleSize = Math.min(placement.moduleSize, fit * 0.75);
      break;
    case 'low-contrast': {
      const mid = random.range(90, 170);
      const delta = random.range(18, 45);
      placement.dark = mid - delta / 2;
      placement.light = mid + delta / 2;
      break;
    }
    case 'inverted': {
      const { dark, light } = placement;
      placement.dark = light;
      placement.light = dark;
      break;
    }
    case 'too-small':
      placement.moduleSize = random.range(0.8, 1.5);
      break;
    default:
      break;
  }
  // Keep the whole code in the frame.
  const half = ((n + 8) * placement.moduleSize * Math.SQRT2 * (1 + Math.abs(placement.tilt))) / 2;
  if (category === 'rotation' || category === 'perspective') {
    placement.moduleSize = Math.min(placement.moduleSize, (Math.min(width, height) / ((n + 8) * Math.SQRT2 * (1 + Math.abs(placement.tilt)))) * 0.98);
  }
  placement.cx = clampTo(placement.cx, Math.min(half, width / 2), width - Math.min(half, width / 2));
  placement.cy = clampTo(placement.cy, Math.min(half, height / 2), height - Math.min(half, height / 2));
  const corners = drawCode(data, width, height, matrix, placement);
  const codeSide = n * placement.moduleSize;
  switch (category) {
    case 'blur':
      boxBlur(data, width, height, random.int(1, Math.max(1, Math.round(placement.moduleSize / 2))));
      break;
    case 'noise':
      sensorNoise(data, random, random.range(6, 22));
      break;
    case 'glare':
      glareBand(data, width, height, { x: placement.cx + random.range(-codeSide / 4, codeSide / 4), y: placement.cy },
        random.range(0, Math.PI), random.range(codeSide / 12, codeSide / 5), random.range(60, 160));
      break;
    case 'occlusion': {
      // A finger from one edge over part of the code: 4-12% of its area.
      const area = codeSide * codeSide * random.range(0.04, 0.12);
      const w = Math.sqrt(area) * random.range(0.5, 1.5);
      const at = { x: placement.cx + random.range(-codeSide / 3, codeSide / 3), y: placement.cy + random.range(-codeSide / 3, codeSide / 3) };
      occlude(data, width, height, at, w, area / w, random.range(0, Math.PI), random.range(60, 200));
      break;
    }
    default:
      break;
  }
  sensorNoise(data, random, 2);
  return { category, seed, width, height, data, text, version, corners };
}

function clampTo(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** `count` frames of each category, seeds 1..count. */
export function* corpus(count: number, only: readonly Category[] = categories): Generator<CorpusFrame> {
  for (const category of only) for (let seed = 1; seed <= count; seed++) yield generateFrame(category, seed);
}
