export interface Place {
  latitude: number;
  longitude: number;
}

/** Great-circle distance (haversine on a 6 371 km sphere), metres: plenty for "too far, too fast". */
export function metresBetween(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6_371_000 * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** km/h needed to cover `metres` in `ms`; Infinity for no time at all. */
export function kmh(metres: number, ms: number): number {
  return ms <= 0 ? Infinity : (metres / 1000) / (ms / 3_600_000);
}
