/**
 * Sentence parsers against published sentences (their checksums as printed in
 * the NMEA references they come from) and against each refusal reason.
 */
import { describe, expect, it } from 'vitest';
import { parseSentence } from '../../../src/location/sentences/index';

/** The text between `$` and `*`, as the line assembler hands it over. */
const body = (line: string): string => line.slice(1, line.indexOf('*'));

describe('sentence parsers', () => {
  it('read the textbook GGA', () => {
    expect(parseSentence(body('$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47'))).toMatchObject({
      type: 'GGA', talker: 'GP', time: 45_319_000, solution: 'autonomous', satellites: 8, hdop: 0.9, altitude: 545.4,
    });
  });

  it('read a western GGA and RMC pair (Dublin) with speed in m/s', () => {
    const gga = parseSentence(body('$GPGGA,092750.000,5321.6802,N,00630.3372,W,1,8,1.03,61.7,M,55.2,M,,*76'));
    expect(gga).toMatchObject({ latitude: 53 + 21.6802 / 60, longitude: -(6 + 30.3372 / 60), satellites: 8 });
    const rmc = parseSentence(body('$GPRMC,092750.000,A,5321.6802,N,00630.3372,W,0.02,31.66,280511,,,A*43'));
    expect(rmc).toMatchObject({ type: 'RMC', valid: true, date: Date.UTC(2011, 4, 28), course: 31.66 });
    expect((rmc as { speed: number }).speed).toBeCloseTo(0.02 * 1852 / 3600, 9);
  });

  it('read the textbook RMC, GSA and GST', () => {
    expect(parseSentence(body('$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A'))).toMatchObject({
      valid: true, date: Date.UTC(1994, 2, 23), course: 84.4,
    });
    expect(parseSentence(body('$GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1*39'))).toEqual({
      type: 'GSA', talker: 'GP', mode: 3, satellites: 5, pdop: 2.5, hdop: 1.3, vdop: 2.1,
    });
    expect(parseSentence(body('$GPGST,172814.0,0.006,0.023,0.020,273.6,0.023,0.020,0.031*6A'))).toEqual({
      type: 'GST', talker: 'GP', time: 62_894_000, latitudeSigma: 0.023, longitudeSigma: 0.02, altitudeSigma: 0.031,
    });
  });

  it('read an RTK GNS from the southern hemisphere', () => {
    expect(parseSentence(body('$GNGNS,014035.00,4332.69262,S,17235.48549,E,RR,13,0.9,25.63,11.24,,*70'))).toMatchObject({
      type: 'GNS', talker: 'GN', solution: 'rtk', satellites: 13, hdop: 0.9, altitude: 25.63,
      latitude: -(43 + 32.69262 / 60), longitude: 172 + 35.48549 / 60,
    });
  });

  it('read receivers before their first fix: empty fields are not errors', () => {
    expect(parseSentence('GNGGA,,,,,,0,00,99.99,,,,,,')).toEqual({
      type: 'GGA', talker: 'GN', time: undefined, solution: 'none', satellites: 0, hdop: 99.99, altitude: undefined,
    });
    expect(parseSentence('GNRMC,,V,,,,,,,,,,N')).toMatchObject({ type: 'RMC', valid: false, time: undefined, date: undefined });
    expect(parseSentence('GNGSA,A,1,,,,,,,,,,,,,99.99,99.99,99.99')).toMatchObject({ mode: 1, satellites: 0 });
    expect(parseSentence('GNGNS,,,,,,NN,00,99.99,,,,')).toMatchObject({ solution: 'none' });
    expect(parseSentence('GNGST,,,,,,,,')).toMatchObject({ type: 'GST', latitudeSigma: undefined });
  });

  it('take every GNSS talker and ignore sentences it does not use', () => {
    for (const talker of ['GP', 'GN', 'GL', 'GA', 'GB', 'BD', 'GQ', 'QZ', 'GI']) {
      expect(parseSentence(`${talker}GSA,A,3,01,,,,,,,,,,,,1.9,1.0,1.6`)).toMatchObject({ talker, mode: 3 });
    }
    expect(parseSentence('GPGSV,1,1,00')).toBeUndefined();
    expect(parseSentence('GNVTG,,T,,M,,N,,K,N')).toBeUndefined();
    expect(parseSentence('PUBX,00,000000.00')).toBeUndefined();
    expect(parseSentence('IIGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,')).toBe('unknown-talker');
    expect(parseSentence('GPGG')).toBe('unknown-talker');
  });

  it('RMC mode N overrides status A', () => {
    expect(parseSentence('GNRMC,123519.00,A,4807.038,N,01131.000,E,0.1,,230394,,,N')).toMatchObject({ valid: false });
  });

  it('refuse each malformed field with its reason', () => {
    const cases: [string, string][] = [
      ['GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M', 'field-count'],
      ['GPGGA,256000,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,', 'bad-time'],
      ['GPGGA,,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,', 'bad-time'],
      ['GPGGA,123519,4807.038,N,01131.000,E,9,08,0.9,545.4,M,46.9,M,,', 'bad-field'],
      ['GPGGA,123519,4807.038,N,01131.000,E,1,,0.9,545.4,M,46.9,M,,', 'bad-field'],
      ['GPGGA,123519,4807.038,N,01131.000,E,1,08,,545.4,M,46.9,M,,', 'bad-field'],
      ['GPGGA,123519,4807.038,N,01131.000,E,1,08,-1,545.4,M,46.9,M,,', 'bad-field'],
      ['GPGGA,123519,4807.038,X,01131.000,E,1,08,0.9,545.4,M,46.9,M,,', 'bad-coordinate'],
      ['GPGGA,123519,,,,,1,08,0.9,545.4,M,46.9,M,,', 'bad-coordinate'],
      ['GPGGA,123519,0000.000,N,00000.000,E,1,08,0.9,545.4,M,46.9,M,,', 'bad-coordinate'],
      ['GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,310494,003.1,W', 'bad-date'],
      ['GPRMC,123519,X,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W', 'bad-field'],
      ['GPRMC,123519,A,4807.038,N,01131.000,E,022.4,400,230394,003.1,W', 'bad-field'],
      ['GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W,Z', 'bad-field'],
      ['GPGSA,A,4,04,05,,09,12,,,24,,,,,2.5,1.3,2.1', 'bad-field'],
      ['GPGSA,A,3,04,0x,,09,12,,,24,,,,,2.5,1.3,2.1', 'bad-field'],
      ['GPGSA,A,3,04', 'field-count'],
      ['GNGNS,014035.00,4332.69262,S,17235.48549,E,RX,13,0.9,25.63,11.24,,', 'bad-field'],
      ['GNGNS,014035.00,4332.69262,S,17235.48549,E,', 'field-count'],
      ['GPGST,172814.0,0.006,0.023,0.020,273.6,-0.023,0.020,0.031', 'bad-field'],
      ['GPGST,172899.0,0.006,0.023,0.020,273.6,0.023,0.020,0.031', 'bad-time'],
    ];
    for (const [sentence, reason] of cases) expect([sentence, parseSentence(sentence)]).toEqual([sentence, reason]);
  });
});
