/**
 * Issue 14 item 4 end to end on loopback: `qrpay operator rotate-decision-key` against the running authorizer's
 * data directory, the real authorizer serving the rotation, simulated terminals following it and paying approved
 * under the new key; a retry across the rotation gets its stored decision re-signed; a restart keeps the keys.
 */
import { statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyDecision } from '../../../src/authorization/decision';
import { readKeyRotation } from '../../../src/authorization/key-rotation';
import { decode } from '../../../src/codec/cbor';
import type { PublicKey } from '../../../src/authorization/signer';
import { decodeSign1, HeaderLabel } from '../../../src/cose/sign1';
import { startAuthorizer } from '../../../tools/authorizer/authorizer';
import { run } from '../../../tools/operator/cli';
import { captureConsole } from '../../support/capture-console';
import { bootTerminal, pay, startWorld, type Booted, type World } from '../../support/e2e-world';

let world: World;
/** The key the authorizer started with: what the terminals' firmware pins. */
let firstKey: PublicKey;
const booted: Booted[] = [];

beforeAll(async () => {
  world = await startWorld();
  firstKey = world.authorizer.decisionKey;
});

afterAll(async () => {
  for (const b of booted) b.hal.shutdown();
  await world?.close();
});

async function boot(name: string): Promise<Booted> {
  const b = await bootTerminal({ url: world.authorizer.url, dataDir: world.dir(name), config: { trustOnFirstUse: false, authorizerKey: firstKey } });
  booted.push(b);
  return b;
}

async function rotations(url: string): Promise<Uint8Array[]> {
  const response = await fetch(`${url}/v1/decision-keys`);
  expect(response.headers.get('content-type')).toBe('application/cbor');
  return decode(new Uint8Array(await response.arrayBuffer()), { maxBytes: 65536 }) as Uint8Array[];
}

describe('e2e: decision-key rotation', () => {
  it('rotate, the terminal follows, pays approved under the new key; a new terminal pinned to the old key enrolls', async () => {
    const dataDir = join(world.root, 'authorizer');
    const counter = await boot('counter');
    const before = await pay(counter.terminal, world.wallet.code());
    expect(before).toMatchObject({ outcome: 'approved', actuated: true });
    expect(await rotations(world.authorizer.url)).toEqual([]);

    const rotated = await captureConsole(() => run(['rotate-decision-key', '--in', '0', '--data-dir', dataDir, '--json']));
    expect(rotated.code).toBe(0);
    const made = JSON.parse(rotated.out) as { generation: number; key: string };
    expect(made.generation).toBe(2);
    // The key is a file of its own, owner-only, next to the signed rotation.
    const keys = join(dataDir, 'keys');
    expect(readdirSync(keys).sort()).toEqual(['decision-2.key', 'decision-2.rotation', 'decision.key', 'operator.key']);
    expect(statSync(join(keys, 'decision-2.key')).mode & 0o777).toBe(0o600);

    // The running authorizer picks it up (it looks at most once a second).
    let served: Uint8Array[] = [];
    for (let i = 0; i < 40 && served.length === 0; i++) {
      served = await rotations(world.authorizer.url);
      if (served.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(served).toHaveLength(1);
    const rotation = readKeyRotation(served[0]);
    expect(rotation.generation).toBe(2);
    expect(rotation.key.publicKey).toEqual(world.authorizer.decisionKeys.publicKey.publicKey);

    expect((await counter.terminal.refreshLists()).keys).toMatchObject({ ok: true, generation: 2 });
    const after = await pay(counter.terminal, world.wallet.code());
    expect(after).toMatchObject({ outcome: 'approved', actuated: true, source: 'authorizer' });
    const expectation = { requestHash: after.requestHash!, terminalId: counter.terminal.identity!.terminalId, trace: after.trace!, now: Date.now(), maxSkew: 60_000 };
    expect(verifyDecision(after.signed!, { ...expectation, authorizer: rotation.key }).ok).toBe(true);
    expect(verifyDecision(after.signed!, { ...expectation, authorizer: firstKey })).toMatchObject({ ok: false, problem: 'bad-signature' });
    // Signed by a rotated key, it names it.
    expect(decodeSign1(after.signed!).protectedHeader.get(HeaderLabel.kid)).toEqual(rotation.kid);

    // The first payment's request sent again (a retry across the rotation): its stored decision, re-signed by the new key.
    const stored = world.authorizer.db.prepare('SELECT request FROM requests WHERE terminal_id = ? AND trace = ? ORDER BY id LIMIT 1').get(counter.terminal.identity!.terminalId, before.trace) as { request: Uint8Array };
    const retry = await fetch(`${world.authorizer.url}/v1/authorize`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: stored.request });
    const again = new Uint8Array(await retry.arrayBuffer());
    const verified = verifyDecision(again, { ...expectation, requestHash: before.requestHash!, trace: before.trace!, authorizer: rotation.key });
    expect(verified).toMatchObject({ ok: true, decision: { outcome: 'approved', approvalCode: before.approvalCode } });

    // A terminal built with the first key pinned enrolls now, through the chain in the enrollment answer.
    const kiosk = await boot('kiosk');
    expect(kiosk.terminal.identity!.decisionKeys.current).toMatchObject({ generation: 2, key: rotation.key });
    expect(await pay(kiosk.terminal, world.wallet.code())).toMatchObject({ outcome: 'approved', actuated: true });
  });

  it('a restarted authorizer signs with the rotated key, and a terminal that was off learns it at boot', async () => {
    const dataDir = join(world.root, 'authorizer');
    const off = await boot('was-off');
    off.hal.shutdown();
    booted.splice(booted.indexOf(off), 1);
    await captureConsole(() => run(['rotate-decision-key', '--in', '0', '--data-dir', dataDir]));
    await world.authorizer.close();
    world.authorizer = await startAuthorizer({ dataDir, enrollment: 'open' });
    expect(world.authorizer.decisionKeys.generation).toBe(3);
    expect(await rotations(world.authorizer.url)).toHaveLength(2);
    const back = await bootTerminal({ url: world.authorizer.url, dataDir: world.dir('was-off'), config: { trustOnFirstUse: false, authorizerKey: firstKey } });
    booted.push(back);
    expect(back.terminal.identity!.decisionKeys.current.generation).toBe(3);
    expect(await pay(back.terminal, world.wallet.code())).toMatchObject({ outcome: 'approved', actuated: true });
  });
});
