import { describe, expect, it } from 'vitest';
import { dateOfDay, decimal, integer, latitude, longitude, timeOfDay } from '../../../src/location/fields';

describe('NMEA field readers', () => {
  it('read decimals strictly: empty is undefined, anything Number() would bend is NaN', () => {
    expect(decimal('')).toBeUndefined();
    expect(decimal('545.4')).toBe(545.4);
    expect(decimal('-3.5')).toBe(-3.5);
    for (const bad of ['0x1f', '1e3', ' 1', '1.2.3', '.', '-', 'NaN', '1,0']) expect(decimal(bad)).toBeNaN();
    expect(integer('08')).toBe(8);
    expect(integer('8.0')).toBeNaN();
  });

  it('read times of day, fractions and a leap second; refuse impossible ones', () => {
    expect(timeOfDay('123519')).toBe((12 * 3600 + 35 * 60 + 19) * 1000);
    expect(timeOfDay('000000.00')).toBe(0);
    expect(timeOfDay('235959.999')).toBe(86_399_999);
    expect(timeOfDay('235960')).toBe(86_400_000);
    expect(timeOfDay('')).toBeUndefined();
    for (const bad of ['240000', '236000', '12351', '123519,', '12a519', '123519.x']) expect(timeOfDay(bad)).toBeNaN();
  });

  it('read dates, with the 1980–2079 window, and refuse 31 April', () => {
    expect(dateOfDay('230394')).toBe(Date.UTC(1994, 2, 23));
    expect(dateOfDay('150326')).toBe(Date.UTC(2026, 2, 15));
    expect(dateOfDay('290224')).toBe(Date.UTC(2024, 1, 29));
    for (const bad of ['310426', '290225', '001326', '000126', '1503260']) expect(dateOfDay(bad)).toBeNaN();
  });

  it('read coordinates in every hemisphere', () => {
    expect(latitude('4807.038', 'N')).toBeCloseTo(48.1173, 6);
    expect(longitude('01131.000', 'E')).toBeCloseTo(11.516667, 5);
    expect(latitude('3436.22295', 'S')).toBeCloseTo(-34.6037158, 6);
    expect(longitude('05822.89447', 'W')).toBeCloseTo(-58.3815745, 6);
    expect(latitude('', '')).toBeUndefined();
  });

  it('refuse coordinates with the wrong shape, range or hemisphere', () => {
    expect(latitude('4807.038', 'E')).toBeNaN();
    expect(latitude('807.038', 'N')).toBeNaN();
    expect(latitude('4860.000', 'N')).toBeNaN();
    expect(latitude('9100.000', 'N')).toBeNaN();
    expect(longitude('18100.000', 'W')).toBeNaN();
    expect(longitude('1131.000', 'E')).toBeNaN();
    expect(longitude('01131.000', '')).toBeNaN();
  });
});
