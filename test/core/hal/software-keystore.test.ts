import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { SoftwareKeystore } from '../../../hal/portable/software-keystore';
import { MemoryStorage } from '../../../hal/portable/memory-storage';
import { isHalError } from '../../../hal/errors';
import { deterministicEntropy } from '../../support/deterministic-entropy';

function kind(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return isHalError(error) ? error.kind : `untyped ${error}`;
  }
  return undefined;
}

const message = utf8ToBytes('authorize 12.50 EUR at terminal T-0001');

describe('SoftwareKeystore', () => {
  it('creates an ES256 key whose raw low-s signatures verify over SHA-256 of the message', () => {
    const keystore = new SoftwareKeystore({ store: new MemoryStorage().open({ path: 'keys' }), entropy: deterministicEntropy('es') });
    const info = keystore.create('terminal', 'ES256');
    expect(info.alg).toBe('ES256');
    expect(info.publicKey).toHaveLength(65);
    expect(info.publicKey[0]).toBe(4);
    const signature = keystore.sign('terminal', message);
    expect(signature).toHaveLength(64);
    expect(p256.verify(signature, message, info.publicKey, { lowS: true })).toBe(true);
    expect(p256.verify(signature, utf8ToBytes('authorize 99.50 EUR'), info.publicKey)).toBe(false);
    expect(keystore.publicKey('terminal')).toEqual(info);
  });

  it('creates an EdDSA key whose signatures verify with ed25519', () => {
    const keystore = new SoftwareKeystore({ store: new MemoryStorage().open({ path: 'keys' }), entropy: deterministicEntropy('ed') });
    const info = keystore.create('receipt', 'EdDSA');
    expect(info.publicKey).toHaveLength(32);
    const signature = keystore.sign('receipt', message);
    expect(signature).toHaveLength(64);
    expect(ed25519.verify(signature, message, info.publicKey)).toBe(true);
  });

  it('blinds ES256 signing with the entropy HAL (a board has no crypto.getRandomValues), and signs as unblinded noble does', () => {
    const entropy = deterministicEntropy('blind');
    const store = new MemoryStorage().open({ path: 'keys' });
    const keystore = new SoftwareKeystore({ store, entropy });
    const info = keystore.create('terminal', 'ES256');
    // The record is [format, algorithm, ...secret]: read here only to compare with noble's own signatures.
    const secret = store.read('terminal')!.subarray(2);
    expect(info.publicKey).toEqual(p256.getPublicKey(secret, false));
    for (const text of ['first', 'second']) {
      const before = entropy.drawn;
      const signature = keystore.sign('terminal', utf8ToBytes(text));
      // Fresh bytes for the scalar multiplication k·G and for the nonce's inversion, on every signature.
      expect(entropy.drawn - before).toBeGreaterThanOrEqual(32);
      // RFC 6979: blinding changes the computation, not its result.
      expect(signature).toEqual(p256.sign(utf8ToBytes(text), secret, { prehash: true, lowS: true, format: 'compact' }));
    }
    const before = entropy.drawn;
    expect(keystore.presign('terminal', utf8ToBytes('trace 7'))).toBe(true);
    // The nonce's salt (32 bytes) and the blinding of its k·G.
    expect(entropy.drawn - before).toBeGreaterThan(32);
  });

  it('draws key material from the entropy HAL: same entropy, same key; other entropy, other key', () => {
    const make = (seed: string) =>
      new SoftwareKeystore({ store: new MemoryStorage().open({ path: 'keys' }), entropy: deterministicEntropy(seed) });
    const a = make('seed-1').create('k', 'EdDSA').publicKey;
    expect(make('seed-1').create('k', 'EdDSA').publicKey).toEqual(a);
    expect(make('seed-2').create('k', 'EdDSA').publicKey).not.toEqual(a);
  });

  it('keeps keys in its store, so a keystore over the same store sees them', () => {
    const storage = new MemoryStorage();
    const first = new SoftwareKeystore({ store: storage.open({ path: 'keys' }), entropy: deterministicEntropy('p') });
    const info = first.create('device', 'ES256');
    const again = new SoftwareKeystore({ store: storage.open({ path: 'keys' }), entropy: deterministicEntropy('other') });
    expect(again.has('device')).toBe(true);
    expect(p256.verify(again.sign('device', message), message, info.publicKey)).toBe(true);
  });

  it('gives typed errors: taken name, unknown name, bad algorithm, bad name, corrupt record', () => {
    const store = new MemoryStorage().open({ path: 'keys' });
    const keystore = new SoftwareKeystore({ store, entropy: deterministicEntropy('e') });
    keystore.create('k', 'EdDSA');
    expect(kind(() => keystore.create('k', 'ES256'))).toBe('key-exists');
    expect(kind(() => keystore.sign('nope', message))).toBe('no-key');
    expect(keystore.publicKey('nope')).toBe(undefined);
    expect(kind(() => keystore.create('x', 'RS256' as 'ES256'))).toBe('unsupported-algorithm');
    expect(kind(() => keystore.create('a name too long!', 'EdDSA'))).toBe('invalid-key');
    store.write('junk', Uint8Array.of(1, 7, 0));
    expect(kind(() => keystore.sign('junk', message))).toBe('io');
    keystore.delete('k');
    expect(keystore.has('k')).toBe(false);
  });

  it('exposes no private key through its methods or properties', () => {
    const store = new MemoryStorage().open({ path: 'keys' });
    const keystore = new SoftwareKeystore({ store, entropy: deterministicEntropy('secret') });
    keystore.create('k', 'EdDSA');
    const secret = store.read('k')!.subarray(2);
    expect(Object.keys(keystore)).toEqual([]);
    const outputs = [keystore.publicKey('k')!.publicKey, keystore.sign('k', message)];
    for (const out of outputs) {
      for (let i = 0; i + secret.length <= out.length; i++) {
        expect(out.subarray(i, i + secret.length)).not.toEqual(secret);
      }
    }
  });
});
