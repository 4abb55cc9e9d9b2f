/**
 * `qrpay scenario`: each scenario of tools/scenario/catalog.ts run as a UI
 * would run it (in process, through runScenario's narration), against the real
 * authorizer, wallet and simulated terminals; the outcome it reports and the
 * stages that prove it. Then the command itself as a user runs it: --list, a
 * scenario's exit code, an unknown name.
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scenarios } from '../../tools/scenario/catalog';
import { runScenario } from '../../tools/scenario/run';

const repo = resolve(import.meta.dirname, '..', '..');

async function run(name: string): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await runScenario(name, { write: (line) => lines.push(line) });
  return { code, text: lines.join('\n') };
}

/** Each scenario's evidence: lines its narration must hold, in this order. */
const evidence: Record<string, RegExp[]> = {
  copied: [
    /counter: code read from frame/, /decision verified .*APPROVED, approval/, /actuator +fired once/,
    /code rejected offline: replayed/, /kiosk: code read/, /decision verified .*DECLINED, replayed/, /^As it must: The code paid once/m,
  ],
  forged: [
    /code rejected offline: bad-code-signature/, /code rejected offline: bad-credential-signature/, /0 requests reached the authorizer/,
  ],
  'stale-gps': [
    /gnss +counter: stale \(last fix \d+ s ago\)/, /request signed .*location no fix \(stale-fix/, /factor location-stale \(acceptance, 15 points\)/,
    /^As it must: The terminal did not pass its old position off as current/m,
  ],
  offline: [
    /attempt \d: unreachable: the link to .* is down/, /approved offline, within the limits the authorizer signed/, /actuator +fired once/,
    /1 offline payment waiting in the terminal's journal; the authorizer knows nothing of it yet/,
    /offline payment trace 1 uploaded; the authorizer's signed decision: APPROVED/, /^As it must: Offline/m,
  ],
  'offline-copy': [
    /counter: code read(.*\n)*?.*approved offline/, /kiosk: code read/, /approved offline/,
    /counter: offline payment trace 1 uploaded; the authorizer's signed decision: APPROVED/,
    /kiosk: offline payment trace 1 uploaded; the authorizer's signed decision: DECLINED, replayed/,
    /offline loss recorded: T[0-9A-F]{10} trace 1, 4\.50 EUR, replayed/, /suspended the credential/,
  ],
  'power-cut': [
    /decision verified .*APPROVED/, /power +counter: power lost \(cannot record the release: .*\); relay pulses so far: 0/,
    /request trace 1 \(interrupted\) reversed, acknowledged by the authorizer: the capture is voided/,
    /authorizer request trace 1: approved, payment voided/, /Payments taken: 0, goods released: 0: money and goods agree/,
  ],
  expired: [/code rejected offline: expired/, /declined \(expired, decided by the terminal, relay stayed off\)/],
  'step-up': [
    /decision verified: STEP-UP \(trace 1\)/, /wallet +push received: confirm 4\.50 EUR/, /answer signed with the phone's device key: accepted/,
    /decision verified .*APPROVED, approval [A-Z0-9]{6}/, /actuator +fired once/,
  ],
};

describe('the scenario catalog', () => {
  it('has evidence for every scenario, and every scenario the README names', () => {
    expect(Object.keys(evidence).sort()).toEqual(Object.keys(scenarios).sort());
  });

  for (const name of Object.keys(scenarios)) {
    it(`${name}: the system behaves as it must, and the narration shows why`, async () => {
      const { code, text } = await run(name);
      expect(text, text).toMatch(/^As it must: /m);
      expect(code).toBe(0);
      let rest = text;
      for (const line of evidence[name]) {
        const found = line.exec(rest);
        expect(found, `${line} in order, in:\n${text}`).not.toBeNull();
        rest = rest.slice(found!.index + found![0].length);
      }
      if (name === 'copied' || name === 'offline' || name === 'step-up') expect(text.match(/actuator +fired once/g)).toHaveLength(1);
      if (name === 'forged' || name === 'expired' || name === 'power-cut') expect(text).not.toMatch(/actuator +fired once/);
    }, 60_000);
  }
});

describe('qrpay scenario (the command)', () => {
  const qrpay = (...args: string[]) => spawnSync(process.execPath, [join(repo, 'bin', 'qrpay.js'), 'scenario', ...args], { encoding: 'utf8', timeout: 60_000 });

  it('lists the scenarios, one a line', () => {
    const listed = qrpay('--list');
    expect(listed.status).toBe(0);
    expect(listed.stdout.trim().split('\n').map((line) => line.split(/\s+/)[0])).toEqual(Object.keys(scenarios));
  });

  it('exits 0 when the system behaved as it must; 2 for an unknown scenario or none, in one line', () => {
    const expired = qrpay('expired');
    expect(expired.status).toBe(0);
    expect(expired.stdout).toMatch(/^As it must: Declined on the terminal/m);
    const unknown = qrpay('nonsense');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr.trim()).toBe(`qrpay scenario: no scenario 'nonsense'; there are: ${Object.keys(scenarios).join(', ')}`);
    expect(qrpay().status).toBe(2);
  });
});
