/**
 * `npm start` does what the README promises: every stage shows up, the
 * payment is approved and acted on once, both copies are declined, exit 0.
 */
import { describe, expect, it } from 'vitest';
import { parseMerchantsConfig } from '../../tools/authorizer/domain/merchants';
import { runDemo } from '../../tools/demo/run-demo';

describe('qrpay demo', () => {
  it('pays once and declines both copies', async () => {
    const lines: string[] = [];
    const code = await runDemo({ write: (line) => lines.push(line) });
    const text = lines.join('\n');
    expect(code).toBe(0);
    for (const stage of [
      /authorizer +listening on http:\/\/127\.0\.0\.1:\d+/,
      /enrolled as T[0-9A-F]{10}/,
      /gnss +counter: fix 48\.86/,
      /camera +counter: code read from frame/,
      /code verified offline/,
      /request signed with the terminal key: trace 1, location 48\.86/,
      /POST \/v1\/authorize/,
      /decision verified .*APPROVED, approval [A-Z0-9]{6}/,
      /actuator +fired once/,
      /code rejected offline: replayed/,
      /kiosk: .*\n.*\n.*\n(.*\n)*.*decision verified .*DECLINED, replayed/,
    ]) {
      expect(text).toMatch(stage);
    }
    expect(text.match(/actuator +fired once/g)).toHaveLength(1);
    expect(lines.every((line) => line === '' || /^\s*\+\d+\.\d{3} s|^── |^qrpay demo|^data in|^Done/.test(line))).toBe(true);
  });

  it('enrolls its terminals as the configured merchant, at its site, and charges in its currency', async () => {
    const lines: string[] = [];
    const merchants = parseMerchantsConfig({
      merchants: [{
        id: 'M-VELO', name: 'Velo Lyon', categoryCode: '7999', currency: 'CHF', purposes: ['bike-unlock'], maxAmount: 5000,
        sites: [{ id: 'S-BELLECOUR', name: 'Place Bellecour', latitude: 45.7578, longitude: 4.832, radius: 150 }],
      }],
    });
    const code = await runDemo({ write: (line) => lines.push(line), merchants });
    const text = lines.join('\n');
    expect(code, text).toBe(0);
    expect(text).toMatch(/enrolled as T[0-9A-F]{10} for Velo Lyon \(CHF, bike-unlock\)/);
    expect(text).toMatch(/── 4\. the payment: 4\.50 CHF at the counter of Velo Lyon/);
    // Its GNSS fix is at the configured site, so the payment is not held as off-site.
    expect(text).toMatch(/gnss +counter: fix 45\.75/);
    expect(text).toMatch(/decision verified .*APPROVED, approval [A-Z0-9]{6}/);
    expect(text).not.toMatch(/Cafe Lumiere/);
  });
});
