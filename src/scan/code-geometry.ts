/**
 * From three ordered finders to the homography that maps module coordinates
 * (0..dimension on each axis, the code's outer corners) to frame pixels.
 * Finder centres sit 3.5 modules in from their corners; the bottom-right
 * alignment pattern 6.5 modules in from the bottom-right corner.
 */
import type { LumaImage } from '../frame/luma';
import { findAlignment } from './alignment';
import type { FinderTriple } from './finder-triple';
import { quadToQuad, type Homography } from './homography';
import type { Corners, Point } from './result';

/** The module-to-pixel map: perspective when the alignment pattern is found, affine (extrapolated) when not. */
export function codeGeometry(image: LumaImage, triple: FinderTriple): Homography {
  const { topLeft, topRight, bottomLeft, dimension, moduleSize } = triple;
  const far = dimension - 3.5;
  const alignmentAt = dimension - 6.5;
  // Where an affine grid through the three finders puts the alignment centre.
  const t = (alignmentAt - 3.5) / (far - 3.5);
  const predicted: Point = {
    x: topLeft.x + (topRight.x - topLeft.x) * t + (bottomLeft.x - topLeft.x) * t,
    y: topLeft.y + (topRight.y - topLeft.y) * t + (bottomLeft.y - topLeft.y) * t,
  };
  const found = dimension > 21 ? findAlignment(image, predicted, moduleSize, triple.darkModules) : undefined;
  return quadToQuad(
    [{ x: 3.5, y: 3.5 }, { x: far, y: 3.5 }, { x: alignmentAt, y: alignmentAt }, { x: 3.5, y: far }],
    [topLeft, topRight, found ?? predicted, bottomLeft],
  );
}

export function codeCorners(toPixel: Homography, dimension: number): Corners {
  return {
    topLeft: toPixel.map(0, 0),
    topRight: toPixel.map(dimension, 0),
    bottomRight: toPixel.map(dimension, dimension),
    bottomLeft: toPixel.map(0, dimension),
  };
}
