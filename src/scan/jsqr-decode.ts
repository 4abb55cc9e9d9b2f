/**
 * The one place that calls jsQR. jsQR wants RGBA; the scanner holds luma, so
 * each grey byte is replicated into R, G and B (jsQR's own grey conversion
 * then gives the same value back).
 *
 * jsQR 1.4 writes the options it is given into its module-level defaults
 * (`options = defaultOptions; options[k] = provided[k] || options[k]`), so a
 * call without options inherits whatever the previous caller asked for. Every
 * call here passes `inversionAttempts` explicitly. Its 'onlyInvert' mode
 * also crashes (it never computes the inverted image), so light-on-dark luma
 * is inverted here and read as dark-on-light.
 */
import jsQR from 'jsqr';
import type { Corners, Point } from './result';

export type Polarity = 'dark-on-light' | 'light-on-dark' | 'both';

export interface JsqrReading {
  bytes: Uint8Array;
  text: string;
  version: number;
  /** Corners in the coordinates of the image handed to jsQR. */
  corners: Corners;
}

/** Expands packed luma into RGBA (opaque grey), optionally inverting it. */
export function lumaToRgba(luma: Uint8Array, invert = false): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(luma.length * 4);
  const flip = invert ? 255 : 0;
  for (let i = 0, o = 0; i < luma.length; i++, o += 4) {
    const v = luma[i] ^ flip;
    rgba[o] = v;
    rgba[o + 1] = v;
    rgba[o + 2] = v;
    rgba[o + 3] = 255;
  }
  return rgba;
}

function point(p: Point): Point {
  return { x: p.x, y: p.y };
}

/** Runs jsQR on packed luma; undefined when it finds no valid code. */
export function decodeWithJsqr(luma: Uint8Array, width: number, height: number, polarity: Polarity): JsqrReading | undefined {
  const rgba = lumaToRgba(luma, polarity === 'light-on-dark');
  const code = jsQR(rgba, width, height, { inversionAttempts: polarity === 'both' ? 'attemptBoth' : 'dontInvert' });
  if (!code) return undefined;
  const { location } = code;
  return {
    bytes: Uint8Array.from(code.binaryData),
    text: code.data,
    version: code.version,
    corners: {
      topLeft: point(location.topLeftCorner),
      topRight: point(location.topRightCorner),
      bottomRight: point(location.bottomRightCorner),
      bottomLeft: point(location.bottomLeftCorner),
    },
  };
}
