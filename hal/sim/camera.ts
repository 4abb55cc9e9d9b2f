/**
 * The simulator's camera: the portable scene camera (`hal/portable/scene-camera.ts`)
 * looking at PNG files, decoded with pngjs.
 */
import { readPngFile } from './png';
import { sequenceScene, type Scene } from '../portable/scene';

export { SceneCamera, sceneCameraFactory, type SceneCameraSetup } from '../portable/scene-camera';
export { grayImage, sequenceScene, stillScene, type Scene } from '../portable/scene';

/** PNG files shown one per capture; after the last, it stays in view unless `loop`. */
export function pngScene(paths: string[], options: { loop?: boolean } = {}): Scene {
  return sequenceScene(paths.map(readPngFile), options);
}
