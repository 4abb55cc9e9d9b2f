// One second of u-blox M8N output (RMC, VTG, GGA, GNS, GSA×2, GSV×6, GLL, GST at
// about 16 satellites in view) through the driver: the work the terminal does per
// second for location, whatever the chunking.
import { prepare as prepareSentences, op as feedSentence } from './nmea-sentence';

type State = ReturnType<typeof prepareSentences>;

export function prepare(): { state: State; perEpoch: number } {
  const state = prepareSentences();
  // Count the lines of the first epoch: up to the second RMC.
  let perEpoch = 1;
  while (String.fromCharCode(state.lines[perEpoch][3], state.lines[perEpoch][4], state.lines[perEpoch][5]) !== 'RMC') perEpoch++;
  return { state, perEpoch };
}

export function op(s: { state: State; perEpoch: number }): void {
  for (let i = 0; i < s.perEpoch; i++) feedSentence(s.state);
}
