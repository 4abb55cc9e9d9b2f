/**
 * `qrpay terminal` against a running authorizer: a wallet code as a PNG pays
 * once (exit 0), the same PNG again is declined (exit 1); bad usage exits 2.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../tools/cli/terminal';
import { writeQrPng } from '../../tools/wallet/render';
import { startWorld, type World } from '../support/e2e-world';
import { captureConsole } from '../support/capture-console';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world?.close();
});

async function terminal(...args: string[]): Promise<{ code: number; out: string }> {
  const { code, all } = await captureConsole(() => run(args));
  return { code, out: all };
}

describe('qrpay terminal', () => {
  it('pays with a PNG code once, then declines the same code', async () => {
    const png = join(world.root, 'code.png');
    await writeQrPng(png, world.wallet.code(), { scale: 4 });
    const common = ['--authorizer', world.authorizer.url, '--data-dir', world.dir('cli-terminal'), '--png', png];
    const first = await terminal(...common, '--amount', '1200', '--purpose', 'bike-unlock');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/camera +terminal: code read from frame/);
    expect(first.out).toMatch(/APPROVED, approval [A-Z0-9]{6}/);
    const again = await terminal(...common);
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/DECLINED, replayed/);
  });

  it('takes a code as text too', async () => {
    const result = await terminal('--authorizer', world.authorizer.url, '--data-dir', world.dir('cli-text'), '--code', world.wallet.code());
    expect(result.code).toBe(0);
  });

  it('tells what became of an earlier request it gave up on', async () => {
    const dataDir = world.dir('cli-offline');
    expect((await terminal('--authorizer', world.authorizer.url, '--data-dir', dataDir, '--code', world.wallet.code())).code).toBe(0);
    // The authorizer unreachable: no answer, the goods stay locked, the reversal is stored.
    const offline = await terminal('--authorizer', 'http://127.0.0.1:9', '--data-dir', dataDir, '--code', world.wallet.code());
    expect(offline.code).toBe(1);
    expect(offline.out).toMatch(/request trace 2 given up \(no-answer\)/);
    expect(offline.out).toMatch(/reversal stored/);
    // Back online: the next run reports it before charging.
    const back = await terminal('--authorizer', world.authorizer.url, '--data-dir', dataDir, '--code', world.wallet.code());
    expect(back.out).toMatch(/request trace 2 \(no-answer\) reversed, acknowledged by the authorizer: it never arrived/);
    expect(back.code).toBe(0);
  });

  it('refuses bad usage with exit 2', async () => {
    expect((await terminal('--code', 'x', '--png', 'y')).code).toBe(2);
    expect((await terminal('--code', 'x', '--amount', '1.5')).code).toBe(2);
    expect((await terminal('--code', 'x', '--purpose', 'lottery')).code).toBe(2);
    expect((await terminal('--help')).code).toBe(0);
  });
});
