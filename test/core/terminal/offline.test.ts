/**
 * Offline acceptance on the portable HAL (Node and XS): the terminal
 * approves on its own only within the signed limits, journals the signed
 * advice before the goods move, uploads it once, and a power cut at every
 * write of an offline approval and its upload loses nothing and releases
 * nothing twice.
 */
import { describe, expect, it } from 'vitest';
import { HalError } from '../../../hal/errors';
import type { ManualClock } from '../../../hal/portable/manual-clock';
import type { CodeChecker } from '../../../src/terminal/code-check';
import type { Decision } from '../../../src/terminal/decision';
import { createTerminal, type Terminal } from '../../../src/terminal/terminal';
import { cutAfter } from '../../support/power-cut-storage';
import { decode, encode } from '../../../src/codec/cbor';
import { parsePaymentCode } from '../../../src/paycode/parse';
import { hex } from '../../../src/paycode/hex';
import type { JournalDamage } from '../../../src/terminal/ledger';
import { makePaymentCode } from '../../../tools/wallet/wallet';
import { CounterEntropy, makeWorld } from '../paycode/world';
import { bench, testConfig, type Bench, untilSettled } from '../../support/terminal-fixture';

const limits = { floorLimit: 2500, maxCount: 3, maxTotal: 5000, maxPerCredential: 4000, maxListAge: 3_600_000 };
const down = () => new HalError('timeout', 'no answer');

/** Codes "OFF-<credential>-<n>" verify offline for their credential; "ONLINE-..." verify but allow no offline use. */
function offlineCodes(clock: ManualClock, listsAge = 60_000): CodeChecker {
  return {
    check(text) {
      const [kind, credential] = text.split('-');
      return {
        verdict: { status: 'verified', codeId: Uint8Array.of(text.length, 1, 2, 3) },
        decline: false,
        summary: 'test code',
        offline: { credential: `issuer/${credential}`, allowed: kind === 'OFF' },
      };
    },
    listsIssuedAt: () => clock.now() - listsAge,
  };
}

const settle = untilSettled;

async function started(b: Bench, codes = offlineCodes(b.clock)): Promise<Terminal> {
  b.authorizer.offlineLimits = limits;
  const terminal = createTerminal({ hal: b.hal, config: testConfig, codes });
  await terminal.start();
  return terminal;
}

/** Pays with the link down for the whole charge (nothing uploads or reverses meanwhile). */
async function payOffline(b: Bench, terminal: Terminal, code: string, amount = 450): Promise<Decision> {
  b.authorizer.unreachable = true;
  try {
    const pending = terminal.charge({ amount, currency: 'EUR', purpose: 'counter-sale', reference: 'o' });
    expect(terminal.present(code)).toBe(true);
    return await settle(b.clock, pending);
  } finally {
    b.authorizer.unreachable = false;
  }
}

