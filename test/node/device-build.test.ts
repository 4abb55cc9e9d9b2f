/**
 * The device build (tools/device): each board's main and every module it
 * reaches, one Moddable module per file. What must hold for the manifest's
 * `preload: ["qrpay-rom-*"]` to be sound: a preloaded module preloads what it
 * imports, so no `qrpay-rom-*` module may import a `qrpay-ram-*` one, and
 * noble (not preloadable, docs/moddable.md) is only ever `qrpay-ram-*`. The
 * Moddable lane (test/moddable) runs the result on the real runtime.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { boards, buildDevice } from '../../tools/device/build';

const moddable = /^(embedded:.*|commodetto\/.*|mc\/config|time|timer|preference|file|Resource|text\/encoder|qrpay-entropy|qrpay-memory|qrpay-native-crypto)$/;

function importsOf(file: string): string[] {
  return [...readFileSync(file, 'utf8').matchAll(/(?:^import|\bfrom) "([^"]+)";$/gm)].map((m) => m[1]);
}

describe('npm run build:device', () => {
  it('has the boards with a main', () => {
    expect(boards()).toEqual(expect.arrayContaining(['xiao_esp32s3_sense', 'm5stack_cores3', 'lilygo_t_camera_plus_s3']));
  });

  for (const board of boards()) {
    it(`lays out ${board}: preloaded modules import only preloaded ones, noble is loaded at boot`, async () => {
      const { names, files } = await buildDevice(board);
      const known = new Set(names.values());
      expect(names.get(`boards/${board}/main.ts`)).toBe('main');
      for (const [path, name] of names) {
        if (path.startsWith('node_modules/@noble/')) expect(name).toMatch(/^qrpay-ram-/);
        for (const target of importsOf(files.get(path)!)) {
          expect(known.has(target) || moddable.test(target), `${name} imports ${target}`).toBe(true);
          if (name.startsWith('qrpay-rom-')) expect(target, `${name} is preloaded, so ${target} would be`).not.toMatch(/^qrpay-ram-/);
        }
      }
      expect([...known].filter((n) => n.startsWith('qrpay-rom-')).length).toBeGreaterThan(40);
    }, 120_000);
  }
});
