import { describe, expect, it } from 'vitest';
import { SceneCamera } from '../../../hal/portable/scene-camera';
import { grayImage, sequenceScene, stillScene } from '../../../hal/portable/scene';
import { ManualClock } from '../../../hal/portable/manual-clock';
import type { Frame, ImageType } from '../../../hal/camera';

describe('SceneCamera', () => {
  const image = (value: number) => grayImage(4, 2, new Uint8Array(8).fill(value));

  it('captures at the frame rate of the clock, stamping monotonic time and sequence', () => {
    const clock = new ManualClock({ monotonic: 1000 });
    const counts: number[] = [];
    const camera = new SceneCamera({ clock, scene: sequenceScene([image(10), image(20), image(30)]), frameRate: 20, maxFrames: 5 }, { onReadable: (n) => counts.push(n) });
    camera.start();
    clock.advance(49);
    expect(camera.read()).toBe(undefined);
    clock.advance(101);
    expect(counts).toEqual([1, 2, 3]);
    const frames = [camera.read()!, camera.read()!, camera.read()!];
    expect(frames.map((f) => [f.timestamp, f.sequence, f.data[0]])).toEqual([[1050, 0, 10], [1100, 1, 20], [1150, 2, 30]]);
    clock.advance(50);
    expect(camera.read()!.data[0]).toBe(30); // holds the last image of a non-looping sequence
  });

  it('keeps at most maxFrames, dropping the oldest (sequence shows the gap)', () => {
    const clock = new ManualClock();
    const camera = new SceneCamera({ clock, scene: sequenceScene([image(1), image(2), image(3), image(4)], { loop: true }), maxFrames: 2 });
    camera.start();
    clock.advance(500);
    const first = camera.read()!;
    const second = camera.read()!;
    expect([first.sequence, second.sequence]).toEqual([3, 4]);
    expect([first.data[0], second.data[0]]).toEqual([4, 1]);
    expect(camera.read()).toBe(undefined);
  });

  it('gives each frame its own buffer', () => {
    const clock = new ManualClock();
    const camera = new SceneCamera({ clock, scene: stillScene(image(7)), maxFrames: 3 });
    camera.start();
    clock.advance(200);
    const a = camera.read()!;
    a.data[0] = 99;
    expect(camera.read()!.data[0]).toBe(7);
  });

  it('stops, restarts and closes', () => {
    const clock = new ManualClock();
    const camera = new SceneCamera({ clock, scene: stillScene(image(5)) });
    camera.start();
    camera.start();
    clock.advance(100);
    camera.stop();
    clock.advance(1000);
    expect(camera.read()?.sequence).toBe(0);
    expect(camera.read()).toBe(undefined);
    camera.start();
    clock.advance(100);
    expect(camera.read()?.sequence).toBe(1);
    camera.close();
    expect(clock.pending).toBe(0);
    expect(() => camera.read()).toThrow('closed');
  });

  it('scales the scene to the requested size and validates its options', () => {
    const clock = new ManualClock();
    const camera = new SceneCamera({ clock, scene: stillScene(image(9)) }, { width: 8, height: 4, imageType: 'rgb565le' });
    camera.start();
    clock.advance(100);
    const frame: Frame = camera.read()!;
    expect([frame.width, frame.height, frame.stride, frame.data.length]).toEqual([8, 4, 16, 64]);
    const scene = stillScene(image(9));
    expect(() => new SceneCamera({ clock, scene, frameRate: 0 })).toThrow(RangeError);
    expect(() => new SceneCamera({ clock, scene, maxFrames: 0 })).toThrow(RangeError);
    expect(() => new SceneCamera({ clock, scene }, { imageType: 'jpeg' as ImageType })).toThrow(RangeError);
    expect(() => sequenceScene([image(1), grayImage(2, 2, new Uint8Array(4))])).toThrow(RangeError);
  });

  it('reports a capture that fails through onError and keeps running', () => {
    const clock = new ManualClock();
    const errors: string[] = [];
    let calls = 0;
    const flaky = {
      width: 4,
      height: 2,
      imageAt: () => {
        if (calls++ === 0) throw new Error('sensor timeout');
        return image(3);
      },
    };
    const camera = new SceneCamera({ clock, scene: flaky }, { onError: (e) => errors.push(`${e.kind}: ${e.message}`) });
    camera.start();
    clock.advance(200);
    expect(errors).toEqual(['device: capture failed: Error: sensor timeout']);
    expect(camera.read()?.sequence).toBe(0);
  });
});