describe('offline acceptance on the terminal', () => {
  it('approves within the limits, releases once, journals the signed advice and uploads it once', async () => {
    const b = bench();
    const terminal = await started(b);
    b.authorizer.adviceScript.push({ kind: 'fail', error: down() });
    const d = await payOffline(b, terminal, 'OFF-alice-1');
    expect(d).toMatchObject({ outcome: 'approved', reason: 'offline', actuated: true, offline: { accepted: true } });
    expect(b.actuator.holds).toHaveLength(1);
    expect(terminal.pendingWork()).toEqual([{ trace: d.trace, kind: 'offline' }]);
    const uploaded: string[] = [];
    terminal.on('offline-uploaded', (e) => uploaded.push(e.decision.outcome));
    expect(await settle(b.clock, terminal.settle())).toBe(1);
    expect(uploaded).toEqual([]);
    expect(await settle(b.clock, terminal.settle())).toBe(0);
    expect(uploaded).toEqual(['approved']);
    expect(b.authorizer.advices).toHaveLength(1);
    expect(b.authorizer.decided).toHaveLength(0);
    expect(await settle(b.clock, terminal.settle())).toBe(0);
    expect(b.authorizer.advices).toHaveLength(1);
  });

  it('refuses with a typed reason beyond each bound', async () => {
    const b = bench();
    const terminal = await started(b);
    expect((await payOffline(b, terminal, 'OFF-bob-1', 2501)).offline).toEqual({ accepted: false, reason: 'over-floor-limit' });
    expect((await payOffline(b, terminal, 'ONLINE-bob-2')).offline).toEqual({ accepted: false, reason: 'credential-not-offline' });
    for (const n of [3, 4]) expect((await payOffline(b, terminal, `OFF-carol-${n}`, 2000)).offline).toEqual({ accepted: true });
    expect((await payOffline(b, terminal, 'OFF-carol-5', 100)).offline).toEqual({ accepted: false, reason: 'over-credential-offline-limit' });
    expect((await payOffline(b, terminal, 'OFF-dave-6', 1001)).offline).toEqual({ accepted: false, reason: 'offline-journal-full' });
    expect((await payOffline(b, terminal, 'OFF-dave-7', 100)).offline).toEqual({ accepted: true });
    expect((await payOffline(b, terminal, 'OFF-erin-8', 100)).offline).toEqual({ accepted: false, reason: 'offline-journal-full' });
    expect(b.actuator.holds).toHaveLength(3);
  });

  it('refuses with lists older than the limit, and when the authorizer sent no offline limits', async () => {
    const b = bench();
    const terminal = await started(b, offlineCodes(b.clock, 3_600_001));
    expect((await payOffline(b, terminal, 'OFF-alice-1')).offline).toEqual({ accepted: false, reason: 'lists-too-old' });
    const c = bench();
    const plain = createTerminal({ hal: c.hal, config: testConfig, codes: offlineCodes(c.clock) });
    await plain.start();
    expect((await payOffline(c, plain, 'OFF-alice-1')).offline).toEqual({ accepted: false, reason: 'offline-disabled' });
  });
});

/** Three offline payments of three credentials, all journaled (the link down throughout). */
async function threeOffline(b: Bench, terminal: Terminal): Promise<number[]> {
  const traces: number[] = [];
  for (const who of ['alice', 'bob', 'carol']) {
    const d = await payOffline(b, terminal, `OFF-${who}-1`);
    expect(d.offline, who).toEqual({ accepted: true });
    traces.push(d.trace!);
  }
  return traces;
}

/** The sale items of the open batch, as the next close sends them (each trace once, or the close is out of balance). */
async function closedSales(b: Bench, terminal: Terminal): Promise<number[]> {
  await settle(b.clock, terminal.closeBatch());
  const close = b.authorizer.instructions[b.authorizer.instructions.length - 1];
  return close.batch!.items.filter((item) => item.kind === 'sale').map((item) => item.trace);
}

