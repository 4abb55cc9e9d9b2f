/** The small computations the factors rest on: distances, speeds, version order. */
import { describe, expect, it } from 'vitest';
import { compareVersions } from '../../tools/authorizer/domain/risk/factors';
import { kmh, metresBetween } from '../../tools/authorizer/domain/risk/geo';

describe('geo', () => {
  it('measures great-circle distances', () => {
    const paris = { latitude: 48.8566, longitude: 2.3522 };
    const lyon = { latitude: 45.764, longitude: 4.8357 };
    expect(metresBetween(paris, lyon) / 1000).toBeCloseTo(391.5, 0);
    expect(metresBetween(paris, paris)).toBe(0);
    // One degree of latitude is about 111.2 km everywhere on the sphere.
    expect(metresBetween({ latitude: 0, longitude: 10 }, { latitude: 1, longitude: 10 })).toBeCloseTo(111_195, -1);
    // Antipodes: half the circumference, no NaN from rounding above 1.
    expect(metresBetween({ latitude: 0, longitude: 0 }, { latitude: 0, longitude: 180 }) / 1000).toBeCloseTo(20_015, 0);
  });

  it('turns distance and time into km/h, infinite for no time', () => {
    expect(kmh(1000, 60_000)).toBeCloseTo(60);
    expect(kmh(5, 0)).toBe(Infinity);
  });
});

describe('compareVersions', () => {
  it('orders dotted numeric versions and ignores suffixes', () => {
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(compareVersions('0.1.0-e2e', '0.1.0')).toBe(0);
    expect(compareVersions('1.2', '1.2.0')).toBe(0);
    expect(compareVersions('1.2.0', '1.2.1')).toBeLessThan(0);
    expect(compareVersions('garbage', '0.0.1')).toBeLessThan(0);
  });
});
