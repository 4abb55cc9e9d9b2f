import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DirectoryStorage } from '../../../hal/sim/directory-storage';
import { decodeKey, encodeKey } from '../../../hal/sim/file-names';
import type { CutEffect } from '../../../hal/sim/power-switch';
import { isHalError } from '../../../hal/errors';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qrpay-storage-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function kindOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isHalError(error) ? error.kind : `untyped ${error}`;
  }
  return undefined;
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('DirectoryStorage', () => {
  it('writes, replaces, deletes and lists keys, and keeps them across a reopen', () => {
    const directory = freshDir();
    const store = new DirectoryStorage({ directory }).open({ path: 'app' });
    store.write('a', bytes('one'));
    store.write('b', bytes('two'));
    store.write('a', bytes('three'));
    store.delete('b');
    store.delete('never-there');
    expect(store.read('a')).toEqual(bytes('three'));
    const again = new DirectoryStorage({ directory }).open({ path: 'app' });
    expect(again.read('a')).toEqual(bytes('three'));
    expect(again.read('b')).toBe(undefined);
    expect(again.keys()).toEqual(['a']);
    expect(new DirectoryStorage({ directory }).open({ path: 'other' }).keys()).toEqual([]);
  });

  it('stores any valid key, including path characters and case variants, as a distinct safe file', () => {
    const store = new DirectoryStorage({ directory: freshDir() }).open({ path: 'App/..' });
    const keys = ['../etc', 'A', 'a', 'x.tmp', '%41', 'C:\\*?"<>|', '~!@#$^&()+={}[]', '.', '..'];
    keys.forEach((key, i) => store.write(key, Uint8Array.of(i)));
    keys.forEach((key, i) => expect(store.read(key)).toEqual(Uint8Array.of(i)));
    expect(store.keys().sort()).toEqual([...keys].sort());
    for (const key of keys) {
      expect(encodeKey(key)).toMatch(/^[a-z0-9_%A-F-]+$/);
      expect(decodeKey(encodeKey(key))).toBe(key);
    }
  });

  it('ignores files that are not encoded keys', () => {
    const directory = freshDir();
    const store = new DirectoryStorage({ directory }).open({ path: 'app' });
    store.write('k', bytes('v'));
    writeFileSync(join(directory, 'app', 'README'), 'not ours');
    writeFileSync(join(directory, 'app', '%6B'), 'non-canonical k');
    expect(store.keys()).toEqual(['k']);
  });

  it('enforces key rules and read-only mode, and refuses a closed store', () => {
    const storage = new DirectoryStorage({ directory: freshDir() });
    const store = storage.open({ path: 'app' });
    expect(kindOf(() => store.write('', bytes('x')))).toBe('invalid-key');
    expect(kindOf(() => store.read('0123456789abcdef'))).toBe('invalid-key');
    expect(kindOf(() => storage.open({ path: 'bad domain' }))).toBe('invalid-key');
    store.write('k', bytes('v'));
    const reader = storage.open({ path: 'app', mode: 'r' });
    expect(reader.read('k')).toEqual(bytes('v'));
    expect(kindOf(() => reader.write('k', bytes('w')))).toBe('io');
    store.close();
    expect(kindOf(() => store.read('k'))).toBe('closed');
  });

  it('maps file-system failures to HalError io', () => {
    const directory = freshDir();
    const file = join(directory, 'a-file');
    writeFileSync(file, 'x');
    expect(kindOf(() => new DirectoryStorage({ directory: join(file, 'below') }))).toBe('io');
  });

  it('writes values with the requested permissions', () => {
    const directory = freshDir();
    new DirectoryStorage({ directory, fileMode: 0o600 }).open({ path: 'keys' }).write('k', bytes('secret'));
    if (process.platform !== 'win32') expect(statSync(join(directory, 'keys', 'k')).mode & 0o777).toBe(0o600);
  });
});

/** A scripted session: writes and deletes over two domains, values of changing sizes. */
type Op = { domain: string; key: string; value?: string };
const script: Op[] = [
  { domain: 'app', key: 'counter', value: '1' },
  { domain: 'app', key: 'journal', value: 'entry-1;' },
  { domain: 'app', key: 'counter', value: '2' },
  { domain: 'cfg', key: 'Terminal', value: 'T-0001 at the counter' },
  { domain: 'app', key: 'journal', value: 'entry-1;entry-2;entry-3;' },
  { domain: 'app', key: 'counter', value: '10000' },
  { domain: 'cfg', key: 'Terminal' },
  { domain: 'app', key: 'journal', value: 'e' },
  { domain: 'cfg', key: 'Terminal', value: 'T-0002' },
  { domain: 'app', key: 'counter' },
];