describe('offline limits and lists from the operator', () => {
  it('the limits the deny list carries replace the enrollment\'s, lower or higher; nothing else sets them', async () => {
    const b = bench();
    let listLimits: typeof limits | undefined = { ...limits, floorLimit: 300 };
    const codes = { ...offlineCodes(b.clock), offlineLimits: () => listLimits };
    const terminal = await started(b, codes);
    expect((await payOffline(b, terminal, 'OFF-alice-1', 301)).offline).toEqual({ accepted: false, reason: 'over-floor-limit' });
    expect((await payOffline(b, terminal, 'OFF-alice-2', 300)).offline).toEqual({ accepted: true });
    listLimits = { ...limits, floorLimit: 3000 };
    expect((await payOffline(b, terminal, 'OFF-bob-3', 2600)).offline).toEqual({ accepted: true });
    // A list without limits: the enrollment's (floor 25.00) apply again.
    listLimits = undefined;
    expect((await payOffline(b, terminal, 'OFF-carol-4', 2600)).offline).toEqual({ accepted: false, reason: 'over-floor-limit' });
  });

  it('a decision naming newer lists makes the terminal fetch them before the charge returns; current ones, not', async () => {
    const b = bench();
    const codes: CodeChecker = {
      ...offlineCodes(b.clock),
      listVersions: () => ({ trust: 5, deny: 7 }),
      installList: () => ({ ok: false, reason: 'malformed', detail: 'the stand-in authorizer serves no lists' }),
    };
    const terminal = await started(b, codes);
    const pay = async (code: string) => {
      const pending = terminal.charge({ amount: 100, currency: 'EUR', purpose: 'counter-sale', reference: 'l' });
      terminal.present(code);
      return settle(b.clock, pending);
    };
    const booted = b.authorizer.listFetches;
    b.authorizer.listVersions = { trust: 5, deny: 7 };
    expect((await pay('OFF-alice-1')).outcome).toBe('approved');
    expect(b.authorizer.listFetches).toBe(booted);
    b.authorizer.listVersions = { trust: 5, deny: 8 };
    expect((await pay('OFF-alice-2')).outcome).toBe('approved');
    expect(b.authorizer.listFetches).toBe(booted + 2);
  });
});

describe('offline acceptance: the upload in batches', () => {
  it('sends the whole journal as one signed batch and settles each entry on its own signed decision', async () => {
    const b = bench();
    const terminal = await started(b);
    const traces = await threeOffline(b, terminal);
    const uploaded: number[] = [];
    terminal.on('offline-uploaded', (e) => uploaded.push(e.trace));
    expect(await settle(b.clock, terminal.settle())).toBe(0);
    expect(b.authorizer.batches).toHaveLength(1);
    expect(uploaded).toEqual(traces);
    expect(await closedSales(b, terminal)).toEqual(traces);
  });

  it('a partly answered batch settles what it decided; the rest goes again with the next upload', async () => {
    const b = bench();
    const terminal = await started(b);
    const traces = await threeOffline(b, terminal);
    b.authorizer.adviceScript.push({ kind: 'partial', decided: 1 });
    expect(await settle(b.clock, terminal.settle())).toBe(2);
    expect(terminal.pendingWork()).toEqual(traces.slice(1).map((trace) => ({ trace, kind: 'offline' })));
    expect(await settle(b.clock, terminal.settle())).toBe(0);
    expect(b.authorizer.batches).toHaveLength(2);
    expect(await closedSales(b, terminal)).toEqual(traces);
  });

  it('an acknowledgement that is forged, garbled or for another batch settles nothing', async () => {
    const b = bench();
    const terminal = await started(b);
    const traces = await threeOffline(b, terminal);
    const genuine = b.authorizer.request.bind(b.authorizer);
    const tampered: ((body: Uint8Array) => Uint8Array)[] = [
      (body) => Uint8Array.from(body, (byte, i) => (i === body.length - 1 ? byte ^ 1 : byte)),
      (body) => body.subarray(0, body.length - 9),
      () => b.authorizer.batches.length > 1 ? b.authorizer.batches[0] : Uint8Array.of(0xa0),
    ];
    for (const tamper of tampered) {
      b.authorizer.request = async (request) => {
        const answer = await genuine(request);
        return request.url.endsWith('/v1/offline-batch') ? { ...answer, body: tamper(answer.body) } : answer;
      };
      expect(await settle(b.clock, terminal.settle())).toBe(3);
    }
    b.authorizer.request = genuine;
    expect(await settle(b.clock, terminal.settle())).toBe(0);
    expect(await closedSales(b, terminal)).toEqual(traces);
  });
});

