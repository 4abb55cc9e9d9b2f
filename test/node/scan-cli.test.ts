import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateFrame } from '../support/corpus/corpus';
import { lumaToPng } from '../../tools/corpus/write-pngs';

const dir = mkdtempSync(join(tmpdir(), 'qrpay-scan-'));

function qrpay(...args: string[]) {
  const run = spawnSync(process.execPath, ['bin/qrpay.js', 'scan', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

function pngOf(name: string, data: Uint8Array, width: number, height: number): string {
  const path = join(dir, name);
  writeFileSync(path, lumaToPng(data, width, height));
  return path;
}

describe('qrpay scan', () => {
  it('prints text, hex, corners and version as JSON', () => {
    const frame = generateFrame('rotation', 2);
    const out = qrpay('--json', pngOf('code.png', frame.data, frame.width, frame.height));
    expect(out.code).toBe(0);
    const result = JSON.parse(out.stdout);
    expect(result.text).toBe(frame.text);
    expect(result.bytesHex).toBe(Buffer.from(frame.text!, 'latin1').toString('hex'));
    expect(result.version).toBe(frame.version);
    // Corners within two pixels of where the generator drew them.
    const expected = frame.corners!;
    const got = [result.corners.topLeft, result.corners.topRight, result.corners.bottomRight, result.corners.bottomLeft];
    got.forEach((p: { x: number; y: number }, i: number) => {
      expect(Math.hypot(p.x - expected[i].x, p.y - expected[i].y)).toBeLessThan(2);
    });
  });

  it('reads a large image by reducing it to camera resolution first', () => {
    const frame = generateFrame('clean', 2);
    const k = 4;
    const big = new Uint8Array(frame.width * k * frame.height * k);
    for (let y = 0; y < frame.height * k; y++) {
      for (let x = 0; x < frame.width * k; x++) big[y * frame.width * k + x] = frame.data[Math.floor(y / k) * frame.width + Math.floor(x / k)];
    }
    const out = qrpay('--json', pngOf('big.png', big, frame.width * k, frame.height * k));
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).text).toBe(frame.text);
  });

  it('prints a human-readable report', () => {
    const frame = generateFrame('inverted', 1);
    const out = qrpay(pngOf('inverted.png', frame.data, frame.width, frame.height));
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`text:    ${frame.text}`);
    expect(out.stdout).toMatch(/corners: top-left [\d.]+,[\d.]+/);
    expect(out.stdout).toMatch(/time: +[\d.]+ ms/);
  });

  it('exits 1 when there is no code, 2 on usage errors and unreadable files', () => {
    const empty = generateFrame('no-code', 1);
    const none = qrpay(pngOf('empty.png', empty.data, empty.width, empty.height));
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no QR code found');
    expect(qrpay().code).toBe(2);
    const notPng = join(dir, 'not.png');
    writeFileSync(notPng, 'hello');
    expect(qrpay(notPng).code).toBe(2);
    expect(qrpay('--help').code).toBe(0);
  });
});
