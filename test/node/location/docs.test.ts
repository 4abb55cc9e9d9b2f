/**
 * docs/location.md and the code agree: its test vectors give the samples it
 * shows, and its UERE table is the one the driver uses.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SerialOptions } from '../../../hal/serial';
import { NmeaLocationSensor, UERE_METRES } from '../../../src/location/index';
import { TestClock } from '../../support/test-clock';

const doc = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'location.md'), 'utf8');

function sampleOf(lines: string): unknown {
  let options: SerialOptions = {};
  let waiting: Uint8Array | undefined = Uint8Array.from(lines, (c) => c.charCodeAt(0));
  const sensor = new NmeaLocationSensor({
    clock: new TestClock(),
    serial: (opened) => {
      options = opened;
      return { read: () => { const w = waiting; waiting = undefined; return w?.buffer as ArrayBuffer | undefined; }, write: () => undefined, close: () => undefined };
    },
  });
  options.onReadable?.(lines.length);
  return sensor.sample();
}

function rounded(value: unknown): unknown {
  if (typeof value === 'number') return Math.round(value * 1e9) / 1e9;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)]));
  return value;
}

describe('docs/location.md', () => {
  const vectors = [...doc.matchAll(/```vector\n([\s\S]*?)\n=> (.*)\n```/g)];

  it('has test vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(4);
  });

  for (const [, lines, expected] of vectors) {
    it(`vector ${lines.split('\n')[0].slice(0, 40)}…`, () => {
      expect(rounded(sampleOf(lines.replace(/\n/g, '\r\n') + '\r\n'))).toEqual(rounded(JSON.parse(expected)));
    });
  }

  it('documents the UERE table the driver uses', () => {
    const rows = [...doc.matchAll(/^\| `([a-z0-9]+)`(?:, `([a-z0-9]+)`)? \| ([0-9.]+) \|/gm)];
    const documented: Record<string, number> = {};
    for (const [, a, b, value] of rows) {
      documented[a] = Number(value);
      if (b) documented[b] = Number(value);
    }
    const { none: _none, ...used } = UERE_METRES;
    expect(documented).toEqual(used);
  });
});