describe('offline acceptance: a power cut at every write', () => {
  it('of an offline approval and its upload: released at most once, and uploaded (once) exactly when released', async () => {
    const commitCuts: number[] = [];
    for (let n = 1; n <= 9; n++) {
      const b = bench();
      b.authorizer.offlineLimits = limits;
      const power = cutAfter(b.storage);
      const board = bench(power.storage, b.clock, b.authorizer);
      const terminal = createTerminal({ hal: board.hal, config: testConfig, codes: offlineCodes(b.clock) });
      await terminal.start();
      power.arm(n);
      try {
        await payOffline(board, terminal, 'OFF-alice-1');
        await settle(b.clock, terminal.settle());
      } catch (error) {
        b.authorizer.unreachable = false;
        expect((error as { kind?: string }).kind, `write ${n}`).toBe('storage');
      }
      const rebooted = bench(b.storage, b.clock, b.authorizer);
      const revived = createTerminal({ hal: rebooted.hal, config: testConfig, codes: offlineCodes(b.clock) });
      await settle(b.clock, revived.start());
      expect(revived.pendingWork(), `write ${n}`).toEqual([]);
      const released = board.actuator.holds.length + rebooted.actuator.holds.length;
      expect(released, `write ${n}`).toBeLessThanOrEqual(1);
      expect(b.authorizer.decided, `write ${n}`).toHaveLength(0);
      // Uploaded only when released, once (the authorizer answers a second upload from its journal); else reversed.
      const uploads = new Set(b.authorizer.advices.map((a) => Array.from(a).join(','))).size;
      expect(uploads, `write ${n}`).toBeLessThanOrEqual(released);
      // Released but not uploaded: only when the cut lost the write that commits the release (then it is reversed).
      if (uploads < released) {
        commitCuts.push(n);
        expect(b.authorizer.reversals, `write ${n}`).toHaveLength(1);
      }
    }
    // The one commit point: the write after the actuator finished (trace, request, advice copy, offline-releasing, offline).
    expect(commitCuts).toEqual([5]);
  });
});

describe('offline acceptance: a power cut at every write of an upload', () => {
  it('loses no entry and settles each once: every payment is in the next close exactly once', async () => {
    const interrupted: number[] = [];
    for (let n = 1; n <= 6; n++) {
      const b = bench();
      const terminal = await started(b);
      const traces = await threeOffline(b, terminal);
      // The next boot uploads the journal (one batch); the power fails at its nth write.
      const power = cutAfter(b.storage);
      const board = bench(power.storage, b.clock, b.authorizer);
      const uploading = createTerminal({ hal: board.hal, config: testConfig, codes: offlineCodes(b.clock) });
      power.arm(n);
      await settle(b.clock, uploading.start()).catch((error: { kind?: string }) => expect(error.kind, `write ${n}`).toBe('storage'));
      const rebooted = bench(b.storage, b.clock, b.authorizer);
      const revived = createTerminal({ hal: rebooted.hal, config: testConfig, codes: offlineCodes(b.clock) });
      await settle(b.clock, revived.start());
      expect(revived.pendingWork(), `write ${n}`).toEqual([]);
      expect(await closedSales(rebooted, revived), `write ${n}`).toEqual(traces);
      if (b.authorizer.batches.length > 1) interrupted.push(n);
    }
    // The upload's writes are its three settlements: a cut at each of them left the rest to the next boot's batch.
    expect(interrupted).toEqual([1, 2, 3]);
  });
});

