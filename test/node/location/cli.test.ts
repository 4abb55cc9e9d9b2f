import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { render, run } from '../../../tools/gnss/gnss';
import { replayLog } from '../../../tools/gnss/replay';

const log = join(import.meta.dirname, '..', '..', 'fixtures', 'atgm336h-sydney-tunnel.nmea');

describe('qrpay gnss', () => {
  it('prints one JSON object a line: the sample fields and the UTC time', () => {
    const lines = render(replayLog(readFileSync(log, 'latin1')), true).map((l) => JSON.parse(l));
    expect(lines[0]).toEqual({ at: 0, utc: null, status: 'absent', fix: 'none', satellites: 0 });
    const midnight = lines.find((l) => l.utc === '2026-11-03T00:00:00.000Z');
    expect(midnight).toMatchObject({ status: 'fix', fix: '3d' });
    expect(midnight.timestamp).toBe(Date.UTC(2026, 10, 3));
    expect(midnight.latitude).toBeLessThan(-33.8);
    expect(midnight.longitude).toBeGreaterThan(151.2);
    const statuses = lines.map((l) => l.status);
    expect(statuses.indexOf('stale')).toBeGreaterThan(statuses.indexOf('fix'));
    expect(statuses.lastIndexOf('fix')).toBeGreaterThan(statuses.indexOf('stale'));
  });

  it('runs from the command line and refuses bad options', async () => {
    const out = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(await run([log])).toBe(0);
      expect(out.mock.calls.some(([line]) => String(line).includes('stale'))).toBe(true);
      expect(String(err.mock.calls[err.mock.calls.length - 1][0])).toMatch(/accepted GGA 70/);
      expect(await run([])).toBe(2);
      expect(await run([log, '--max-age', 'soon'])).toBe(2);
      expect(await run([log, '--frobnicate'])).toBe(2);
      expect(await run(['/no/such/file.nmea'])).toBe(1);
      expect(await run(['--help'])).toBe(0);
    } finally {
      out.mockRestore();
      err.mockRestore();
    }
  });
});
