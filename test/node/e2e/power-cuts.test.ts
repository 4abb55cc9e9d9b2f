/**
 * A power cut at every storage write of a charge, against the real
 * authorizer on loopback: the terminal dies at write k (what the cut write
 * leaves: nothing, a torn temporary file, or the new value), boots again and
 * settles what it left. Afterwards money and goods agree: no payment captured
 * whose goods were not released, no payment doubled, no work left unsettled.
 *
 * The one place they can disagree is the commit point of a release
 * (docs/authorization.md, "Reversal"): a cut in the write that records the end
 * of the actuation, when that write is lost, leaves the goods released and the
 * payment reversed. The customer is never the one who pays for it, and the test
 * names that case instead of hiding it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStorage } from '../../../hal/sim/directory-storage';
import type { CutEffect } from '../../../hal/sim/power-switch';
import { FaultyProxy, type Fault } from '../../support/faulty-proxy';
import { bootTerminal, pay, startWorld, type World } from '../../support/e2e-world';

let world: World;
let proxy: FaultyProxy;

beforeAll(async () => {
  world = await startWorld();
  proxy = await FaultyProxy.start(world.authorizer.url);
});

afterAll(async () => {
  await proxy?.close();
  await world?.close();
});

interface Outcome {
  /** Payments the authorizer holds as taken (captured or held). */
  taken: number;
  /** Times the goods were released, over both lives of the terminal. */
  released: number;
  pendingAfter: number;
  reversals: number;
}

async function chargeDyingAt(name: string, k: number, cut: CutEffect, faults: Fault[]): Promise<Outcome & { writes: number }> {
  const dataDir = world.dir(name);
  (await bootTerminal({ url: proxy.url, dataDir })).hal.shutdown();
  const probe = await bootTerminal({ url: proxy.url, dataDir });
  probe.hal.shutdown();
  const bootWrites = (probe.hal.storage as DirectoryStorage).power.writes;
  const dying = await bootTerminal({ url: proxy.url, dataDir, powerCut: { atWrite: bootWrites + k, cut } });
  dying.hal.shutdown();
  proxy.faults.push(...faults);
  await pay(dying.terminal, world.wallet.code()).catch((error: { kind?: string }) => {
    if (error.kind !== 'storage') throw error;
  });
  proxy.faults.length = 0;
  const writes = (dying.hal.storage as DirectoryStorage).power.writes - bootWrites;
  const revived = await bootTerminal({ url: proxy.url, dataDir });
  revived.hal.shutdown();
  const id = revived.terminal.identity!.terminalId;
  const taken = world.authorizer.db.prepare(
    "SELECT COUNT(*) AS n FROM payments p JOIN requests r ON r.id = p.request_id WHERE r.terminal_id = ? AND p.state IN ('captured', 'pending')",
  ).get(id) as { n: number };
  const reversals = world.authorizer.db.prepare('SELECT COUNT(*) AS n FROM reversals WHERE terminal_id = ?').get(id) as { n: number };
  return {
    taken: taken.n,
    released: dying.hal.actuatorLine.pulses().length + revived.hal.actuatorLine.pulses().length,
    pendingAfter: revived.terminal.pendingWork().length,
    reversals: reversals.n,
    writes,
  };
}

const cases: { title: string; faults: Fault[] }[] = [
  { title: 'an approved charge', faults: [] },
  { title: 'a charge whose answers are all lost', faults: [{ kind: 'drop' }, { kind: 'drop' }, { kind: 'drop' }] },
];

describe('power cut at every storage write of a charge', () => {
  for (const { title, faults } of cases) {
    it(`${title}: money and goods agree after the reboot, whatever the write leaves`, async () => {
      // How many writes the charge makes when nothing goes wrong (the cut never comes).
      const whole = await chargeDyingAt(`${title}-whole`, 10_000, 'lost', faults);
      expect(whole.pendingAfter).toBe(0);
      expect(whole.writes).toBeGreaterThanOrEqual(4);
      const seen: string[] = [];
      for (let k = 1; k <= whole.writes; k++) {
        for (const cut of ['lost', 'torn', 'done'] as const) {
          const after = await chargeDyingAt(`${title}-${k}-${cut}`, k, cut, faults);
          const label = `write ${k}/${whole.writes} ${cut}`;
          seen.push(`${label}: taken ${after.taken}, released ${after.released}`);
          expect(after.pendingAfter, label).toBe(0);
          expect(after.taken, label).toBeLessThanOrEqual(1);
          expect(after.released, label).toBeLessThanOrEqual(1);
          expect(after.reversals, label).toBeLessThanOrEqual(1);
          // Never money without goods.
          expect(after.taken, label).toBeLessThanOrEqual(after.released);
          if (after.released > after.taken) {
            // Goods without money: only when the cut lost the write that commits a finished release (the last one).
            expect({ label, k, cut }).toEqual({ label, k: whole.writes, cut: cut === 'done' ? 'never' : cut });
          }
        }
      }
      expect(seen.length).toBe(whole.writes * 3);
    }, 120_000);
  }
});
