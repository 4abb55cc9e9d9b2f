/**
 * Property: for any session of writes and deletes and any write the power
 * fails in, a reboot finds every key at its value before that write or (for
 * the key being written) after it; never a mix, never a stale temp file.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DirectoryStorage } from '../../../hal/sim/directory-storage';
import { isHalError } from '../../../hal/errors';

const keys = ['a', 'B', 'c.d'];
const op = fc.record({
  key: fc.constantFrom(...keys),
  value: fc.option(fc.uint8Array({ minLength: 0, maxLength: 64 }), { nil: undefined, freq: 4 }),
});

describe('DirectoryStorage power cut (property)', () => {
  it('reboots to old-or-new values for random sessions, cut points and effects', () => {
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 12 }), fc.nat(), fc.constantFrom('lost', 'torn', 'done'), (ops, pick, cut) => {
        const directory = mkdtempSync(join(tmpdir(), 'qrpay-prop-'));
        try {
          const atWrite = (pick % ops.length) + 1;
          const store = new DirectoryStorage({ directory, powerCut: { atWrite, cut: cut as 'lost' } }).open({ path: 'p' });
          const before = new Map<string, Uint8Array>();
          ops.forEach((o, i) => {
            const run = () => (o.value === undefined ? store.delete(o.key) : store.write(o.key, o.value));
            if (i + 1 < atWrite) {
              run();
              if (o.value === undefined) before.delete(o.key);
              else before.set(o.key, o.value);
            } else {
              let kind: string | undefined;
              try {
                run();
              } catch (error) {
                kind = isHalError(error) ? error.kind : String(error);
              }
              expect(kind).toBe('power-lost');
            }
          });
          const victim = ops[atWrite - 1];
          const reopened = new DirectoryStorage({ directory }).open({ path: 'p' });
          expect(readdirSync(join(directory, 'p')).some((f) => f.endsWith('.tmp'))).toBe(false);
          for (const key of keys) {
            const seen = reopened.read(key);
            const old = before.get(key);
            if (key === victim.key && cut === 'done') expect(seen).toEqual(victim.value);
            else expect(seen).toEqual(old);
          }
        } finally {
          rmSync(directory, { recursive: true, force: true });
        }
      }),
      { numRuns: 60 },
    );
  });
});
