/**
 * The terminal spends the keystore's idle-time presign on the request it signs next (issue #16; hal/keystore.ts
 * `presign`, docs/security.md "Presigned nonces"), on Node and XS. A full ES256 signature from the software
 * keystore is RFC 6979 (deterministic), so a request signature that verifies but differs from the RFC 6979 one
 * for the same key and bytes was made from a presigned nonce. These fail if the terminal stops presigning, stops
 * passing the trace number as `use`, or presigns for another trace than the one the request carries.
 */
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import type { Keystore, PublicKeyInfo, SignatureAlgorithm } from '../../../hal/keystore';
import { SoftwareKeystore } from '../../../hal/portable/software-keystore';
import { openRequest } from '../../../src/authorization/request';
import { toBeSigned } from '../../../src/cose/sign1';
import { verify } from '../../../src/crypto/verify';
import { createTerminal, type Terminal } from '../../../src/terminal/terminal';
import { encodeCounter } from '../../../src/terminal/trace-counter';
import { bench, prefixChecker, testConfig, untilSettled, type Bench } from '../../support/terminal-fixture';

const coffee = { amount: 450, currency: 'EUR', purpose: 'counter-sale' as const, reference: 'order-1' };

/** Passes every call to the software keystore and records the presigns and signatures the terminal asks for. */
class RecordingKeystore implements Keystore {
  readonly presigns: Uint8Array[] = [];
  /** Each signature, with the `use` it was asked for and the last presign made before it. */
  readonly signs: { message: Uint8Array; use: Uint8Array | undefined; signature: Uint8Array; presigned: Uint8Array | undefined }[] = [];
  /** Rewrites the `use` a presign is made for (a presign for the wrong trace must be discarded, not spent). */
  presignFor: (use: Uint8Array) => Uint8Array = (use) => use;
  constructor(readonly inner: SoftwareKeystore) {}
  has(name: string): boolean {
    return this.inner.has(name);
  }
  create(name: string, alg: SignatureAlgorithm): PublicKeyInfo {
    return this.inner.create(name, alg);
  }
  publicKey(name: string): PublicKeyInfo | undefined {
    return this.inner.publicKey(name);
  }
  sign(name: string, message: Uint8Array, use?: Uint8Array): Uint8Array {
    const signature = use === undefined ? this.inner.sign(name, message) : this.inner.sign(name, message, use);
    this.signs.push({ message: message.slice(), use: use?.slice(), signature, presigned: this.presigns[this.presigns.length - 1] });
    return signature;
  }
  presign(name: string, use: Uint8Array): boolean {
    const actual = this.presignFor(use);
    this.presigns.push(actual.slice());
    return this.inner.presign(name, actual);
  }
  delete(name: string): void {
    this.inner.delete(name);
  }
}

function same(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && a.length === b.length && a.every((byte, i) => byte === b[i]);
}

async function setUp(): Promise<{ b: Bench; keystore: RecordingKeystore; terminal: Terminal }> {
  const b = bench();
  const keystore = new RecordingKeystore(b.hal.keystore as SoftwareKeystore);
  b.hal.keystore = keystore;
  const terminal = createTerminal({ hal: b.hal, config: { ...testConfig, keyAlgorithm: 'ES256' }, codes: prefixChecker });
  await terminal.start();
  return { b, keystore, terminal };
}

/** The terminal key's secret, read from the keys domain the way the software keystore stores it: [format, alg, ...secret]. */
function terminalSecret(b: Bench): Uint8Array {
  const record = b.storage.open({ path: 'keys' }).read('terminal');
  if (!record || record[1] !== 1) throw new Error('expected the software keystore\'s ES256 record');
  return record.subarray(2);
}

/** One charge; returns the request the authorizer received, its trace, and the keystore call that signed it. */
async function charge(b: Bench, terminal: Terminal, keystore: RecordingKeystore, code: string) {
  // The idle presign runs on the clock HAL's next timer turn after start() or the previous charge.
  await b.clock.advanceAsync(1);
  const pending = terminal.charge(coffee);
  expect(terminal.present(code)).toBe(true);
  const decision = await untilSettled(b.clock, pending);
  expect(decision.outcome).toBe('approved');
  const bytes = b.authorizer.received[b.authorizer.received.length - 1];
  const opened = openRequest(bytes);
  const tbs = toBeSigned(opened.envelope.sign1);
  const call = keystore.signs.find((s) => same(s.message, tbs));
  if (!call) throw new Error('the request was not signed through the keystore');
  expect(call.signature).toEqual(opened.envelope.sign1.signature);
  return { trace: decision.trace!, signature: opened.envelope.sign1.signature, message: tbs, call, key: terminal.identity!.key.publicKey };
}

describe('terminal: the request spends the idle-time presign', () => {
  it('signs each request from the nonce presigned for its trace number', async () => {
    const { b, keystore, terminal } = await setUp();
    const secret = terminalSecret(b);
    for (const code of ['GOOD-1', 'GOOD-2']) {
      const paid = await charge(b, terminal, keystore, code);
      // Presigned while idle (after start, then after the previous charge) for exactly this request's trace, and
      // the request signed with that use.
      expect(paid.call.presigned).toEqual(encodeCounter(paid.trace));
      expect(paid.call.use).toEqual(encodeCounter(paid.trace));
      expect(verify('ES256', paid.key, paid.message, paid.signature)).toBe(true);
      // Not the full (RFC 6979) signature: the presigned nonce made it.
      const full = p256.sign(paid.message, secret, { prehash: true, lowS: true, format: 'compact' });
      expect(same(paid.signature, full)).toBe(false);
    }
    expect(b.authorizer.decided).toHaveLength(2);
  });

  it('falls back to a full signature that verifies when the presign was for another trace', async () => {
    const { b, keystore, terminal } = await setUp();
    const secret = terminalSecret(b);
    keystore.presignFor = (use) => encodeCounter(Number(BigInt('0x' + Array.from(use, (x) => x.toString(16).padStart(2, '0')).join(''))) + 1);
    const paid = await charge(b, terminal, keystore, 'GOOD-1');
    expect(paid.call.presigned).toEqual(encodeCounter(paid.trace + 1));
    expect(verify('ES256', paid.key, paid.message, paid.signature)).toBe(true);
    expect(paid.signature).toEqual(p256.sign(paid.message, secret, { prehash: true, lowS: true, format: 'compact' }));
  });

  it('falls back to a full signature that verifies when another signature came between the presign and the request', async () => {
    const { b, keystore, terminal } = await setUp();
    const secret = terminalSecret(b);
    await b.clock.advanceAsync(1);
    expect(keystore.presigns).toHaveLength(1);
    // Something else signed by the terminal key first (a reversal, an instruction): the presign is discarded.
    keystore.inner.sign('terminal', Uint8Array.of(1, 2, 3));
    const paid = await charge(b, terminal, keystore, 'GOOD-1');
    expect(paid.call.use).toEqual(encodeCounter(paid.trace));
    expect(verify('ES256', paid.key, paid.message, paid.signature)).toBe(true);
    expect(paid.signature).toEqual(p256.sign(paid.message, secret, { prehash: true, lowS: true, format: 'compact' }));
  });
});
