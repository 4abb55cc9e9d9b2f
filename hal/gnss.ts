/**
 * GNSS location: the ECMA-419 Sensor pattern (`sample()`, `onSample`, `onError`,
 * `close()`), with the field names of Moddable's `embedded:sensor/Location`.
 * There is no standard GNSS class; the driver in `src/location` reads NMEA 0183
 * from a SerialPort and produces these samples.
 */
import type { HalError } from './errors';
import type { SerialFactory, SerialPort } from './serial';
import type { Clock } from './clock';

export type FixKind = 'none' | '2d' | '3d' | 'differential' | 'rtk' | 'estimated';

/**
 * `status` tells how far to trust the sample:
 * - `fix`: a current position (all position fields present);
 * - `stale`: the last fix is older than the configured limit: position fields are absent;
 * - `absent`: no fix has been seen (no sky, no satellites, or no receiver).
 * A sample never carries a position unless `status` is `fix`.
 */
export type LocationStatus = 'fix' | 'stale' | 'absent';

export interface LocationSample {
  status: LocationStatus;
  fix: FixKind;
  /** Satellites used in the fix. */
  satellites: number;
  /** Degrees, WGS84; south and west negative. */
  latitude?: number;
  longitude?: number;
  /** Metres above mean sea level. */
  altitude?: number;
  /** Estimated horizontal error, metres (1 sigma). */
  accuracy?: number;
  /** Metres per second over ground. */
  speed?: number;
  /** Degrees from true north, clockwise. */
  heading?: number;
  /** UTC time of the fix, milliseconds since the epoch (from the receiver, not the terminal). */
  timestamp?: number;
  /** Milliseconds since the fix was received, on the terminal's monotonic clock. */
  age?: number;
}

export interface LocationSensorOptions {
  /**
   * The UART: a factory (preferred, ECMA-419 style: the driver opens the port with
   * its own `onReadable`) or an already open port, which the driver polls.
   */
  serial: SerialPort | SerialFactory;
  clock: Clock;
  /** A fix older than this many milliseconds is reported as stale. */
  maxAge?: number;
  onSample?: () => void;
  onError?: (error: HalError | Error) => void;
}

export interface LocationSensor {
  /** The current sample; never undefined once constructed. */
  sample(): LocationSample;
  close(): void;
}
