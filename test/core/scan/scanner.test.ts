import { describe, expect, it } from 'vitest';
import { create as createQr } from 'qrcode/lib/core/qrcode.js';
import type { Frame } from '../../../hal/camera';
import { toLuma } from '../../../src/frame/luma';
import { createFrameScanner, scanFrame, scanLuma } from '../../../src/scan/scanner';
import { generateFrame, type Category } from '../../support/corpus/corpus';
import { drawCode } from '../../support/corpus/scene';
import { renderQrLuma } from '../../support/qr-frame';

const text = 'QRPAY:6BFOXN*TS0BI$ZD4N9:9S6RCVN5+O30K3/XIV0W23NTDEXWK G2EP4J0B';

function frameOf(imageType: Frame['imageType'], width: number, height: number, stride: number, data: Uint8Array): Frame {
  return { imageType, width, height, stride, data, timestamp: 0, sequence: 0 };
}

describe('scanLuma', () => {
  it('reads a code with its payload, version and corners', () => {
    const qr = renderQrLuma(text, { width: 320, height: 240, scale: 3, x: 40, y: 20 });
    const result = scanLuma(qr);
    expect(result.kind).toBe('code');
    if (result.kind !== 'code') return;
    expect(result.text).toBe(text);
    expect(result.bytes).toEqual(Uint8Array.from(text, (c) => c.charCodeAt(0)));
    expect(result.version).toBe(qr.version);
    expect(result.path).toBe('grid');
    // The code's outer corner is 4 quiet modules in from the rendered square.
    const side = (17 + 4 * qr.version) * 3;
    const near = (a: number, b: number) => expect(Math.abs(a - b) < 1.5).toBe(true);
    near(result.corners.topLeft.x, 40 + 12);
    near(result.corners.topLeft.y, 20 + 12);
    near(result.corners.bottomRight.x, 40 + 12 + side);
    near(result.corners.bottomRight.y, 20 + 12 + side);
  });

  it('reads binary payloads byte for byte, upside down', () => {
    const payload = Uint8Array.from([0xd8, 0x3d, 0xff, 0x00, 0x80, 0x41, 0x42, 0xc3, 0x28, 0x10, 0x20, 0x30]);
    const qr = createQr([{ data: payload, mode: 'byte' }], { errorCorrectionLevel: 'M' });
    const data = new Uint8Array(320 * 240).fill(128);
    const matrix = { size: qr.modules.size, get: (r: number, c: number) => Boolean(qr.modules.get(r, c)) };
    drawCode(data, 320, 240, matrix, { cx: 160, cy: 120, moduleSize: 4, rotation: Math.PI, tilt: 0, dark: 30, light: 220, quiet: 4 });
    const result = scanLuma({ width: 320, height: 240, data });
    expect(result.kind).toBe('code');
    if (result.kind === 'code') expect(result.bytes).toEqual(payload);
  });

  it('says "none" for a frame without finder patterns', () => {
    const data = new Uint8Array(320 * 240);
    for (let i = 0; i < data.length; i++) data[i] = 60 + ((i % 320) >> 1);
    expect(scanLuma({ width: 320, height: 240, data })).toEqual({ kind: 'none' });
  });

  it('says "unreadable" (with the finders seen) when a finder is covered', () => {
    const qr = renderQrLuma(text, { width: 320, height: 240, scale: 3 });
    // Cover the top-left finder pattern.
    const left = Math.floor((320 - (qr.version * 4 + 25) * 3) / 2) + 12;
    const top = Math.floor((240 - (qr.version * 4 + 25) * 3) / 2) + 12;
    for (let y = top - 2; y < top + 24; y++) for (let x = left - 2; x < left + 24; x++) qr.data[y * 320 + x] = 235;
    const result = scanLuma(qr);
    expect(result.kind).toBe('unreadable');
    if (result.kind === 'unreadable') {
      expect(result.reason).toBe('too-few-finders');
      expect(result.finders).toHaveLength(2);
    }
  });

  it('rejects an image whose buffer is smaller than width x height', () => {
    expect(() => scanLuma({ width: 320, height: 240, data: new Uint8Array(100) })).toThrow(RangeError);
    expect(() => scanLuma({ width: 0, height: 240, data: new Uint8Array(100) })).toThrow(RangeError);
    expect(() => scanLuma({ width: 10.5, height: 2, data: new Uint8Array(100) })).toThrow(RangeError);
  });
});

