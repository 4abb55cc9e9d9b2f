import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { afterEach, describe, expect, it } from 'vitest';
import { createFileKeystore } from '../../../hal/sim/file-keystore';
import { nodeEntropy } from '../../../hal/sim/entropy';
import { isHalError } from '../../../hal/errors';

const dirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qrpay-keys-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const message = new TextEncoder().encode('decision: approve, trace 000123');

function includes(haystack: Uint8Array, needle: Uint8Array): boolean {
  return Buffer.from(haystack).indexOf(Buffer.from(needle)) >= 0;
}

describe('file keystore', () => {
  it('signs with ES256 and EdDSA keys that noble verifies', () => {
    const keystore = createFileKeystore({ directory: freshDir(), entropy: nodeEntropy });
    const es = keystore.create('terminal', 'ES256');
    const ed = keystore.create('receipts', 'EdDSA');
    expect(p256.verify(keystore.sign('terminal', message), message, es.publicKey)).toBe(true);
    expect(ed25519.verify(keystore.sign('receipts', message), message, ed.publicKey)).toBe(true);
  });

  it('keeps keys across a restart and writes them owner-only', () => {
    const directory = freshDir();
    const info = createFileKeystore({ directory, entropy: nodeEntropy }).create('terminal', 'ES256');
    const restarted = createFileKeystore({ directory, entropy: nodeEntropy });
    expect(restarted.has('terminal')).toBe(true);
    expect(restarted.publicKey('terminal')).toEqual(info);
    expect(p256.verify(restarted.sign('terminal', message), message, info.publicKey)).toBe(true);
    if (process.platform !== 'win32') expect(statSync(join(directory, 'keys', 'terminal')).mode & 0o777).toBe(0o600);
  });

  it('never returns the private key: not in any method result, not as a property', () => {
    const directory = freshDir();
    const keystore = createFileKeystore({ directory, entropy: nodeEntropy });
    keystore.create('k', 'ES256');
    const secret = new Uint8Array(readFileSync(join(directory, 'keys', 'k'))).subarray(2);
    expect(secret).toHaveLength(32);
    const use = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 7]);
    const results: unknown[] = [keystore.has('k'), keystore.publicKey('k'), keystore.sign('k', message), keystore.presign!('k', use), keystore.sign('k', message, use), keystore.create('k2', 'EdDSA')];
    for (const result of results) {
      const text = JSON.stringify(result, (_k, v) => (v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v));
      expect(text.includes(Buffer.from(secret).toString('hex'))).toBe(false);
      if (result instanceof Uint8Array) expect(includes(result, secret)).toBe(false);
    }
    expect(Object.keys(keystore)).toEqual([]);
    expect(Object.getOwnPropertyNames(Object.getPrototypeOf(keystore)).sort()).toEqual(['constructor', 'create', 'delete', 'has', 'presign', 'publicKey', 'sign']);
  });

  it('after a power cut while creating a key, has either no key or a whole one', () => {
    for (const cut of ['lost', 'torn', 'done'] as const) {
      const directory = freshDir();
      const keystore = createFileKeystore({ directory, entropy: nodeEntropy, powerCut: { atWrite: 1, cut } });
      let error: unknown;
      try {
        keystore.create('terminal', 'ES256');
      } catch (e) {
        error = e;
      }
      expect(isHalError(error, 'power-lost')).toBe(true);
      const rebooted = createFileKeystore({ directory, entropy: nodeEntropy });
      if (cut === 'done') {
        const info = rebooted.publicKey('terminal')!;
        expect(p256.verify(rebooted.sign('terminal', message), message, info.publicKey)).toBe(true);
      } else {
        expect(rebooted.has('terminal')).toBe(false);
        expect(readdirSync(join(directory, 'keys'))).toEqual([]);
      }
    }
  });
});
