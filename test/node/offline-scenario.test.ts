/**
 * tools/demo/offline-scenario.ts end to end on loopback with the real
 * authorizer and two simulator stalls: the story it tells is what happened.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeEntropy } from '../../hal/sim/entropy';
import { startAuthorizer, type RunningAuthorizer } from '../../tools/authorizer/authorizer';
import { runOfflineScenario } from '../../tools/demo/offline-scenario';
import { createIssuer } from '../../tools/wallet/wallet';

const root = mkdtempSync(join(tmpdir(), 'qrpay-offline-scenario-'));
let authorizer: RunningAuthorizer | undefined;

afterAll(async () => {
  await authorizer?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the offline scenario', () => {
  it('an offline payment, a copy accepted at a second stall, both uploaded: one captured, the copy a loss, the credential suspended', async () => {
    authorizer = await startAuthorizer({ dataDir: join(root, 'authorizer'), enrollment: 'open' });
    const issuer = createIssuer({ alg: 'ES256' }, nodeEntropy);
    await authorizer.trustIssuer({ alg: issuer.alg, kid: issuer.kid, publicKey: issuer.publicKey });
    const lines: string[] = [];
    const result = await runOfflineScenario({ authorizer, issuer, dataDir: join(root, 'stalls'), say: (stage, text) => lines.push(`${stage} ${text}`) });
    expect(result).toMatchObject({
      ok: true,
      first: { outcome: 'approved', reason: 'offline', actuated: true },
      copy: { outcome: 'approved', reason: 'offline', actuated: true },
      uploaded: [{ stall: 'stall-a', outcome: 'approved' }, { stall: 'stall-b', outcome: 'declined', reason: 'replayed' }],
      losses: [{ amount: 450, reason: 'replayed' }],
      suspended: true,
    });
    expect(lines.some((line) => line.includes('offline loss'))).toBe(true);
  }, 60_000);
});
