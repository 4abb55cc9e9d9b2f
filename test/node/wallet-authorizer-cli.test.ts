/**
 * `qrpay wallet step-up | report | freeze | contact` against the real
 * authorizer on loopback: the wallet tool answers a step-up with the device
 * key in its credential file, reports a payment, names a trusted contact who
 * then freezes the account.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../tools/wallet/cli';
import { accountOf } from '../../tools/wallet/authorizer-client';
import { saveCredential } from '../../tools/wallet/files';
import { JudgementWorld, ManualTime, type TestWallet } from '../support/judgement-world';
import { captureConsole } from '../support/capture-console';

let world: JudgementWorld | undefined;

afterEach(async () => {
  vi.restoreAllMocks();
  await world?.close();
  world = undefined;
});

async function wallet(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return captureConsole(() => run([...args, '--authorizer', world!.authorizer.url]));
}

function file(w: TestWallet, name: string): string {
  const path = join(world!.root, `${name}.json`);
  saveCredential(path, w.credential, w.device);
  return path;
}

describe('qrpay wallet and the authorizer', () => {
  it('confirms a step-up with the credential file\'s device key; a wrong challenge is refused', async () => {
    world = await JudgementWorld.start({ risk: { factors: { 'new-credential': { points: 40 } } }, time: new ManualTime(Date.now()) });
    const t = await world.terminal();
    const alice = world.wallet();
    const paid = await t.pay(alice);
    expect(paid.body.outcome).toBe('step-up');
    const { id } = world.authorizer.db.prepare('SELECT id FROM step_ups').get() as { id: string };
    const aliceFile = file(alice, 'alice');
    expect((await wallet('step-up', '--credential', aliceFile, '--challenge', 'ab'.repeat(16))).code).toBe(1);
    expect((await wallet('step-up', '--credential', aliceFile, '--challenge', 'xyz')).code).toBe(2);
    const confirmed = await wallet('step-up', '--credential', aliceFile, '--challenge', id);
    expect(confirmed.code).toBe(0);
    expect(JSON.parse(confirmed.out)).toMatchObject({ state: 'confirmed', outcome: 'approved' });
  });

  it('reports a payment, and a named trusted contact freezes the account', async () => {
    world = await JudgementWorld.start({ time: new ManualTime(Date.now()) });
    const t = await world.terminal();
    const alice = world.wallet();
    const bob = world.wallet();
    const paid = await t.pay(alice);
    const aliceFile = file(alice, 'alice');
    const bobFile = file(bob, 'bob');
    expect((await wallet('freeze', '--credential', bobFile, '--account', accountOf(alice.credential))).code).toBe(1);
    expect((await wallet('contact', '--credential', aliceFile, '--contact', bobFile, '--name', 'Bob')).code).toBe(0);
    const report = await wallet('report', '--credential', aliceFile, '--payment', Buffer.from(paid.requestHash).toString('hex'), '--note', 'not me');
    expect(report.code).toBe(0);
    expect(JSON.parse(report.out)).toMatchObject({ action: 'disputed', compensation: { state: 'credited' } });
    // The report revoked the credential that paid: its key speaks for the owner no more; the contact she named before still may freeze.
    expect((await wallet('contact', '--credential', aliceFile, '--contact', bobFile, '--name', 'Bob')).code).toBe(1);
    const frozen = await wallet('freeze', '--credential', bobFile, '--account', accountOf(alice.credential), '--reason', 'her phone was stolen');
    expect(frozen.code).toBe(0);
    expect(JSON.parse(frozen.out)).toMatchObject({ frozen: true, by: 'contact:Bob' });
  });
});
