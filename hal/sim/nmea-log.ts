/**
 * Cuts a captured NMEA log into the bursts a receiver sent, timed by the UTC
 * time in its sentences: a burst starts at each new time of day, and lines
 * without a time (GSA, GSV, TXT, corrupt lines, binary noise) travel with the
 * burst they sit in. Midnight is handled: a time that jumps back by more than
 * twelve hours is the next day. The text is taken byte for byte (latin1).
 */
import type { ScriptStep } from '../portable/scripted-serial';
import { DAY_MS, timeOfDay } from '../../src/location/fields';

const TIMED = /^\$[A-Z]{2}(GGA|RMC|GNS|GST|ZDA),([0-9.]*),/;

function lineTime(line: string): number | undefined {
  const match = TIMED.exec(line);
  if (!match) return undefined;
  const time = timeOfDay(match[2]);
  return time === undefined || time !== time ? undefined : time;
}

export function nmeaLogSteps(text: string): ScriptStep[] {
  const steps: ScriptStep[] = [];
  let burst = '';
  let burstTime: number | undefined;
  let origin: number | undefined;
  let day = 0;
  let at = 0;
  const flush = (): void => {
    if (burst) steps.push({ at, data: burst });
    burst = '';
  };
  for (const line of text.split(/(?<=\n)/)) {
    const time = lineTime(line.trimStart());
    if (time !== undefined && time !== burstTime) {
      flush();
      if (burstTime !== undefined && time < burstTime - DAY_MS / 2) day += DAY_MS;
      burstTime = time;
      origin ??= time;
      // A log that steps back a little (a receiver glitch) keeps its order: never earlier than the last burst.
      at = Math.max(at, time + day - origin);
    }
    burst += line;
  }
  flush();
  return steps;
}
