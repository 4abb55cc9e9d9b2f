/**
 * The device build: the core bundle that the Moddable manifest preloads loads
 * as an ES module on the XS engine and exposes the embedding API, and each
 * board's main imports nothing but the core and modules the Moddable SDK provides.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { boards, buildDevice, deviceOut } from '../../tools/device/build';
import { runXsnap } from '../xs/xsnap';

describe('npm run build:device', () => {
  it('has at least one board with a main', () => {
    expect(boards()).toContain('xiao_esp32s3_sense');
  });

  for (const board of boards()) {
    it(`bundles ${board}: the core loads on XS and the main imports only the core and Moddable modules`, async () => {
      const { core, main } = await buildDevice(board);
      const check = join(deviceOut, 'check.mjs');
      writeFileSync(
        check,
        [
          "import * as core from './qrpay-core.js';",
          "const names = ['createTerminal', 'cameraCodeSource', 'NmeaLocationSensor', 'createScanLoop', 'HalError', 'SoftwareKeystore', 'DigitalActuator'];",
          "print('EXPORTS ' + names.map((n) => n + ':' + typeof core[n]).join(' '));",
        ].join('\n'),
      );
      const run = await runXsnap(check, { timeoutMs: 120_000 });
      expect(run.stdout).toContain(
        'EXPORTS createTerminal:function cameraCodeSource:function NmeaLocationSensor:function createScanLoop:function HalError:function SoftwareKeystore:function DigitalActuator:function',
      );
      expect(readFileSync(core, 'utf8')).not.toMatch(/^import /m);
      const imports = [...readFileSync(main, 'utf8').matchAll(/(?:^import|\bfrom) "([^"]+)";$/gm)].map((m) => m[1]);
      expect(imports).toContain('qrpay-core');
      for (const name of imports) {
        expect(name).toMatch(/^(qrpay-core|qrpay-entropy|embedded:.*|commodetto\/.*|mc\/config|time|timer|preference)$/);
      }
    }, 120_000);
  }
});
