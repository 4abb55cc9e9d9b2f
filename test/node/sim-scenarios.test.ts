/**
 * Every scenario of `qrpay sim`, one click each, on the real components (the
 * authorizer and SQLite, terminals on the simulator board, the phone's wallet),
 * without the browser: what each one ends in, as the terminals decided it and
 * as the authorizer recorded it (outcome, state, the factors that fired).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimEvent } from '../../tools/sim/bus';
import { Sim } from '../../tools/sim/sim';

let sim: Sim;
const events: SimEvent[] = [];

beforeAll(async () => {
  sim = await Sim.start({ terminals: 2 });
  sim.bus.subscribe((event) => events.push(event));
}, 60_000);

afterAll(async () => {
  await sim?.close();
});

/** The newest request the authorizer recorded, with the factors of its decision. */
async function newest() {
  const [row] = await sim.operator.transactions({ limit: 1 });
  const detail = await sim.operator.decision(row.id);
  return { ...row, factors: (detail?.assessment?.factors ?? []).map((f) => `${f.name} +${f.points}`) };
}

function decisions(since: number) {
  return events.slice(since).filter((e) => e.type === 'decision').map((e) => e.data as { terminal: string; outcome: string; reason: string; source: string; actuated: boolean });
}

describe('qrpay sim scenarios', () => {
  it('pay: approved by the authorizer, the relay held once, both channels told', async () => {
    expect(await sim.scenario('pay')).toBe('approved (approved), relay fired');
    expect(sim.stations[0].hal.actuatorLine.pulses()).toHaveLength(1);
    expect(await newest()).toMatchObject({ outcome: 'approved', state: 'captured', amount: 450 });
    const told = () => new Set(events.filter((e) => e.type === 'notification' && (e.data as { kind: string }).kind === 'payment').map((e) => (e.data as { channel: string }).channel));
    const deadline = Date.now() + 10_000;
    while (told().size < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect([...told()].sort()).toEqual(['message', 'wallet-push']);
  });

  it('clock skew: a terminal that knows the authorizer\'s time refuses to judge codes with a clock 3 min fast', async () => {
    const from = events.length;
    expect(await sim.scenario('clock-skew')).toBe('declined (clock-skew), relay stayed off');
    expect(events.slice(from).some((e) => e.type === 'clock-skew')).toBe(true);
    // The clock put right, the next payment goes through.
    expect(await sim.scenario('pay')).toBe('approved (approved), relay fired');
  });

  it('copied, forged and expired codes are declined, each with its reason', async () => {
    expect(await sim.scenario('copied-code')).toBe('original: approved (approved), relay fired; copy at kiosk: declined (replayed), relay stayed off');
    expect(await newest()).toMatchObject({ outcome: 'declined', reason: 'replayed' });
    const from = events.length;
    expect(await sim.scenario('forged-signature')).toBe('declined (bad-code-signature), relay stayed off');
    expect(await sim.scenario('expired-code')).toBe('declined (expired), relay stayed off');
    expect(decisions(from).map((d) => d.source)).toEqual(['terminal', 'terminal']);
  });

  it('stale and absent GPS: the requests say so and the authorizer counts the factor', async () => {
    expect(await sim.scenario('gps-stale')).toBe('approved (approved), relay fired');
    expect((await newest()).factors).toContain('location-stale +15');
    expect(await sim.scenario('gps-absent')).toBe('approved (approved), relay fired');
    expect((await newest()).factors).toContain('location-absent +10');
  }, 30_000);

  it('network down and back: accepted offline, then uploaded and approved', async () => {
    expect(await sim.scenario('network')).toBe('offline: approved (offline), relay fired; link back, uploaded: approved (approved); 0 item(s) still waiting');
  });

  it('authorizer slow: approved, the send stage as long as the answer took', async () => {
    const from = events.length;
    expect(await sim.scenario('authorizer-slow')).toBe('approved (approved), relay fired');
    const stages = events.slice(from).filter((e) => e.type === 'stages' && e.key === 'counter').pop()!.data as { name: string; ms: number }[];
    expect(stages.find((s) => s.name === 'send')!.ms).toBeGreaterThanOrEqual(2500);
  });

  it('power cut after the approval, before the relay: nothing released, the request reversed at reboot', async () => {
    const summary = await sim.scenario('power-cut');
    expect(summary).toMatch(/^power lost mid-payment \(.*power was cut.*\); reversed at boot: voided; relay pulses: 0$/);
    expect(await newest()).toMatchObject({ outcome: 'approved', state: 'voided' });
    // The page's timeline ends at the cut: the actuate stage began and was closed, none left running.
    const stages = events.filter((e) => e.type === 'stages' && e.key === 'counter').pop()!.data as { name: string; ms: number | null }[];
    expect(stages.map((s) => s.name)).toEqual(['scan', 'verify', 'sign', 'send', 'verify decision', 'actuate']);
    expect(stages.filter((s) => s.ms === null)).toEqual([]);
  }, 30_000);

  it('hold: the terminal off its site is accepted with the funds held; the operator releases them', async () => {
    expect(await sim.scenario('hold')).toBe('kiosk: held (held-for-review), relay fired');
    const held = await newest();
    expect(held).toMatchObject({ outcome: 'held', state: 'pending' });
    expect(held.factors).toContain('terminal-off-site +40');
    await sim.operator.review(held.id, 'release');
    expect((await sim.operator.transactions({ limit: 1 }))[0].state).toBe('captured');
  });

  it('step-up: the phone is asked, the customer confirms, the final approval moves the goods', async () => {
    const done = sim.scenario('step-up');
    const deadline = Date.now() + 10_000;
    while (!events.some((e) => e.type === 'step-up-pending' && e.data !== null)) {
      if (Date.now() > deadline) throw new Error('no step-up reached the phone');
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await sim.phone.answer(true)).status).toBe(200);
    expect(await done).toBe('60.00: approved (approved), relay fired');
    expect((await newest()).factors).toContain('amount-unusual +40');
  });

  it('report and refund: the reported payment is credited, a new credential pays, the operator refunds part of it', async () => {
    expect(await sim.scenario('report-refund')).toBe('4.50 approved (approved), relay fired, reported: disputed; new credential; 12.00 approved (approved), relay fired, operator refund of 5.00: done');
  });

  it('freeze by a trusted contact: the contact\'s own key freezes the account, the next payment is declined', async () => {
    expect(await sim.scenario('contact-freeze')).toBe('contact named, account frozen by the contact; next payment: declined (frozen), relay stayed off (unfreeze in the operator panel)');
    expect(await sim.unfreeze(sim.phone.account)).toBe(true);
    expect(await sim.scenario('pay')).toBe('approved (approved), relay fired');
  });

  it('one scenario at a time, and unknown ones are refused', async () => {
    const running = sim.scenario('pay');
    await expect(sim.scenario('pay')).rejects.toThrow('scenario pay is still running');
    await running;
    await expect(sim.scenario('nope')).rejects.toThrow('no scenario nope');
  });

  it('every event type the scenarios produced is described in docs/sim.md', () => {
    const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'sim.md'), 'utf8');
    const types = [...new Set(events.map((e) => e.type))].sort();
    expect(types.length).toBeGreaterThan(25);
    expect(types.filter((type) => !doc.includes(`\`${type}\``))).toEqual([]);
  });
});