describe('scanFrame', () => {
  const qr = renderQrLuma(text, { width: 160, height: 120, scale: 2 });

  it('reads an RGB565 frame', () => {
    const data = new Uint8Array(160 * 120 * 2);
    for (let i = 0; i < qr.data.length; i++) {
      const v = qr.data[i];
      const pixel = ((v >> 3) << 11) | ((v >> 2) << 5) | (v >> 3);
      data[2 * i] = pixel & 0xff;
      data[2 * i + 1] = pixel >> 8;
    }
    const result = scanFrame(frameOf('rgb565le', 160, 120, 320, data));
    expect(result.kind === 'code' && result.text).toBe(text);
  });

  it('reads a YUV 4:2:2 frame', () => {
    const data = new Uint8Array(160 * 120 * 2).fill(128);
    for (let i = 0; i < qr.data.length; i++) data[2 * i] = qr.data[i];
    const result = scanFrame(frameOf('yuv422', 160, 120, 320, data));
    expect(result.kind === 'code' && result.text).toBe(text);
  });

  it('reads a gray frame with padded rows', () => {
    const stride = 176;
    const data = new Uint8Array(stride * 120).fill(7);
    for (let y = 0; y < 120; y++) data.set(qr.data.subarray(y * 160, y * 160 + 160), y * stride);
    const result = scanFrame(frameOf('gray8', 160, 120, stride, data));
    expect(result.kind === 'code' && result.text).toBe(text);
  });
});

describe('createFrameScanner', () => {
  const rgb565 = (luma: Uint8Array): Uint8Array => {
    const data = new Uint8Array(luma.length * 2);
    for (let i = 0; i < luma.length; i++) {
      const v = luma[i];
      const pixel = ((v >> 3) << 11) | ((v >> 2) << 5) | (v >> 3);
      data[2 * i] = pixel & 0xff;
      data[2 * i + 1] = pixel >> 8;
    }
    return data;
  };
  const other = 'QRPAY:SECOND-CODE-ELSEWHERE-IN-THE-FRAME';

  it('reuses its buffer across frames without reading stale rows: code, empty frame, another code elsewhere', () => {
    const scan = createFrameScanner();
    const first = renderQrLuma(text, { width: 320, height: 240, scale: 3, x: 10, y: 10 });
    const second = renderQrLuma(other, { width: 320, height: 240, scale: 3, x: 170, y: 80 });
    const empty = new Uint8Array(320 * 240).fill(200);
    const read = (luma: Uint8Array) => scan(frameOf('rgb565le', 320, 240, 640, rgb565(luma)));
    expect(read(first.data)).toMatchObject({ kind: 'code', text });
    expect(read(empty)).toEqual({ kind: 'none' });
    expect(read(second.data)).toMatchObject({ kind: 'code', text: other });
    expect(read(empty)).toEqual({ kind: 'none' });
    expect(read(first.data)).toMatchObject({ kind: 'code', text });
  });

  it('finds on a lazily converted frame exactly what it finds on the fully converted luma', () => {
    const scan = createFrameScanner();
    const qr = renderQrLuma(text, { width: 320, height: 240, scale: 2, x: 60, y: 33 });
    // A light-on-dark stripe pattern: finder-like runs on some rows make the scanner convert the rest.
    for (let x = 0; x < 320; x++) qr.data[7 * 320 + x] = (x >> 2) & 1 ? 30 : 220;
    const direct = scanLuma(qr);
    expect(direct.kind).toBe('code');
    expect(scan(frameOf('rgb565le', 320, 240, 640, rgb565(qr.data)))).toEqual(direct);
  });

  it('reads corpus frames as YUV422 and RGB565, one after another in one buffer, exactly as their luma', () => {
    // Each frame converts different rows (its pre-scan's, its candidates' windows, all of them once a finder is
    // confirmed): a row left unconverted would hold the previous frame's luma.
    const yuyv = (luma: Uint8Array): Uint8Array => {
      const data = new Uint8Array(luma.length * 2);
      for (let i = 0; i < luma.length; i++) {
        data[2 * i] = luma[i];
        data[2 * i + 1] = (i * 37) & 0xff;
      }
      return data;
    };
    const scan = createFrameScanner();
    const frames: [Category, number][] = [['clean', 3], ['no-code', 2], ['low-contrast', 5], ['rotation', 4], ['no-code', 7], ['blur', 6], ['perspective', 2], ['inverted', 1]];
    for (const [category, seed] of frames) {
      const frame = generateFrame(category, seed);
      expect([category, seed, scan(frameOf('yuv422', 320, 240, 640, yuyv(frame.data)))]).toEqual([category, seed, scanLuma(frame)]);
      // RGB565 of a gray level is not always that level's luma again: compared with its own full conversion.
      const rgb = frameOf('rgb565le', 320, 240, 640, rgb565(frame.data));
      expect([category, seed, scan(rgb)]).toEqual([category, seed, scanLuma(toLuma(rgb))]);
    }
  });

  it('refuses a frame with too little data for its stride', () => {
    const scan = createFrameScanner();
    expect(() => scan(frameOf('rgb565le', 320, 240, 640, new Uint8Array(640 * 239)))).toThrow(RangeError);
    expect(() => scan(frameOf('gray8', 160, 120, 176, new Uint8Array(176 * 119)))).toThrow(RangeError);
  });
});
