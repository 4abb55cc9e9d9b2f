/**
 * End to end on loopback: simulated terminals, the real authorizer with its
 * SQLite database, a wallet's real payment codes.
 */
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeHttpClient } from '../../../hal/sim/http';
import { readDecision } from '../../../src/authorization/decision';
import { signRequest } from '../../../src/authorization/request';
import { bootTerminal, bootTerminalWithGnss, coffee, journal, pay, startWorld, Wallet, type Booted, type World } from '../../support/e2e-world';

let world: World;
let counter: Booted;

beforeAll(async () => {
  world = await startWorld();
  counter = await bootTerminal({ url: world.authorizer.url, dataDir: world.dir('counter') });
});

afterAll(async () => {
  counter?.hal.shutdown();
  await world?.close();
});

describe('e2e: approval', () => {
  it('approves a genuine code, verifies the signed decision and fires the actuator once', async () => {
    const fired: number[] = [];
    counter.terminal.on('actuated', (e) => fired.push(e.trace));
    const decision = await pay(counter.terminal, world.wallet.code());
    expect(decision).toMatchObject({ outcome: 'approved', source: 'authorizer', actuated: true, failures: [] });
    expect(decision.approvalCode).toMatch(/^[A-Z0-9]{6}$/);
    expect(fired).toEqual([decision.trace]);
    expect(counter.hal.actuatorLine.pulses()).toHaveLength(1);
    const row = journal(world).find((r) => r.trace === decision.trace && r.terminal_id === counter.terminal.identity!.terminalId);
    expect(row).toMatchObject({ outcome: 'approved', reason: 'approved', retry_of: null });
    // What the terminal kept is byte for byte what the authorizer stored.
    const stored = world.authorizer.db.prepare('SELECT d.decision FROM decisions d JOIN requests r ON r.id = d.request_id WHERE r.trace = ? AND r.terminal_id = ?')
      .get(decision.trace, counter.terminal.identity!.terminalId) as { decision: Uint8Array };
    expect(new Uint8Array(stored.decision)).toEqual(decision.signed);
  });
});

describe('e2e: forged customer signature', () => {
  it('is declined on the terminal without a request', async () => {
    const before = journal(world).length;
    const decision = await pay(counter.terminal, world.wallet.forgedCode());
    expect(decision).toMatchObject({ outcome: 'declined', reason: 'bad-code-signature', source: 'terminal', actuated: false });
    expect(journal(world).length).toBe(before);
  });

  it('is declined by the authorizer when a terminal forwards it anyway', async () => {
    // A terminal whose firmware was tampered with to forward what it should decline.
    const { hal, terminal } = await bootTerminal({ url: world.authorizer.url, dataDir: world.dir('rogue') });
    hal.shutdown();
    const identity = terminal.identity!;
    const bytes = signRequest(
      {
        ...coffee,
        terminalId: identity.terminalId,
        trace: 7,
        localTime: Date.now(),
        location: { status: 'absent', fix: 'none', satellites: 0, reason: 'no-receiver' },
        paymentCode: world.wallet.forgedCode(),
        verdict: { status: 'verified' },
        firmware: 'tampered',
      },
      { alg: identity.key.alg, sign: (m) => hal.keystore.sign('terminal', m) },
    );
    const response = await new NodeHttpClient().request({
      method: 'POST', url: `${world.authorizer.url}/v1/authorize`, headers: { 'content-type': 'application/cose' }, body: bytes, timeout: 2000,
    });
    expect(readDecision(response.body)).toMatchObject({ outcome: 'declined', reason: 'bad-code-signature', trace: 7 });
  });
});

describe('e2e: copied code', () => {
  it('is declined as a replay at the same terminal', async () => {
    const code = world.wallet.code();
    expect((await pay(counter.terminal, code)).outcome).toBe('approved');
    const copy = await pay(counter.terminal, code);
    expect(copy).toMatchObject({ outcome: 'declined', reason: 'replayed', actuated: false });
  });

  it('is declined as a replay by the authorizer at a second terminal', async () => {
    const other = await bootTerminal({ url: world.authorizer.url, dataDir: world.dir('kiosk') });
    try {
      expect(other.terminal.identity!.terminalId).not.toBe(counter.terminal.identity!.terminalId);
      const code = world.wallet.code();
      expect((await pay(counter.terminal, code)).outcome).toBe('approved');
      const copy = await pay(other.terminal, code);
      expect(copy).toMatchObject({ outcome: 'declined', reason: 'replayed', source: 'authorizer', actuated: false });
      expect(other.hal.actuatorLine.pulses()).toHaveLength(0);
    } finally {
      other.hal.shutdown();
    }
  });
});