type Model = Map<string, string>;
const slot = (op: Op) => `${op.domain}/${op.key}`;
function apply(model: Model, op: Op): void {
  if (op.value === undefined) model.delete(slot(op));
  else model.set(slot(op), op.value);
}

describe('DirectoryStorage under a power cut at the Nth write', () => {
  const effects: CutEffect[] = ['lost', 'torn', 'done'];
  for (const cut of effects) {
    it(`(${cut}) leaves every key old or new, never a mix; reopens; later calls fail until then`, () => {
      for (let n = 1; n <= script.length; n++) {
        const directory = freshDir();
        const storage = new DirectoryStorage({ directory, powerCut: { atWrite: n, cut } });
        const before: Model = new Map();
        for (let i = 0; i < n - 1; i++) {
          const op = script[i];
          const store = storage.open({ path: op.domain });
          if (op.value === undefined) store.delete(op.key);
          else store.write(op.key, bytes(op.value));
          apply(before, op);
        }
        const victim = script[n - 1];
        const store = storage.open({ path: victim.domain });
        const cutCall = () => (victim.value === undefined ? store.delete(victim.key) : store.write(victim.key, bytes(victim.value)));
        expect(kindOf(cutCall), `write ${n}`).toBe('power-lost');
        expect(storage.power.off).toBe(true);
        for (const op of script.slice(n)) {
          expect(kindOf(() => storage.open({ path: op.domain }))).toBe('power-lost');
          expect(kindOf(() => store.write(op.key, bytes('late')))).toBe('power-lost');
        }
        expect(kindOf(() => store.read(victim.key))).toBe('power-lost');

        const after: Model = new Map(before);
        apply(after, victim);
        const rebooted = new DirectoryStorage({ directory });
        for (const domain of ['app', 'cfg']) {
          const reopened = rebooted.open({ path: domain });
          expect(readdirSync(join(directory, domain)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
          for (const key of ['counter', 'journal', 'Terminal']) {
            const id = `${domain}/${key}`;
            const seen = reopened.read(key);
            const text = seen === undefined ? undefined : new TextDecoder().decode(seen);
            if (id === slot(victim)) {
              expect([before.get(id), after.get(id)], `write ${n} ${cut} ${id}`).toContain(text);
              if (cut === 'done') expect(text).toBe(after.get(id));
              if (cut !== 'done') expect(text).toBe(before.get(id));
            } else {
              expect(text, `write ${n} ${cut} ${id}`).toBe(before.get(id));
            }
          }
        }
        const reopened = rebooted.open({ path: victim.domain });
        reopened.write(victim.key, bytes('after reboot'));
        expect(reopened.read(victim.key)).toEqual(bytes('after reboot'));
      }
    });
  }

  it('leaves a torn temporary file that the next open removes', () => {
    const directory = freshDir();
    const storage = new DirectoryStorage({ directory, powerCut: { atWrite: 2, cut: 'torn' } });
    const store = storage.open({ path: 'app' });
    store.write('k', bytes('old value'));
    expect(kindOf(() => store.write('k', bytes('the new value')))).toBe('power-lost');
    expect(existsSync(join(directory, 'app', 'k.tmp'))).toBe(true);
    expect(new DirectoryStorage({ directory }).open({ path: 'app' }).read('k')).toEqual(bytes('old value'));
    expect(existsSync(join(directory, 'app', 'k.tmp'))).toBe(false);
  });

  it('refuses a cut position below 1', () => {
    expect(() => new DirectoryStorage({ directory: freshDir(), powerCut: { atWrite: 0 } })).toThrow(RangeError);
  });

  it('arms a cut while running: cutAfter(n) fails the nth write from now (the browser simulator\'s power cut)', () => {
    const directory = freshDir();
    const storage = new DirectoryStorage({ directory });
    const store = storage.open({ path: 'app' });
    for (let i = 0; i < 5; i++) store.write(`k${i}`, bytes(`value ${i}`));
    storage.power.cutAfter(2, 'lost');
    store.write('a', bytes('still powered'));
    expect(kindOf(() => store.write('b', bytes('lost with the power')))).toBe('power-lost');
    expect(kindOf(() => store.read('a'))).toBe('power-lost');
    const rebooted = new DirectoryStorage({ directory }).open({ path: 'app' });
    expect(rebooted.read('a')).toEqual(bytes('still powered'));
    expect(rebooted.read('b')).toBeUndefined();
    expect(() => new DirectoryStorage({ directory }).power.cutAfter(0)).toThrow(/cutAfter wants a whole number of writes, 1 or more, got 0/);
    expect(() => storage.power.cutAfter(1)).toThrow(/power was cut/);
  });
});
