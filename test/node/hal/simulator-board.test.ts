import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { p256 } from '@noble/curves/nist.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createSimulatorHal } from '../../../boards/simulator/hal';
import { ManualClock } from '../../../hal/portable/manual-clock';
import { grayImage, stillScene } from '../../../hal/sim/camera';
import { isHalError } from '../../../hal/errors';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qrpay-board-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (c) => (text += c));
  return { stream, text: () => text };
}

describe('createSimulatorHal', () => {
  it('wires every part on a manual clock, with storage and keys kept apart and kept across runs', async () => {
    const dataDirectory = freshDir();
    const clock = new ManualClock();
    const out = sink();
    const err = sink();
    const hal = createSimulatorHal({
      dataDirectory,
      clock,
      camera: { scene: stillScene(grayImage(4, 4, new Uint8Array(16).fill(200))), frameRate: 5 },
      outputStream: out.stream,
      errorStream: err.stream,
      verbose: true,
    });
    expect(hal.clock).toBe(clock);
    hal.storage.open({ path: 'journal' }).write('next', Uint8Array.of(7));
    const key = hal.keystore.create('terminal', 'ES256');
    expect(existsSync(join(dataDirectory, 'storage', 'journal', 'next'))).toBe(true);
    expect(existsSync(join(dataDirectory, 'keystore', 'keys', 'terminal'))).toBe(true);

    const frames: number[] = [];
    const camera = hal.camera!({ imageType: 'rgb565le', onReadable: () => frames.push(clock.monotonic()) });
    camera.start();
    clock.advance(400);
    expect(frames).toEqual([200, 400]);

    const held = hal.actuator!.hold(300);
    await clock.advanceAsync(300);
    await held;
    expect(hal.actuatorLine.pulses()).toEqual([{ start: 400, duration: 300 }]);

    hal.indicators!.display({ title: 'APPROVED' });
    hal.logger.log('debug', 'visible when verbose');
    expect(out.text()).toContain('[display] APPROVED');
    expect(err.text()).toContain('visible when verbose');
    expect(err.text()).toContain('actuator line value=1');

    const again = createSimulatorHal({ dataDirectory, clock: 'manual', quiet: true });
    expect(again.storage.open({ path: 'journal' }).read('next')).toEqual(Uint8Array.of(7));
    const message = Uint8Array.of(1, 2, 3);
    expect(p256.verify(again.keystore.sign('terminal', message), message, key.publicKey)).toBe(true);
    expect(again.camera).toBe(undefined);
  });

  it('is quiet when asked and passes the power-cut switch to storage', () => {
    const out = sink();
    const err = sink();
    const hal = createSimulatorHal({ dataDirectory: freshDir(), quiet: true, outputStream: out.stream, errorStream: err.stream, powerCut: { atWrite: 2 } });
    hal.indicators!.beep('success');
    hal.logger.log('warn', 'hidden');
    expect(out.text() + err.text()).toBe('');
    const store = hal.storage.open({ path: 'app' });
    store.write('a', Uint8Array.of(1));
    let error: unknown;
    try {
      store.write('b', Uint8Array.of(2));
    } catch (e) {
      error = e;
    }
    expect(isHalError(error, 'power-lost')).toBe(true);
    hal.shutdown();
  });

  it('refuses a camera without a source', () => {
    expect(() => createSimulatorHal({ dataDirectory: freshDir(), camera: {} })).toThrow(RangeError);
  });
});
