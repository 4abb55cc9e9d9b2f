/**
 * The hardware a terminal core runs on, as one bundle a board hands to
 * `createTerminal`. Optional parts are absent on boards that lack them
 * (an embedded lock without a display, a counter terminal without an actuator).
 */
import type { CameraFactory } from './camera';
import type { SerialFactory } from './serial';
import type { Storage } from './storage';
import type { HttpClient } from './http';
import type { Keystore } from './keystore';
import type { Entropy } from './entropy';
import type { Clock } from './clock';
import type { Indicators } from './indicators';
import type { Actuator } from './actuator';
import type { Logger } from './logger';
import type { CryptoAccelerator } from './crypto';

export interface Hal {
  clock: Clock;
  entropy: Entropy;
  storage: Storage;
  keystore: Keystore;
  http: HttpClient;
  logger: Logger;
  camera?: CameraFactory;
  /** The UART the GNSS receiver is wired to. */
  gnssSerial?: SerialFactory;
  indicators?: Indicators;
  actuator?: Actuator;
  /** Native or hardware SHA-256 and ES256 verification (hal/crypto.ts); absent: the core's pure-JS path. */
  crypto?: CryptoAccelerator;
}

export * from './errors';
export * from './camera';
export * from './serial';
export * from './gnss';
export * from './storage';
export * from './http';
export * from './keystore';
export * from './entropy';
export * from './clock';
export * from './indicators';
export * from './actuator';
export * from './logger';
export * from './crypto';
