/**
 * End to end with things going wrong between the terminal and the authorizer:
 * forged, mismatched, replayed and garbled decisions; the authorizer down,
 * slow, or answering the same request twice; a power cut on the terminal
 * between reserving a trace number and sending the request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryStorage } from '../../../hal/sim/directory-storage';
import { readDecision, signDecision } from '../../../src/authorization/decision';
import { es256Key } from '../../../tools/authorizer/keys';
import { FaultyProxy } from '../../support/faulty-proxy';
import { bootTerminal, journal, pay, startWorld, type Booted, type World } from '../../support/e2e-world';

let world: World;
let proxy: FaultyProxy;
let terminal: Booted;
const forger = es256Key(new Uint8Array(32).fill(7));

beforeAll(async () => {
  world = await startWorld();
  proxy = await FaultyProxy.start(world.authorizer.url);
  terminal = await bootTerminal({ url: proxy.url, dataDir: world.dir('terminal') });
});

afterAll(async () => {
  terminal?.hal.shutdown();
  await proxy?.close();
  await world?.close();
});

function rowsFor(trace: number) {
  return journal(world).filter((r) => r.trace === trace && r.terminal_id === terminal.terminal.identity!.terminalId);
}

describe('e2e: decisions the terminal must not act on', () => {
  it('a forged decision counts as no answer; the retry gets the real one', async () => {
    proxy.faults.push({ kind: 'rewrite', answer: (upstream) => signDecision(readDecision(upstream), forger) });
    const decision = await pay(terminal.terminal, world.wallet.code());
    expect(decision).toMatchObject({ outcome: 'approved', actuated: true });
    expect(decision.failures.map((f) => f.reason)).toEqual(['bad-signature']);
    expect(proxy.requests.at(-1)).toEqual(proxy.requests.at(-2));
    expect(rowsFor(decision.trace!).map((r) => r.retry_of === null)).toEqual([true, false]);
  });

  it('forged, replayed and mismatched decisions on every attempt leave the goods locked, and the terminal reverses the capture it never heard of', async () => {
    const victim = await bootTerminal({ url: proxy.url, dataDir: world.dir('victim') });
    victim.hal.shutdown();
    const earlier = (await pay(victim.terminal, world.wallet.code())).signed!;
    const other = await bootTerminal({ url: world.authorizer.url, dataDir: world.dir('other') });
    other.hal.shutdown();
    const othersDecision = (await pay(other.terminal, world.wallet.code())).signed!;
    proxy.faults.push(
      { kind: 'rewrite', answer: (upstream) => signDecision(readDecision(upstream), forger) },
      { kind: 'rewrite', answer: () => earlier },
      { kind: 'rewrite', answer: () => othersDecision },
    );
    const decision = await pay(victim.terminal, world.wallet.code());
    expect(decision).toMatchObject({ outcome: 'no-answer', source: 'terminal', actuated: false });
    expect(decision.failures.map((f) => f.reason)).toEqual(['bad-signature', 'wrong-request', 'wrong-request']);
    expect(victim.hal.actuatorLine.pulses()).toHaveLength(1);

    // The authorizer did approve it (the terminal never heard): the terminal reversed it at once, and the capture is voided.
    expect(decision.reversal).toEqual({ reason: 'no-answer', state: 'acknowledged', effect: 'voided' });
    const id = victim.terminal.identity!.terminalId;
    const voided = world.authorizer.db.prepare(
      "SELECT p.state FROM payments p JOIN requests r ON r.id = p.request_id WHERE r.terminal_id = ? AND r.trace = ?",
    ).get(id, decision.trace) as { state: string };
    expect(voided.state).toBe('voided');
    const next = await pay(victim.terminal, world.wallet.code());
    expect(next).toMatchObject({ outcome: 'approved', actuated: true, trace: decision.trace! + 1 });
    expect(victim.hal.actuatorLine.pulses()).toHaveLength(2);
  });

  it('a garbled decision counts as no answer', async () => {
    proxy.faults.push({
      kind: 'rewrite',
      answer: (upstream) => {
        const bent = upstream.slice();
        bent[bent.length - 10] ^= 0x40;
        return bent;
      },
    });
    const decision = await pay(terminal.terminal, world.wallet.code());
    expect(decision).toMatchObject({ outcome: 'approved', actuated: true });
    expect(['garbled', 'bad-signature']).toContain(decision.failures[0].reason);
  });
});

describe('e2e: an unreliable authorizer', () => {
  it('down: no answer, nothing fires, and the trace number is not reused', async () => {
    const down = await bootTerminal({ url: world.authorizer.url, dataDir: world.dir('lonely') });
    down.hal.shutdown();
    const first = await pay(down.terminal, world.wallet.code());
    const closed = await bootTerminal({ url: 'http://127.0.0.1:9', dataDir: world.dir('lonely') });
    closed.hal.shutdown();
    const decision = await pay(closed.terminal, world.wallet.code());
    expect(decision).toMatchObject({ outcome: 'no-answer', reason: 'refused', actuated: false, trace: first.trace! + 1 });
    expect(decision.failures).toHaveLength(3);
    expect(closed.hal.actuatorLine.pulses()).toHaveLength(0);
  });

  it('slow: the retry is answered with the decision already made, and the goods move once', async () => {
    proxy.faults.push({ kind: 'delay', ms: 700 });
    const before = terminal.hal.actuatorLine.pulses().length;
    const decision = await pay(terminal.terminal, world.wallet.code());
    expect(decision).toMatchObject({ outcome: 'approved', actuated: true });
    expect(decision.failures.map((f) => f.reason)).toEqual(['timeout']);
    const rows = rowsFor(decision.trace!);
    expect(rows).toHaveLength(2);
    expect(rows[1].retry_of).toBe(rows[0].id);
    expect(rows.filter((r) => r.outcome !== null)).toHaveLength(1);
    expect(proxy.upstreamAnswers.at(-1)).toEqual(proxy.upstreamAnswers.at(-2));
    await new Promise((resolve) => setTimeout(resolve, 800)); // the late first answer arrives and must change nothing
    expect(terminal.hal.actuatorLine.pulses().length).toBe(before + 1);
  });

  it('answering twice: the same request decided once, answered identically, acted on once', async () => {
    proxy.faults.push({ kind: 'duplicate' });
    const before = terminal.hal.actuatorLine.pulses().length;
    const decision = await pay(terminal.terminal, world.wallet.code());
    expect(decision).toMatchObject({ outcome: 'approved', actuated: true, failures: [] });
    const rows = rowsFor(decision.trace!);
    expect(rows).toHaveLength(2);
    expect(rows.filter((r) => r.outcome !== null)).toHaveLength(1);
    expect(terminal.hal.actuatorLine.pulses().length).toBe(before + 1);
  });

  it('a connection dropped after the decision: the retry recovers it', async () => {
    proxy.faults.push({ kind: 'drop' });
    const decision = await pay(terminal.terminal, world.wallet.code());
    expect(decision).toMatchObject({ outcome: 'approved', actuated: true });
    expect(decision.failures.map((f) => f.reason)).toEqual(['reset']);
  });
});

describe('e2e: power cut between reserving a trace number and sending', () => {
  // What the cut write leaves: nothing (lost), a temporary file never renamed (torn), or the new value (done).
  for (const cut of ['lost', 'torn', 'done'] as const) {
    it(`never reuses a trace number and never fires twice (${cut})`, async () => {
      const dataDir = world.dir(`power-${cut}`);
      const first = await bootTerminal({ url: world.authorizer.url, dataDir });
      const approved = await pay(first.terminal, world.wallet.code());
      first.hal.shutdown();
      expect(approved.outcome).toBe('approved');
      // Count the writes a reboot makes before a charge, then cut at the charge's second write:
      // the first records the code in the replay cache, the second reserves the trace number.
      const probe = await bootTerminal({ url: world.authorizer.url, dataDir });
      probe.hal.shutdown();
      const bootWrites = (probe.hal.storage as DirectoryStorage).power.writes;
      const dying = await bootTerminal({ url: world.authorizer.url, dataDir, powerCut: { atWrite: bootWrites + 2, cut } });
      dying.hal.shutdown();
      const requestsBefore = journal(world).length;
      await expect(pay(dying.terminal, world.wallet.code())).rejects.toMatchObject({ kind: 'storage' });
      expect(dying.hal.storage.power.off).toBe(true);
      expect(journal(world).length).toBe(requestsBefore);

      const revived = await bootTerminal({ url: world.authorizer.url, dataDir });
      revived.hal.shutdown();
      const after = await pay(revived.terminal, world.wallet.code());
      expect(after).toMatchObject({ outcome: 'approved', actuated: true });
      // A landed write skips the reserved number; a lost or torn one leaves it unused. Either way it is never sent twice.
      expect(after.trace).toBe(approved.trace! + (cut === 'done' ? 2 : 1));
      const traces = journal(world).filter((r) => r.terminal_id === revived.terminal.identity!.terminalId).map((r) => r.trace);
      expect(traces).toEqual([approved.trace, after.trace]);
      expect(first.hal.actuatorLine.pulses().length + dying.hal.actuatorLine.pulses().length + revived.hal.actuatorLine.pulses().length).toBe(2);
    });
  }

  it('a cut after the approval, before the release is recorded: nothing released, and the next boot voids the capture', async () => {
    const dataDir = world.dir('power-after');
    const enrolled = await bootTerminal({ url: world.authorizer.url, dataDir });
    enrolled.hal.shutdown();
    // Count what a reboot writes; then a charge writes: replay slot, trace number, the request, "releasing".
    const again = await bootTerminal({ url: world.authorizer.url, dataDir });
    again.hal.shutdown();
    const rebootWrites = (again.hal.storage as DirectoryStorage).power.writes;
    const dying = await bootTerminal({ url: world.authorizer.url, dataDir, powerCut: { atWrite: rebootWrites + 4, cut: 'lost' } });
    dying.hal.shutdown();
    await expect(pay(dying.terminal, world.wallet.code())).rejects.toMatchObject({ kind: 'storage' });
    expect(dying.hal.actuatorLine.pulses()).toHaveLength(0);

    const revived = await bootTerminal({ url: world.authorizer.url, dataDir });
    revived.hal.shutdown();
    const id = revived.terminal.identity!.terminalId;
    const rows = journal(world).filter((r) => r.terminal_id === id);
    // The request was approved once; the boot never resent it, it reversed it: the capture is voided.
    expect(rows.map((r) => [r.trace, r.outcome])).toEqual([[1, 'approved']]);
    const payment = world.authorizer.db.prepare('SELECT state FROM payments WHERE request_id = ?').get(rows[0].id) as { state: string };
    expect(payment.state).toBe('voided');
    expect(revived.terminal.pendingWork()).toEqual([]);
    expect(revived.hal.actuatorLine.pulses()).toHaveLength(0);
  });
});
