/**
 * A command whose optional peer is not installed names the package to install
 * (tools/cli/exit.ts), whichever way Node failed to load it: `import` (ERR_MODULE_NOT_FOUND)
 * or a `require` at the point of use (MODULE_NOT_FOUND, as hal/sim/png.ts loads pngjs).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { describeFailure, exitCodes } from '../../tools/cli/exit';

async function failureOf(load: () => unknown): Promise<unknown> {
  try {
    await load();
  } catch (error) {
    return error;
  }
  throw new Error('the load did not fail');
}

const require = createRequire(import.meta.url);

describe('a missing optional peer', () => {
  it.each([
    ['import', () => import('qrpay-no-such-peer' as string)],
    ['require', () => require('qrpay-no-such-peer')],
    ['require of a subpath', () => require('qrpay-no-such-peer/lib/sync')],
  ])('is named, with the install command, when Node fails to %s it', async (_, load) => {
    const failure = describeFailure(await failureOf(load));
    expect(failure).toEqual({ message: 'this command needs the package qrpay-no-such-peer, which is not installed: npm install qrpay-no-such-peer', exitCode: exitCodes.failed });
  });

  it('names a scoped package by its scope and name', async () => {
    const failure = describeFailure(await failureOf(() => require('@qrpay-none/peer/sub')));
    expect(failure.message).toBe('this command needs the package @qrpay-none/peer, which is not installed: npm install @qrpay-none/peer');
  });

  it('does not call a missing file of our own a package', async () => {
    const failure = describeFailure(await failureOf(() => require('./no-such-module-of-ours')));
    expect(failure.message).not.toContain('needs the package');
  });
});
