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

/**
 * A forward jump longer than this between bursts is a receiver clock being set
 * (MediaTek chips count from 00:00 on 6 January 1980 until they know the time),
 * not a silence: the replay goes on one second later.
 */
export const MAX_REPLAY_GAP_MS = 60_000;

export function nmeaLogSteps(text: string): ScriptStep[] {
  const steps: ScriptStep[] = [];
  let burst = '';
  let burstTime: number | undefined;
  /** The log time (days included) that plays at 0. */
  let base: number | undefined;
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
      const logTime = time + day;
      base ??= logTime;
      let next = logTime - base;
      if (next - at > MAX_REPLAY_GAP_MS) {
        next = at + 1000;
        base = logTime - next;
      }
      // A log that steps back a little (a receiver glitch) keeps its order: never earlier than the last burst.
      at = Math.max(at, next);
    }
    burst += line;
  }
  flush();
  return steps;
}