describe('e2e: lists and location', () => {
  it('a new issuer: forwarded with the terminal\'s doubt, approved by the authorizer, whose decision says a newer trust list exists: fetched at once', async () => {
    const newcomer = new Wallet();
    await world.authorizer.trustIssuer({ alg: newcomer.issuer.alg, kid: newcomer.issuer.kid, publicKey: newcomer.issuer.publicKey });
    const checked: string[] = [];
    const off = counter.terminal.on('code-checked', (e) => checked.push(e.verdict.reason ?? e.verdict.status));
    try {
      const first = await pay(counter.terminal, newcomer.code());
      expect(first).toMatchObject({ outcome: 'approved', source: 'authorizer' });
      // Fetched before the charge returned: nothing newer is left to fetch.
      const refreshed = await counter.terminal.refreshLists();
      expect(refreshed.trust).toMatchObject({ ok: false, reason: 'not-newer' });
      expect(refreshed.deny).toMatchObject({ ok: false, reason: 'not-newer' });
      expect((await pay(counter.terminal, newcomer.code())).outcome).toBe('approved');
      expect(checked).toEqual(['unknown-issuer', 'verified']);
    } finally {
      off();
    }
  });

  it('the request carries the GNSS fix, and the authorizer records it', async () => {
    const { hal, terminal, location } = await bootTerminalWithGnss(world, 'bike-gps');
    try {
      const decision = await pay(terminal, world.wallet.code(), { amount: 150, currency: 'EUR', purpose: 'bike-unlock', reference: 'ride-1' });
      expect(decision.outcome).toBe('approved');
      const row = world.authorizer.db.prepare('SELECT location_status, latitude, longitude FROM requests WHERE terminal_id = ? AND trace = ?')
        .get(terminal.identity!.terminalId, decision.trace) as { location_status: string; latitude: number; longitude: number };
      expect(row.location_status).toBe('fix');
      expect(Math.abs(row.latitude - 48.8675)).toBeLessThan(0.001);
      expect(Math.abs(row.longitude - 2.3638)).toBeLessThan(0.001);
    } finally {
      location.close();
      hal.shutdown();
    }
  });
});

describe('e2e: a terminal whose storage was wiped but whose key survived', () => {
  it('enrolls again as itself and continues above its old trace numbers', async () => {
    const dataDir = world.dir('wiped');
    const before = await bootTerminal({ url: world.authorizer.url, dataDir });
    before.hal.shutdown();
    expect((await pay(before.terminal, world.wallet.code())).trace).toBe(1);
    expect((await pay(before.terminal, world.wallet.code())).trace).toBe(2);
    rmSync(join(dataDir, 'storage'), { recursive: true });
    const after = await bootTerminal({ url: world.authorizer.url, dataDir });
    after.hal.shutdown();
    expect(after.terminal.identity!.terminalId).toBe(before.terminal.identity!.terminalId);
    expect(await pay(after.terminal, world.wallet.code())).toMatchObject({ outcome: 'approved', trace: 3 });
  });
});

describe('e2e: cloned terminal', () => {
  it('declines requests that reuse trace numbers under the same key', async () => {
    const original = await bootTerminal({ url: world.authorizer.url, dataDir: world.dir('bike-1') });
    // The clone: a byte-for-byte copy of the terminal's flash and key, taken now.
    cpSync(world.dir('bike-1'), world.dir('bike-1-clone'), { recursive: true });
    const clone = await bootTerminal({ url: world.authorizer.url, dataDir: world.dir('bike-1-clone') });
    try {
      expect(clone.terminal.identity!.terminalId).toBe(original.terminal.identity!.terminalId);
      const first = await pay(original.terminal, world.wallet.code());
      expect(first).toMatchObject({ outcome: 'approved', trace: 1 });
      const cloned = await pay(clone.terminal, world.wallet.code());
      expect(cloned).toMatchObject({ outcome: 'declined', reason: 'trace-reused', trace: 1, actuated: false });
      expect(clone.hal.actuatorLine.pulses()).toHaveLength(0);
      // One key, two devices: the authorizer cannot tell the genuine one, so the key stays suspended for an operator.
      const after = await pay(original.terminal, world.wallet.code());
      expect(after).toMatchObject({ outcome: 'declined', reason: 'terminal-suspended', trace: 2, actuated: false });
      expect(await world.authorizer.service.approveTerminal(original.terminal.identity!.terminalId)).toBe(true);
      expect(await pay(original.terminal, world.wallet.code())).toMatchObject({ outcome: 'approved', trace: 3 });
    } finally {
      original.hal.shutdown();
      clone.hal.shutdown();
    }
  });
});
