/**
 * Presigned ES256 signatures in the software keystore (hal/keystore.ts `presign`, docs/security.md "Presigned
 * nonces"), on Node and XS: they verify and are canonical, a prepared nonce signs at most once, any doubt discards
 * it, and two signatures never share r, even with an entropy source that always gives the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { SoftwareKeystore } from '../../../hal/portable/software-keystore';
import { MemoryStorage } from '../../../hal/portable/memory-storage';
import { isHalError } from '../../../hal/errors';
import type { Entropy } from '../../../hal/entropy';
import { verify } from '../../../src/crypto/verify';
import { deterministicEntropy } from '../../support/deterministic-entropy';

const n = p256.Point.Fn.ORDER;
const message = utf8ToBytes('authorize 4.50 EUR at terminal T-BENCH-1, trace 7');
const use = (trace: number) => Uint8Array.of(0, 0, 0, 0, 0, 0, trace >> 8, trace & 0xff);

function integer(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function make(entropy: Entropy = deterministicEntropy('presign')) {
  const keystore = new SoftwareKeystore({ store: new MemoryStorage().open({ path: 'keys' }), entropy });
  const { publicKey } = keystore.create('terminal', 'ES256');
  return { keystore, publicKey };
}

/** What our own output must be (Wycheproof's rules for ECDSA P-256 / SHA-256, IEEE P1363 encoding). */
function expectCanonical(signature: Uint8Array, publicKey: Uint8Array, signed: Uint8Array): void {
  expect(signature).toHaveLength(64);
  const r = integer(signature.subarray(0, 32));
  const s = integer(signature.subarray(32));
  expect(r > 0n && r < n).toBe(true);
  expect(s > 0n && s <= n >> 1n).toBe(true);
  expect(verify('ES256', publicKey, signed, signature)).toBe(true);
  expect(p256.verify(signature, signed, publicKey, { prehash: true, lowS: true })).toBe(true);
  const other = signed.length > 0 ? signed.slice() : Uint8Array.of(0);
  if (signed.length > 0) other[other.length >> 1] ^= 1;
  expect(verify('ES256', publicKey, other, signature)).toBe(false);
  // The high-S twin is the same signature: verify() refuses it, so there is exactly one encoding.
  const twin = signature.slice();
  let high = n - s;
  for (let i = 63; i >= 32; i--, high >>= 8n) twin[i] = Number(high & 0xffn);
  expect(verify('ES256', publicKey, signed, twin)).toBe(false);
}

describe('SoftwareKeystore presign', () => {
  it('makes a signature that verifies, is canonical, and is not the RFC 6979 one (the prepared nonce signed it)', () => {
    const entropy = deterministicEntropy('fresh');
    const { keystore, publicKey } = make(entropy);
    const drawn = entropy.drawn;
    expect(keystore.presign('terminal', use(7))).toBe(true);
    // The nonce's 32-byte salt, and 16 bytes blinding the scalar multiplication k·G.
    expect(entropy.drawn - drawn).toBe(48);
    const presigned = keystore.sign('terminal', message, use(7));
    expectCanonical(presigned, publicKey, message);
    const plain = keystore.sign('terminal', message);
    expectCanonical(plain, publicKey, message);
    expect(presigned.subarray(0, 32)).not.toEqual(plain.subarray(0, 32));
  });

  it('holds for messages of every shape: empty, one block, long', () => {
    const { keystore, publicKey } = make();
    for (const [i, signed] of [new Uint8Array(0), new Uint8Array(64).fill(0xff), new Uint8Array(1500).fill(7)].entries()) {
      expect(keystore.presign('terminal', use(i + 1))).toBe(true);
      expectCanonical(keystore.sign('terminal', signed, use(i + 1)), publicKey, signed);
    }
  });

  it('spends a prepared nonce at most once: the same use again signs in full (RFC 6979)', () => {
    const { keystore } = make();
    const rfc6979 = keystore.sign('terminal', message);
    keystore.presign('terminal', use(7));
    const first = keystore.sign('terminal', message, use(7));
    expect(first).not.toEqual(rfc6979);
    expect(keystore.sign('terminal', message, use(7))).toEqual(rfc6979);
  });

  it('discards the prepared nonce on any doubt: another use, a signature without one, a new presign, a delete', () => {
    const { keystore } = make();
    const rfc6979 = keystore.sign('terminal', message);
    keystore.presign('terminal', use(7));
    expect(keystore.sign('terminal', message, use(8))).toEqual(rfc6979);
    expect(keystore.sign('terminal', message, use(7))).toEqual(rfc6979);

    keystore.presign('terminal', use(7));
    keystore.sign('terminal', utf8ToBytes('an instruction in between'));
    expect(keystore.sign('terminal', message, use(7))).toEqual(rfc6979);

    keystore.presign('terminal', use(7));
    keystore.presign('terminal', use(8));
    expect(keystore.sign('terminal', message, use(7))).toEqual(rfc6979);

    const storage = new MemoryStorage();
    const again = new SoftwareKeystore({ store: storage.open({ path: 'keys' }), entropy: deterministicEntropy('d') });
    again.create('terminal', 'ES256');
    again.presign('terminal', use(7));
    again.delete('terminal');
    again.create('terminal', 'ES256');
    expect(again.sign('terminal', message, use(7))).toEqual(again.sign('terminal', message));
  });

  it('never gives two signatures the same r, even when the entropy source is stuck on the same bytes', () => {
    const stuck: Entropy = { fill: (bytes) => bytes.fill(0) };
    const storage = new MemoryStorage();
    const keystore = new SoftwareKeystore({ store: storage.open({ path: 'keys' }), entropy: deterministicEntropy('key') });
    const { publicKey } = keystore.create('terminal', 'ES256');
    const broken = new SoftwareKeystore({ store: storage.open({ path: 'keys' }), entropy: stuck });
    const seen = new Set<string>();
    const rOf = (signature: Uint8Array) => integer(signature.subarray(0, 32)).toString(16);
    seen.add(rOf(broken.sign('terminal', message)));
    for (let i = 0; i < 12; i++) {
      // The same use every time and the same message: only the per-instance count tells the nonces apart.
      expect(broken.presign('terminal', use(7))).toBe(true);
      const signature = broken.sign('terminal', message, use(7));
      expect(verify('ES256', publicKey, message, signature)).toBe(true);
      seen.add(rOf(signature));
      // A fresh instance (a reboot) over stuck entropy: its count starts again, and only the use differs.
      const rebooted = new SoftwareKeystore({ store: storage.open({ path: 'keys' }), entropy: stuck });
      rebooted.presign('terminal', use(100 + i));
      seen.add(rOf(rebooted.sign('terminal', message, use(100 + i))));
    }
    expect(seen.size).toBe(25);
  });

  it('prepares nothing for an EdDSA key, and gives typed errors', () => {
    const keystore = new SoftwareKeystore({ store: new MemoryStorage().open({ path: 'keys' }), entropy: deterministicEntropy('ed') });
    const { publicKey } = keystore.create('receipt', 'EdDSA');
    expect(keystore.presign('receipt', use(1))).toBe(false);
    expect(verify('EdDSA', publicKey, message, keystore.sign('receipt', message, use(1)))).toBe(true);
    let error: unknown;
    try {
      keystore.presign('nope', use(1));
    } catch (caught) {
      error = caught;
    }
    expect(isHalError(error) && error.kind).toBe('no-key');
    expect(() => keystore.presign('receipt', [1, 2] as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => keystore.sign('receipt', message, 'trace' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
