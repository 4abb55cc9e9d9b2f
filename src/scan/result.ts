/**
 * What the scanner reports for one frame. Exactly one of three outcomes, so a
 * caller can tell "nothing to see" (keep the camera running quietly) from
 * "a code is there but could not be read" (tell the customer to hold still).
 */
export interface Point {
  x: number;
  y: number;
}

/** The code's four outer corners in frame pixels, clockwise from the top-left as the code is oriented. */
export interface Corners {
  topLeft: Point;
  topRight: Point;
  bottomRight: Point;
  bottomLeft: Point;
}

export interface ScanCode {
  kind: 'code';
  /** The payload exactly as encoded (all segments concatenated). */
  bytes: Uint8Array;
  /** jsQR's text reading of the payload (UTF-8, or Shift-JIS for Kanji segments). */
  text: string;
  /** QR version, 1-40 (the side is 17 + 4 * version modules). */
  version: number;
  corners: Corners;
  /** Which path read it: the resampled module grid (cheap) or jsQR on the frame pixels (fallback). */
  path: 'grid' | 'crop' | 'frame';
}

export interface ScanNone {
  kind: 'none';
}

/** Finder patterns were seen but no path produced a valid payload (blur, glare, occlusion, too small). */
export interface ScanUnreadable {
  kind: 'unreadable';
  /** Finder patterns confirmed in the frame (centres, frame pixels). */
  finders: Point[];
  reason: 'too-few-finders' | 'no-consistent-triple' | 'decode-failed';
}

export type ScanResult = ScanCode | ScanNone | ScanUnreadable;
