/**
 * `npm start` does what the README promises: every stage shows up, the
 * payment is approved and acted on once, both copies are declined, exit 0.
 */
import { describe, expect, it } from 'vitest';
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
});
