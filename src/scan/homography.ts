/**
 * Projective maps between two quadrilaterals (the classic square-to-quad
 * construction used by ZXing). The scanner maps module coordinates of the
 * code (finder centres, alignment centre) onto frame pixels with it, which
 * covers scale, rotation and a tilted phone (perspective) alike.
 */
import type { Point } from './result';

export class Homography {
  constructor(
    readonly a11: number, readonly a21: number, readonly a31: number,
    readonly a12: number, readonly a22: number, readonly a32: number,
    readonly a13: number, readonly a23: number, readonly a33: number,
  ) {}

  /** Maps (x, y); the result is written into `out` when given (the sampler's hot loop allocates nothing). */
  map(x: number, y: number, out: Point = { x: 0, y: 0 }): Point {
    const w = this.a13 * x + this.a23 * y + this.a33;
    out.x = (this.a11 * x + this.a21 * y + this.a31) / w;
    out.y = (this.a12 * x + this.a22 * y + this.a32) / w;
    return out;
  }

  /** `this` applied after `first`. */
  after(first: Homography): Homography {
    const t = this;
    const o = first;
    return new Homography(
      t.a11 * o.a11 + t.a21 * o.a12 + t.a31 * o.a13,
      t.a11 * o.a21 + t.a21 * o.a22 + t.a31 * o.a23,
      t.a11 * o.a31 + t.a21 * o.a32 + t.a31 * o.a33,
      t.a12 * o.a11 + t.a22 * o.a12 + t.a32 * o.a13,
      t.a12 * o.a21 + t.a22 * o.a22 + t.a32 * o.a23,
      t.a12 * o.a31 + t.a22 * o.a32 + t.a32 * o.a33,
      t.a13 * o.a11 + t.a23 * o.a12 + t.a33 * o.a13,
      t.a13 * o.a21 + t.a23 * o.a22 + t.a33 * o.a23,
      t.a13 * o.a31 + t.a23 * o.a32 + t.a33 * o.a33,
    );
  }

  /** The adjoint: the inverse up to a scale factor, which a projective map ignores. */
  adjoint(): Homography {
    const { a11, a21, a31, a12, a22, a32, a13, a23, a33 } = this;
    return new Homography(
      a22 * a33 - a23 * a32, a23 * a31 - a21 * a33, a21 * a32 - a22 * a31,
      a13 * a32 - a12 * a33, a11 * a33 - a13 * a31, a12 * a31 - a11 * a32,
      a12 * a23 - a13 * a22, a13 * a21 - a11 * a23, a11 * a22 - a12 * a21,
    );
  }
}

/** The map taking the unit square's corners (0,0), (1,0), (1,1), (0,1) to p0..p3. */
export function squareToQuad(p0: Point, p1: Point, p2: Point, p3: Point): Homography {
  const dx3 = p0.x - p1.x + p2.x - p3.x;
  const dy3 = p0.y - p1.y + p2.y - p3.y;
  if (dx3 === 0 && dy3 === 0) {
    return new Homography(p1.x - p0.x, p2.x - p1.x, p0.x, p1.y - p0.y, p2.y - p1.y, p0.y, 0, 0, 1);
  }
  const dx1 = p1.x - p2.x;
  const dx2 = p3.x - p2.x;
  const dy1 = p1.y - p2.y;
  const dy2 = p3.y - p2.y;
  const denominator = dx1 * dy2 - dx2 * dy1;
  const a13 = (dx3 * dy2 - dx2 * dy3) / denominator;
  const a23 = (dx1 * dy3 - dx3 * dy1) / denominator;
  return new Homography(
    p1.x - p0.x + a13 * p1.x, p3.x - p0.x + a23 * p3.x, p0.x,
    p1.y - p0.y + a13 * p1.y, p3.y - p0.y + a23 * p3.y, p0.y,
    a13, a23, 1,
  );
}

/** The map taking each `from[i]` to `to[i]` (four points each, no three collinear). */
export function quadToQuad(from: readonly Point[], to: readonly Point[]): Homography {
  const fromSquare = squareToQuad(from[0], from[1], from[2], from[3]).adjoint();
  return squareToQuad(to[0], to[1], to[2], to[3]).after(fromSquare);
}
