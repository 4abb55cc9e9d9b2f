/**
 * Offline acceptance, shown (issue #12): for `qrpay demo` or a scenario
 * command to call (their owners wire it in). Two simulated market stalls
 * behind an uplink that can be cut (link.ts). With the link down, a
 * customer pays 4.50 at the first stall, approved offline and journaled;
 * a copy of the same code is accepted offline at the second stall too (its
 * replay cache never saw it). The link returns: the first stall's upload is
 * captured, the second's is declined late as a replay, counted as an offline
 * loss (customer and merchant told), and the credential is suspended.
 */
import { join } from 'node:path';
import { nodeEntropy } from '../../hal/sim/entropy';
import { SystemClock } from '../../hal/sim/system-clock';
import type { Charge } from '../../src/authorization/charge';
import { hex } from '../../src/paycode/hex';
import type { Decision } from '../../src/terminal/decision';
import { formatAmount } from '../../src/terminal/terminal';
import type { RunningAuthorizer } from '../authorizer/authorizer';
import { createDeviceKey, issueCredential, makePaymentCode, type IssuerKey } from '../wallet/wallet';
import { LinkSwitch } from './link';
import { bootStation, chargeWithText, type Say, type Station } from './station';

export interface OfflineScenarioOptions {
  /** A running authorizer that trusts `issuer` and gives terminals offline limits (its default). */
  authorizer: RunningAuthorizer;
  issuer: IssuerKey;
  /** Where the two stalls keep their keys and journals. */
  dataDir: string;
  say: Say;
}

export interface OfflineScenarioResult {
  /** True when it went as offline acceptance promises: both accepted offline, the first captured, the copy a loss, the credential suspended. */
  ok: boolean;
  first: Decision;
  copy: Decision;
  /** What each stall's upload came to. */
  uploaded: { stall: string; outcome: string; reason: string }[];
  losses: { terminalId: string; amount: number; reason: string }[];
  suspended: boolean;
}

export async function runOfflineScenario(options: OfflineScenarioOptions): Promise<OfflineScenarioResult> {
  const { authorizer, issuer, say } = options;
  const link = await LinkSwitch.start(authorizer.url);
  const stalls: Station[] = [];
  try {
    for (const name of ['stall-a', 'stall-b']) stalls.push(await bootStation(name, join(options.dataDir, name), link.url, say, undefined, authorizer.decisionKey));
    const uploaded: OfflineScenarioResult['uploaded'] = [];
    for (const stall of stalls) {
      stall.terminal.on('offline-uploaded', (e) => {
        uploaded.push({ stall: stall.name, outcome: e.decision.outcome, reason: e.decision.reason });
        say('upload', `${stall.name}: trace ${e.trace} uploaded in a signed batch; the authorizer's signed decision: ${e.decision.outcome.toUpperCase()}, ${e.decision.reason}`);
      });
    }
    const device = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
    const now = Math.floor(Date.now() / 1000);
    const credential = issueCredential(issuer, {
      device: { alg: 'ES256', publicKey: device.publicKey }, notBefore: now - 60, expiresAt: now + 30 * 86400, limits: { offlineAllowed: true, perPaymentCap: 2000 },
    }, nodeEntropy);
    const code = makePaymentCode(credential, device, { clock: new SystemClock({ unref: true }), entropy: nodeEntropy, lifetimeSeconds: 60 });
    say('wallet', `credential ${hex(credential.credentialId)} allows offline use (at most 20.00 a payment); payment code ${hex(code.codeId)}`);

    link.down = true;
    say('network', 'the uplink is cut: nothing reaches the authorizer');
    const honey: Charge = { amount: 450, currency: 'EUR', purpose: 'counter-sale', reference: 'MARKET-1' };
    const first = await chargeWithText(stalls[0], honey, code.text, say);
    say('terminal', `stall-a: ${first.offline?.accepted ? 'approved offline within its signed limits; the signed advice is journaled' : `not approved offline (${first.offline?.reason})`}`);
    const copy = await chargeWithText(stalls[1], { ...honey, reference: 'MARKET-2' }, code.text, say);
    say('terminal', `stall-b: the copied code ${copy.offline?.accepted ? 'is accepted offline too: its replay cache never saw it' : `is not accepted (${copy.offline?.reason})`}`);

    link.down = false;
    say('network', 'the uplink is back');
    for (const stall of stalls) await stall.terminal.settle();

    const db = authorizer.db;
    const ids = stalls.map((s) => s.terminal.identity!.terminalId);
    const losses = (db.prepare(`SELECT terminal_id AS terminalId, amount, reason FROM offline_losses WHERE terminal_id IN (?, ?) ORDER BY request_id`).all(...ids)) as OfflineScenarioResult['losses'];
    for (const loss of losses) say('authorizer', `offline loss: ${loss.terminalId} ${formatAmount(loss.amount)} EUR (${loss.reason}); customer and merchant told on both channels`);
    const suspended = db.prepare('SELECT 1 FROM revoked_credentials WHERE credential_id = ?').get(hex(credential.credentialId)) !== undefined;
    say('authorizer', suspended ? `credential ${hex(credential.credentialId)} suspended: the next deny list carries it to every terminal` : 'the credential is not suspended');
    const ok = first.offline?.accepted === true && copy.offline?.accepted === true && uploaded.length === 2 && uploaded[0].outcome === 'approved'
      && uploaded[1].outcome === 'declined' && uploaded[1].reason === 'replayed' && losses.length === 1 && suspended;
    return { ok, first, copy, uploaded, losses, suspended };
  } finally {
    for (const stall of stalls) stall.stop();
    await link.close();
  }
}
