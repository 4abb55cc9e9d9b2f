import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import jsQR from 'jsqr';
import { afterAll, describe, expect, it } from 'vitest';
import { SceneCamera, grayImage, pngScene, sequenceScene } from '../../../hal/sim/camera';
import { decodePng, decodePngToLuma, pngToFrame } from '../../../hal/sim/png';
import { ManualClock } from '../../../hal/portable/manual-clock';
import { toLuma } from '../../../src/frame/luma';
import { isHalError, type ImageType } from '../../../hal/index';
import { renderQrLuma } from '../../support/qr-frame';

const dir = mkdtempSync(join(tmpdir(), 'qrpay-camera-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A PNG with a colour gradient and a half-transparent corner, odd width on purpose. */
function gradientPng(width = 33, height = 20): Uint8Array {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = 4 * (y * width + x);
      png.data[i] = (x * 255) / (width - 1);
      png.data[i + 1] = (y * 255) / (height - 1);
      png.data[i + 2] = ((x + y) * 7) & 255;
      png.data[i + 3] = x < 4 && y < 4 ? 128 : 255;
    }
  }
  return new Uint8Array(PNG.sync.write(png));
}

function qrPng(text: string): string {
  const qr = renderQrLuma(text, { width: 160, height: 120, scale: 3 });
  const png = new PNG({ width: qr.width, height: qr.height });
  for (let i = 0; i < qr.data.length; i++) {
    png.data[4 * i] = png.data[4 * i + 1] = png.data[4 * i + 2] = qr.data[i];
    png.data[4 * i + 3] = 255;
  }
  const path = join(dir, 'qr.png');
  writeFileSync(path, PNG.sync.write(png));
  return path;
}

function maxDifference(a: Uint8Array, b: Uint8Array): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

describe('PNG to frames', () => {
  const bytes = gradientPng();
  const reference = decodePngToLuma(bytes);

  it('decodes to BT.601 luma, transparent pixels over white', () => {
    expect(reference.width).toBe(33);
    expect(reference.height).toBe(20);
    const rgb = decodePng(bytes).rgb;
    // top-left pixel: (0, 0, 0) at alpha 128 over white -> 127
    expect(Array.from(rgb.subarray(0, 3))).toEqual([127, 127, 127]);
    // bottom-right pixel: opaque (255, 255, (32+19)*7 & 255 = 101)
    const last = (20 * 33 - 1) * 3;
    expect(Array.from(rgb.subarray(last, last + 3))).toEqual([255, 255, 101]);
    expect(reference.data[20 * 33 - 1]).toBe((77 * 255 + 150 * 255 + 29 * 101) >> 8);
  });

  const cases: Array<[ImageType, number, number]> = [
    ['gray8', 33, 0],
    ['rgb565le', 66, 5],
    ['yuv422', 68, 0],
  ];
  for (const [imageType, stride, tolerance] of cases) {
    it(`gives a ${imageType} frame whose luma agrees with the PNG's within ${tolerance}`, () => {
      const frame = pngToFrame(bytes, imageType);
      expect(frame).toMatchObject({ imageType, width: 33, height: 20, stride });
      expect(frame.data).toHaveLength(stride * 20);
      const luma = toLuma(frame);
      expect(maxDifference(luma.data, reference.data)).toBeLessThanOrEqual(tolerance);
    });
  }

  it('puts neutral chroma in YUYV for gray pixels and BT.601 chroma for colours', () => {
    expect(pngToFrame(gradientPng(), 'yuv422').data[1]).toBe(128); // the half-transparent black corner is gray
    const red = { width: 2, height: 1, rgb: Uint8Array.of(255, 0, 0, 255, 0, 0) };
    const white = grayImage(2, 1, Uint8Array.of(255, 255));
    const clock = new ManualClock();
    const camera = new SceneCamera({ clock, scene: sequenceScene([red, white]) }, { imageType: 'yuv422' });
    camera.start();
    clock.advance(200);
    // Y = 77*255 >> 8, U = 128 + (-43*255 >> 8), V = 128 + (128*255 >> 8)
    expect(Array.from(camera.read()!.data)).toEqual([76, 85, 76, 255]);
    expect(Array.from(camera.read()!.data)).toEqual([255, 128, 255, 128]);
  });

  it('refuses bytes that are not a PNG with an io error', () => {
    let error: unknown;
    try {
      decodePng(Uint8Array.of(1, 2, 3));
    } catch (e) {
      error = e;
    }
    expect(isHalError(error, 'io')).toBe(true);
  });
});

describe('the simulator camera on PNG files', () => {
  it('shows a QR code from a PNG file that decodes from every image type', () => {
    const text = 'QRPAY:SIMULATED-CAMERA-1';
    const scene = pngScene([qrPng(text)]);
    for (const imageType of ['gray8', 'rgb565le', 'yuv422'] as ImageType[]) {
      const clock = new ManualClock();
      const camera = new SceneCamera({ clock, scene }, { imageType });
      camera.start();
      clock.advance(100);
      const luma = toLuma(camera.read()!);
      const rgba = new Uint8ClampedArray(luma.data.length * 4);
      luma.data.forEach((v, i) => rgba.set([v, v, v, 255], 4 * i));
      expect(jsQR(rgba, luma.width, luma.height, { inversionAttempts: 'dontInvert' })?.data).toBe(text);
    }
  });

  it('reports an unreadable PNG file as an io error', () => {
    let error: unknown;
    try {
      pngScene([join(dir, 'missing.png')]);
    } catch (e) {
      error = e;
    }
    expect(isHalError(error, 'io')).toBe(true);
  });
});
