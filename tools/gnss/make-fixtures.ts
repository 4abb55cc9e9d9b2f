/**
 * Writes the generated NMEA fixtures under test/fixtures: three receivers, three
 * places (every hemisphere pair but north-east), two midnights (one from a receiver
 * that prints GGA before RMC), a tunnel, and the
 * dirt a real UART carries (a UBX binary frame, a line hit by noise, a line cut
 * short by a receiver reset). The files are committed; rerun after changing the
 * simulator: `npx tsx tools/gnss/make-fixtures.ts`.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ride, stationary } from '../../hal/sim/tracks';
import { trackText } from '../../hal/sim/track-serial';

const fixtures = join(import.meta.dirname, '..', '..', 'test', 'fixtures');

/** A UBX-NAV-PVT header and some payload, as a receiver in mixed NMEA+UBX mode sends it. */
const UBX_FRAME = '\xb5\x62\x01\x07\x5c\x00\x10\x27\x00\x00\xea\x07\x03\x0e\x17\x3b\x15\x37\x10\x00\x00\x00';

function dirty(text: string): string {
  const lines = text.split('\r\n');
  // Noise flips one character of a GGA in the middle (the checksum then fails).
  const gga = lines.findIndex((l, i) => i > lines.length / 2 && l.includes('GGA,') && l.includes(',1,'));
  lines[gga] = lines[gga].replace(/,1,/, ',7,');
  // A reset cuts a line short; the receiver starts over with a fresh `$`.
  const rmc = lines.findIndex((l, i) => i > lines.length / 3 && l.includes('RMC,'));
  lines[rmc] = lines[rmc].slice(0, 30) + lines[rmc + 1];
  lines.splice(rmc + 1, 1);
  // A binary frame between two sentences.
  lines.splice(20, 0, UBX_FRAME);
  return lines.join('\r\n');
}

const buenosAires: [number, number][] = [
  [-34.60372, -58.38159], [-34.60372, -58.37870], [-34.60150, -58.37870], [-34.60150, -58.37500],
];
writeFileSync(
  join(fixtures, 'ublox-m8n-buenos-aires-midnight-ride.nmea'),
  dirty(trackText('ublox-m8n', ride({ start: Date.UTC(2026, 2, 14, 23, 59, 20), seconds: 90, seed: 7, route: buenosAires, altitude: 25 }))),
  'latin1',
);

writeFileSync(
  join(fixtures, 'quectel-l76-seattle-counter.nmea'),
  trackText('quectel-l76', stationary({ start: Date.UTC(2026, 5, 30, 18, 4, 0), seconds: 60, seed: 11, latitude: 47.60621, longitude: -122.33207, altitude: 56, acquisition: 8 })),
  'latin1',
);

const sydney: [number, number][] = [[-33.86785, 151.20732], [-33.86300, 151.21100], [-33.85900, 151.21100]];
writeFileSync(
  join(fixtures, 'atgm336h-sydney-tunnel.nmea'),
  trackText('atgm336h', ride({ start: Date.UTC(2026, 10, 2, 23, 59, 40), seconds: 70, seed: 3, route: sydney, tunnel: [25, 45], altitude: 10 })),
  'latin1',
);
