/**
 * The simulator board: the desktop stand-in for an ESP32 terminal. It wires the
 * Node implementations of every HAL contract into one `Hal`, so the unmodified
 * firmware core runs on a PC:
 * - storage: a directory (`<data>/storage`, one folder per domain, one file per
 *   key, atomic writes), with an optional power cut at the Nth write;
 * - keystore: software keys in `<data>/keystore` (owner-only files), drawn from
 *   node:crypto, so the terminal keeps its identity across runs;
 * - clock: the real clock, or a ManualClock a script or test drives;
 * - camera: PNG files or in-memory images in front of a simulated sensor;
 * - HTTP: node:http/https; indicators and logs: lines on stdout/stderr;
 * - actuator: a relay/coin line that records its transitions.
 * The GNSS UART is passed in (`gnssSerial`): the board does not invent one.
 * Nothing here is built with Moddable; device boards have their own folders.
 */
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { Hal } from '../../hal/index';
import type { Clock } from '../../hal/clock';
import type { Entropy } from '../../hal/entropy';
import type { HttpClient } from '../../hal/http';
import type { LogLevel } from '../../hal/logger';
import type { SerialFactory } from '../../hal/serial';
import { ManualClock } from '../../hal/portable/manual-clock';
import { DigitalActuator } from '../../hal/portable/digital-actuator';
import { SystemClock } from '../../hal/sim/system-clock';
import { nodeEntropy } from '../../hal/sim/entropy';
import { DirectoryStorage } from '../../hal/sim/directory-storage';
import { createFileKeystore } from '../../hal/sim/file-keystore';
import { NodeHttpClient } from '../../hal/sim/http';
import { ConsoleIndicators } from '../../hal/sim/console-indicators';
import { ConsoleLogger } from '../../hal/sim/console-logger';
import { RecordingLine } from '../../hal/sim/recording-line';
import { pngScene, sceneCameraFactory, type Scene } from '../../hal/sim/camera';

/** To put a picture of your own in front of the camera (`camera: { scene }`), without PNG files or pngjs. */
export { grayImage, stillScene, type Scene } from '../../hal/sim/camera';
import type { PowerCutOptions } from '../../hal/sim/power-switch';

export interface SimulatorCameraOptions {
  /** PNG files shown one per frame (the last one stays in view unless `loop`). */
  pngFiles?: string[];
  /** Or any scene, e.g. `stillScene(grayImage(...))` of a rendered code. */
  scene?: Scene;
  loop?: boolean;
  /** Captures per second. Default 10. */
  frameRate?: number;
  /** Unread frames kept. Default 2. */
  maxFrames?: number;
}

export interface SimulatorHalOptions {
  /** Where the terminal's storage and keys live across runs. */
  dataDirectory: string;
  /** 'system' (default), 'manual' (a fresh ManualClock), or a clock of your own. */
  clock?: 'system' | 'manual' | Clock;
  /** Omit for a board without a camera. */
  camera?: SimulatorCameraOptions;
  /** Print no indications and only error logs. */
  quiet?: boolean;
  /** Debug logs and every actuator line change. */
  verbose?: boolean;
  /** Indications go here (default stdout), logs to `errorStream` (default stderr). */
  outputStream?: Writable;
  errorStream?: Writable;
  /** Cut the storage's power at the Nth write (see hal/sim/power-switch.ts). */
  powerCut?: PowerCutOptions;
  /** Replace the HTTP client (a scenario that simulates an outage). */
  http?: HttpClient;
  entropy?: Entropy;
  gnssSerial?: SerialFactory;
}

export interface SimulatorHal extends Hal {
  storage: DirectoryStorage;
  /** The relay / coin line the actuator drives, for scenario checks. */
  actuatorLine: RecordingLine;
  /** Cancels the pending timers of the system clock the board made, so the process can exit. */
  shutdown(): void;
}

export function createSimulatorHal(options: SimulatorHalOptions): SimulatorHal {
  const clock = makeClock(options.clock);
  const logLevel: LogLevel = options.quiet ? 'error' : options.verbose ? 'debug' : 'info';
  const logger = new ConsoleLogger({ stream: options.errorStream, level: logLevel, clock });
  const entropy = options.entropy ?? nodeEntropy;
  const actuatorLine = new RecordingLine({
    clock,
    onChange: options.verbose ? (t) => logger.log('debug', 'actuator line', { value: t.value, at: Math.round(t.at) }) : undefined,
  });
  const hal: SimulatorHal = {
    clock,
    entropy,
    storage: new DirectoryStorage({ directory: join(options.dataDirectory, 'storage'), powerCut: options.powerCut }),
    keystore: createFileKeystore({ directory: join(options.dataDirectory, 'keystore'), entropy }),
    http: options.http ?? new NodeHttpClient(),
    logger,
    indicators: new ConsoleIndicators({ stream: options.outputStream, quiet: options.quiet }),
    actuator: new DigitalActuator({ output: actuatorLine, clock }),
    actuatorLine,
    shutdown: () => {
      if (clock instanceof SystemClock) clock.clearAll();
    },
  };
  if (options.camera) hal.camera = sceneCameraFactory({ clock, scene: sceneOf(options.camera), frameRate: options.camera.frameRate, maxFrames: options.camera.maxFrames });
  if (options.gnssSerial) hal.gnssSerial = options.gnssSerial;
  return hal;
}

function makeClock(choice: SimulatorHalOptions['clock']): Clock {
  if (choice === undefined || choice === 'system') return new SystemClock();
  if (choice === 'manual') return new ManualClock();
  return choice;
}

function sceneOf(camera: SimulatorCameraOptions): Scene {
  if (camera.scene && camera.pngFiles) throw new RangeError('give the simulator camera either pngFiles or a scene, not both');
  if (camera.scene) return camera.scene;
  if (camera.pngFiles && camera.pngFiles.length > 0) return pngScene(camera.pngFiles, { loop: camera.loop });
  throw new RangeError('the simulator camera needs pngFiles or a scene');
}