describe('offline acceptance: a damaged journal entry on flash', () => {
  /** Real payment codes of one credential; the stand-in checker names the credential as the verifier does. */
  function realCodes(b: Bench) {
    const world = makeWorld('EdDSA');
    const entropy = new CounterEntropy(7);
    const codes: CodeChecker = {
      check(text) {
        const { credential, codeId } = parsePaymentCode(text);
        return {
          verdict: { status: 'verified', codeId },
          decline: false,
          summary: 'test code',
          offline: { credential: `${hex(credential.issuerKid)}/${hex(credential.credentialId)}`, allowed: true },
        };
      },
      listsIssuedAt: () => b.clock.now() - 60_000,
    };
    return { codes, next: () => makePaymentCode(world.credential, world.device, { clock: b.clock, entropy }).text };
  }

  it('is reported with what is wrong; rebuilt from its signed advice when that is intact, else kept; nothing else is lost', async () => {
    const b = bench();
    const { codes, next } = realCodes(b);
    b.authorizer.offlineLimits = limits;
    const terminal = createTerminal({ hal: b.hal, config: testConfig, codes });
    await terminal.start();
    const traces: number[] = [];
    for (let i = 0; i < 3; i++) traces.push((await payOffline(b, terminal, next())).trace!);
    expect(traces).toHaveLength(3);
    const flash = b.storage.open({ path: 'qrpay' });
    const key = (trace: number) => `w.${trace.toString(36)}`;
    // 1: its amount rewritten (the check no longer matches); 2: cut short; 3: a byte of its advice's signature
    // flipped, and its copy's too.
    const first = decode(flash.read(key(traces[0]))!) as Map<number, unknown>;
    first.set(4, 1);
    flash.write(key(traces[0]), encode(first as never));
    const second = flash.read(key(traces[1]))!;
    flash.write(key(traces[1]), second.subarray(0, second.length - 20));
    const third = decode(flash.read(key(traces[2]))!) as Map<number, unknown>;
    const advice = third.get(2) as Uint8Array;
    third.set(2, Uint8Array.from(advice, (byte, i) => (i === advice.length - 1 ? byte ^ 1 : byte)));
    const flipped = encode(third as never);
    flash.write(key(traces[2]), flipped);
    const copy = `a.${traces[2].toString(36)}`;
    const copied = flash.read(copy)!;
    flash.write(copy, Uint8Array.from(copied, (byte, i) => (i === copied.length - 1 ? byte ^ 1 : byte)));

    const reported: JournalDamage[] = [];
    terminal.on('journal-damaged', (e) => reported.push(e));
    expect(await settle(b.clock, terminal.settle())).toBe(1);
    expect(reported).toEqual([
      { key: key(traces[0]), trace: traces[0], problem: 'tampered', repaired: true },
      { key: key(traces[1]), trace: traces[1], problem: 'truncated', repaired: true },
      { key: key(traces[2]), trace: traces[2], problem: 'tampered', repaired: false, stored: flipped },
    ]);
    // Kept byte for byte (and its copy), listed as work nobody finished, reported again at the next settle.
    expect(flash.read(key(traces[2]))).toEqual(flipped);
    expect(flash.read(copy)).toBeDefined();
    expect(terminal.pendingWork()).toEqual([{ trace: traces[2], kind: 'damaged' }]);
    // The repaired ones (from the entry's advice, from the copy) were uploaded with their real amounts, from the signed requests.
    expect(await closedSales(b, terminal)).toEqual([traces[0], traces[1]]);
    expect(b.authorizer.instructions[b.authorizer.instructions.length - 1].batch!.items.map((item) => item.amount)).toEqual([450, 450]);
    // Uploaded: their copies are gone.
    expect(flash.keys().filter((k) => k.startsWith('a.'))).toEqual([copy]);
    // Offline acceptance stops while the journal holds what the terminal cannot read.
    expect((await payOffline(b, terminal, next())).offline).toEqual({ accepted: false, reason: 'journal-damaged' });
    expect(reported.length).toBeGreaterThan(3);
    // The operator took the bytes: the host discards the entries, and offline acceptance resumes.
    expect(terminal.discardDamaged(key(traces[0]))).toBe(false);
    expect(terminal.discardDamaged(key(traces[1]))).toBe(false);
    expect(terminal.discardDamaged(key(traces[2]))).toBe(true);
    expect(terminal.discardDamaged(key(traces[2]))).toBe(false);
    expect(terminal.pendingWork().filter((work) => work.kind === 'damaged')).toEqual([]);
    expect((await payOffline(b, terminal, next())).offline).toEqual({ accepted: true });
  });
});
