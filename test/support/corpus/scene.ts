/**
 * Renders camera-like luma frames: a counter-top background (lighting
 * gradient, a few objects) with, optionally, a QR code placed through a
 * homography (scale, rotation, tilt), 2x2 supersampled so module edges are
 * anti-aliased the way a lens and sensor blur them.
 */
import { quadToQuad } from '../../../src/scan/homography';
import type { Point } from '../../../src/scan/result';
import type { Random } from './random';

export interface ModuleMatrix {
  size: number;
  get(row: number, col: number): boolean;
}

export interface Placement {
  /** Code centre in pixels. */
  cx: number;
  cy: number;
  /** Pixels per module (before perspective). */
  moduleSize: number;
  /** Radians, clockwise on screen. */
  rotation: number;
  /** Perspective: the top edge is scaled by (1 - tilt), the bottom by (1 + tilt); 0 is a flat view. */
  tilt: number;
  dark: number;
  light: number;
  /** Quiet-zone width in modules. */
  quiet: number;
}

export function renderBackground(random: Random, width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height);
  const base = random.range(90, 170);
  const gx = random.range(-0.25, 0.25);
  const gy = random.range(-0.25, 0.25);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data[y * width + x] = clamp(base + gx * (x - width / 2) + gy * (y - height / 2));
  }
  // A few objects on the counter: rectangles and discs of other shades.
  const objects = random.int(2, 6);
  for (let k = 0; k < objects; k++) {
    const shade = random.range(20, 235);
    const ox = random.range(0, width);
    const oy = random.range(0, height);
    const rx = random.range(8, width / 4);
    const ry = random.range(8, height / 4);
    const disc = random.next() < 0.5;
    for (let y = Math.max(0, Math.floor(oy - ry)); y < Math.min(height, oy + ry); y++) {
      for (let x = Math.max(0, Math.floor(ox - rx)); x < Math.min(width, ox + rx); x++) {
        if (disc && ((x - ox) / rx) ** 2 + ((y - oy) / ry) ** 2 > 1) continue;
        data[y * width + x] = shade;
      }
    }
  }
  return data;
}

/** Draws the code over `data` (quiet zone included). */
export function drawCode(data: Uint8Array, width: number, height: number, matrix: ModuleMatrix, p: Placement): Point[] {
  const n = matrix.size;
  const outer = n + 2 * p.quiet;
  const half = (outer * p.moduleSize) / 2;
  const cos = Math.cos(p.rotation);
  const sin = Math.sin(p.rotation);
  // Corners of the quiet zone's outer square, tilted, then rotated about the centre.
  const local: Point[] = [
    { x: -half * (1 - p.tilt), y: -half },
    { x: half * (1 - p.tilt), y: -half },
    { x: half * (1 + p.tilt), y: half },
    { x: -half * (1 + p.tilt), y: half },
  ];
  const corners = local.map((c) => ({ x: p.cx + c.x * cos - c.y * sin, y: p.cy + c.x * sin + c.y * cos }));
  const toModule = quadToQuad(corners, [
    { x: -p.quiet, y: -p.quiet }, { x: n + p.quiet, y: -p.quiet }, { x: n + p.quiet, y: n + p.quiet }, { x: -p.quiet, y: n + p.quiet },
  ]);
  const xs = corners.map((c) => c.x);
  const ys = corners.map((c) => c.y);
  const x0 = Math.max(0, Math.floor(Math.min(...xs)));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(...xs)));
  const y0 = Math.max(0, Math.floor(Math.min(...ys)));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys)));
  const m: Point = { x: 0, y: 0 };
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      let inside = 0;
      let sum = 0;
      for (let s = 0; s < 4; s++) {
        toModule.map(x + 0.25 + 0.5 * (s & 1), y + 0.25 + 0.5 * (s >> 1), m);
        if (m.x < -p.quiet || m.y < -p.quiet || m.x >= n + p.quiet || m.y >= n + p.quiet) continue;
        inside++;
        const col = Math.floor(m.x);
        const row = Math.floor(m.y);
        const darkModule = row >= 0 && col >= 0 && row < n && col < n && matrix.get(row, col);
        sum += darkModule ? p.dark : p.light;
      }
      if (inside === 0) continue;
      const i = y * width + x;
      data[i] = clamp((sum + data[i] * (4 - inside)) / 4);
    }
  }
  const toPixel = toModule.adjoint();
  return [toPixel.map(0, 0), toPixel.map(n, 0), toPixel.map(n, n), toPixel.map(0, n)];
}

export function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
