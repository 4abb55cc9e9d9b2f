/**
 * The NMEA 0183 sentences the location driver uses, as parsed records. Times
 * are milliseconds since midnight UTC, positions signed degrees, speeds m/s.
 * A field the receiver left empty is `undefined`.
 */

/** What kind of solution a receiver says it has, before 2D/3D is known. */
export type Solution = 'none' | 'autonomous' | 'differential' | 'rtk' | 'estimated';

/** The position fields GGA and GNS share. */
export interface PositionFix {
  talker: string;
  time?: number;
  latitude?: number;
  longitude?: number;
  /** GGA: from the quality digit; GNS: the best of the per-constellation mode letters. */
  solution: Solution;
  satellites?: number;
  hdop?: number;
  /** Metres above mean sea level (the geoid). */
  altitude?: number;
}

export interface GgaSentence extends PositionFix {
  type: 'GGA';
}

export interface GnsSentence extends PositionFix {
  type: 'GNS';
}

export interface RmcSentence {
  type: 'RMC';
  talker: string;
  time?: number;
  /** Status `A` (and a mode indicator other than `N`, when present). */
  valid: boolean;
  latitude?: number;
  longitude?: number;
  speed?: number;
  course?: number;
  /** Epoch milliseconds of midnight UTC of the fix's date. */
  date?: number;
}

export interface GsaSentence {
  type: 'GSA';
  talker: string;
  /** 1 no fix, 2 two-dimensional, 3 three-dimensional. */
  mode: number;
  /** How many satellite ids the sentence lists. */
  satellites: number;
  pdop?: number;
  hdop?: number;
  vdop?: number;
}

export interface GstSentence {
  type: 'GST';
  talker: string;
  time?: number;
  /** Standard deviations of the latitude, longitude and altitude errors, metres. */
  latitudeSigma?: number;
  longitudeSigma?: number;
  altitudeSigma?: number;
}

export type NmeaSentence = GgaSentence | GnsSentence | RmcSentence | GsaSentence | GstSentence;
