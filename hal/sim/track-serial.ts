/**
 * Serial sources for the simulator: a generated track printed by a chosen
 * receiver model, and a captured NMEA log replayed at its own pace (the time in
 * its sentences), both delivered through the scripted serial port in irregular
 * chunks on the Clock HAL.
 */
import { readFileSync } from 'node:fs';
import type { Clock } from '../clock';
import type { SerialFactory } from '../serial';
import { scriptedSerial, type ScriptStep } from '../portable/scripted-serial';
import { formatEpoch, type ReceiverEpoch, type ReceiverModel } from './nmea-format';
import { nmeaLogSteps } from './nmea-log';

export interface SimSerialOptions {
  clock: Clock;
  baud?: number;
  seed?: number;
}

/** The epochs as script steps, one burst a second, lines ended with CR LF. */
export function* trackSteps(model: ReceiverModel, epochs: Iterable<ReceiverEpoch>): Generator<ScriptStep> {
  let first: number | undefined;
  for (const epoch of epochs) {
    first ??= epoch.time;
    yield { at: epoch.time - first, data: formatEpoch(model, epoch).join('\r\n') + '\r\n' };
  }
}

/** The text of a whole track as the receiver would print it (for fixtures and `qrpay gnss`). */
export function trackText(model: ReceiverModel, epochs: Iterable<ReceiverEpoch>): string {
  let text = '';
  for (const step of trackSteps(model, epochs)) text += step.data as string;
  return text;
}

export function trackSerial(model: ReceiverModel, epochs: Iterable<ReceiverEpoch>, options: SimSerialOptions): SerialFactory {
  return scriptedSerial({ clock: options.clock, script: trackSteps(model, epochs), baud: options.baud ?? 9600, seed: options.seed });
}

/** Replays a captured log file; its bytes (garbage included) reach the driver unchanged. */
export function replaySerial(path: string, options: SimSerialOptions): SerialFactory {
  const steps = nmeaLogSteps(readFileSync(path, 'latin1'));
  return scriptedSerial({ clock: options.clock, script: steps, baud: options.baud ?? 9600, seed: options.seed });
}
