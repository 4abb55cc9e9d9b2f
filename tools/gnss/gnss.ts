/**
 * `qrpay gnss <log.nmea>`: what the terminal would report from a receiver's
 * output. A developer wiring a new module captures its UART and runs this.
 */
import { readFileSync } from 'node:fs';
import type { LocationSample } from '../../hal/gnss';
import { DEFAULT_MAX_AGE_MS } from '../../src/location/index';
import { replayLog, type ReplayResult } from './replay';

const help = `usage: qrpay gnss <log.nmea> [--json] [--max-age <ms>] [--rejections]

Runs a captured NMEA 0183 log through the terminal's GNSS driver at the log's own
pace (a virtual clock: no waiting) and prints each sample it derives: every new
fix, and every change of status (fix, stale, absent).

  --json          one JSON object a line: the sample's fields, "utc" (ISO 8601 time
                  of the fix) and "at" (milliseconds into the log)
  --max-age <ms>  a fix older than this is stale (default ${DEFAULT_MAX_AGE_MS})
  --rejections    also list each refused line and why (to stderr)

Counts of accepted, ignored and refused sentences go to stderr at the end.`;

function fixed(value: number | undefined, digits: number, unit = ''): string {
  return value === undefined ? '-' : `${value.toFixed(digits)}${unit}`;
}

function describe(at: number, s: LocationSample): string {
  const utc = s.timestamp === undefined ? 'date unknown           ' : new Date(s.timestamp).toISOString();
  const head = `${(at / 1000).toFixed(1).padStart(7)} s  ${utc}  ${s.status.padEnd(6)} ${s.fix.padEnd(12)} sats ${String(s.satellites).padStart(2)}`;
  if (s.status !== 'fix') return `${head}${s.age === undefined ? '' : `  last fix ${(s.age / 1000).toFixed(1)} s ago`}`;
  return `${head}  ${fixed(s.latitude, 6)}, ${fixed(s.longitude, 6)}  ±${fixed(s.accuracy, 1, ' m')}  alt ${fixed(s.altitude, 1, ' m')}` +
    `  ${fixed(s.speed, 1, ' m/s')}  ${fixed(s.heading, 0, '°')}  age ${s.age} ms`;
}

export function render(result: ReplayResult, json: boolean): string[] {
  return result.samples.map(({ at, sample }) => json
    ? JSON.stringify({ at, utc: sample.timestamp === undefined ? null : new Date(sample.timestamp).toISOString(), ...sample })
    : describe(at, sample));
}

export async function run(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(help);
    return 0;
  }
  let json = false;
  let listRejections = false;
  let maxAge: number | undefined;
  let path: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--json') json = true;
    else if (arg === '--rejections') listRejections = true;
    else if (arg === '--max-age') {
      maxAge = Number(args[++i]);
      if (!(maxAge >= 0)) {
        console.error('qrpay gnss: --max-age needs a number of milliseconds');
        return 2;
      }
    } else if (arg.startsWith('-')) {
      console.error(`qrpay gnss: unknown option ${arg}\n\n${help}`);
      return 2;
    } else if (path === undefined) path = arg;
    else {
      console.error(`qrpay gnss: one log at a time\n\n${help}`);
      return 2;
    }
  }
  if (path === undefined) {
    console.error(help);
    return 2;
  }
  let text: string;
  try {
    text = readFileSync(path, 'latin1');
  } catch (error) {
    console.error(`qrpay gnss: cannot read ${path}: ${(error as Error).message}`);
    return 1;
  }
  const result = replayLog(text, { maxAge });
  for (const line of render(result, json)) console.log(line);
  if (listRejections) for (const r of result.rejections) console.error(`refused (${r.reason}): ${r.sentence ?? ''}`);
  const { stats } = result;
  const refused = Object.entries(stats.rejected).filter(([, n]) => n > 0).map(([reason, n]) => `${reason} ${n}`);
  const accepted = Object.entries(stats.accepted).map(([type, n]) => `${type} ${n}`);
  console.error(`${stats.bytes} bytes: accepted ${accepted.join(', ') || 'none'}; ignored ${stats.ignored}; ` +
    `refused ${refused.join(', ') || 'none'}; ${stats.garbageBytes} garbage bytes`);
  return 0;
}
