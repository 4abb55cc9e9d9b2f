// One NMEA sentence through the whole driver path: framing and checksum, field
// parsing, epoch fusion. The op feeds the next line of a u-blox M8N log
// (RMC, VTG, GGA, GNS, GSA×2, GSV×2, GLL, GST: the mix a receiver really sends,
// as the simulator prints it), cycling over the log, so a sentence is the
// average over that mix.
import type { SerialOptions } from '../../hal/serial';
import { NmeaLocationSensor } from '../../src/location/index';
import { formatEpoch } from '../../hal/sim/nmea-format';
import { ride } from '../../hal/sim/tracks';

export interface State { lines: Uint8Array[]; next: number; push: (bytes: Uint8Array) => void; sensor: NmeaLocationSensor }

export function prepare(): State {
  // A minute of riding after the first fix (the simulator prints it; pure code, so it runs on XS too).
  const route: [number, number][] = [[-34.60372, -58.38159], [-34.60150, -58.37500]];
  const lines: Uint8Array[] = [];
  for (const epoch of ride({ start: Date.UTC(2026, 2, 14, 23, 59, 20), seconds: 64, seed: 7, route })) {
    if (epoch.fix === 'none') continue;
    for (const line of formatEpoch('ublox-m8n', epoch)) lines.push(Uint8Array.from(line + '\r\n', (c) => c.charCodeAt(0)));
  }
  let waiting: Uint8Array | undefined;
  let options: SerialOptions = {};
  const sensor = new NmeaLocationSensor({
    clock: { now: () => 0, monotonic: () => 0, setTimer: () => 0, clearTimer: () => undefined },
    serial: (opened) => {
      options = opened;
      return {
        read: () => { const w = waiting; waiting = undefined; return w?.buffer as ArrayBuffer | undefined; },
        write: () => undefined,
        close: () => undefined,
      };
    },
  });
  return { lines, next: 0, sensor, push: (bytes) => { waiting = bytes; options.onReadable?.(bytes.length); } };
}

export function op(state: State): void {
  state.push(state.lines[state.next]);
  state.next = (state.next + 1) % state.lines.length;
}
