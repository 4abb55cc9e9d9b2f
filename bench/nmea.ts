/**
 * NMEA benchmark: instructions per sentence on XS (cachegrind, deterministic)
 * beside V8 time per sentence. Run: npx tsx bench/nmea.ts
 * The epoch case is one second of a u-blox M8N's output: at the brief's 0.1–0.2 G
 * instructions per second for an ESP32-S3 it gives the driver's share of the CPU.
 */
import { join } from 'node:path';
import { formatCount, printTable, v8MillisPerOp, xsInstructionsPerOp } from './measure';

const cases = [
  { name: 'sentence through the driver (u-blox mix)', path: join(import.meta.dirname, 'cases', 'nmea-sentence.ts'), reps: 2000 },
  { name: 'one second of u-blox output (an epoch)', path: join(import.meta.dirname, 'cases', 'nmea-epoch.ts'), reps: 200 },
  { name: 'parse one GGA body', path: join(import.meta.dirname, 'cases', 'nmea-parse-gga.ts'), reps: 2000 },
];

const rows: (string | number)[][] = [];
for (const c of cases) {
  const xs = await xsInstructionsPerOp(c.path, { reps: c.reps, warmup: 50 });
  const v8 = await v8MillisPerOp(c.path, { reps: 20_000, warmup: 2000 });
  rows.push([c.name, formatCount(xs), `${(v8 * 1000).toFixed(2)} µs`]);
}
printTable('NMEA (XS instructions per op, V8 median time per op)', ['case', 'XS instructions', 'V8 time'], rows);
