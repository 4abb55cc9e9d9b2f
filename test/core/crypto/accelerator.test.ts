/**
 * The seam for a board's crypto (hal/crypto.ts, `verifyWith` in
 * src/crypto/verify.ts): the core's checks stay in JS before the board's
 * arithmetic, the accelerator is really used where the terminal verifies (the
 * payment-code lists and signatures, the authorizer's decisions), and the
 * pure-JS path stays `verify` itself. Here the accelerator is noble's own
 * point arithmetic (the Moddable lane runs the native one against Wycheproof:
 * test/moddable/native-crypto.lane.ts).
 */
import { describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import type { CryptoAccelerator } from '../../../hal/crypto';
import { MemoryStorage } from '../../../hal/portable/memory-storage';
import { requestHash, signDecision, verifyDecision } from '../../../src/authorization/decision';
import { PreparedKeys } from '../../../src/crypto/prepared-keys';
import { verify, verifyWith } from '../../../src/crypto/verify';
import { openPaycodeTerminal } from '../../../src/paycode';
import { keyPairFromSecret, makePaymentCode, signerFor } from '../../../tools/wallet/wallet';
import { CounterEntropy, epoch, makeWorld, secrets } from '../paycode/world';
import { createTerminal } from '../../../src/terminal/terminal';
import { bench, prefixChecker, testConfig, untilSettled } from '../../support/terminal-fixture';

const unhex = (text: string) => {
  const out = new Uint8Array(text.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
};

// RFC 9052 Appendix C.2.1: an ES256 Sig_structure, its signature (low-S) and key "11".
const x = 'bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff';
const y = '20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e';
const key = unhex('04' + x + y);
const compressed = unhex('02' + x);
const message = unhex('846a5369676e61747572653143a101264054546869732069732074686520636f6e74656e742e');
const signature = unhex('8eb33e4ca31d1c465ab05aac34cc6b23d58fef5c083106c4d25a91aef0b0117e2af9a291aa32e14ab834dc56ed2a223444547e01f11d3b0916e5a4c345cacb36');
const n = p256.Point.Fn.ORDER;

function scalarBytes(value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 31; i >= 0; i--, value >>= 8n) out[i] = Number(value & 0xffn);
  return out;
}
function withScalars(r: bigint, s: bigint): Uint8Array {
  const out = new Uint8Array(64);
  out.set(scalarBytes(r), 0);
  out.set(scalarBytes(s), 32);
  return out;
}

/** The ES256 equation with noble's point arithmetic: what a native or hardware accelerator computes. */
function referenceEs256(digest: Uint8Array, r: bigint, s: bigint, qx: bigint, qy: bigint): boolean {
  const Fn = p256.Point.Fn;
  let e = 0n;
  for (let i = 0; i < 32; i++) e = (e << 8n) | BigInt(digest[i]);
  const w = Fn.inv(s);
  const R = p256.Point.BASE.multiplyUnsafe(Fn.create(e * w)).add(p256.Point.fromAffine({ x: qx, y: qy }).multiplyUnsafe(Fn.create(r * w)));
  return !R.is0() && Fn.create(R.toAffine().x) === r;
}

/** An accelerator that counts its calls and answers with `es256`. */
function counting(es256: NonNullable<CryptoAccelerator['es256']>) {
  const calls = { es256: 0, sha256: 0 };
  const accelerator: CryptoAccelerator = {
    sha256: (data) => {
      calls.sha256++;
      return nobleSha256(data);
    },
    es256: (digest, r, s, qx, qy) => {
      calls.es256++;
      return es256(digest, r, s, qx, qy);
    },
  };
  return { accelerator, calls };
}

describe('verifyWith: a board accelerator behind verify', () => {
  it('without an accelerator (or an empty one) it is verify itself', () => {
    expect(verifyWith(undefined)).toBe(verify);
    expect(verifyWith({})).toBe(verify);
  });

  it('gives the verdicts of verify with the reference equation, key uncompressed and compressed', () => {
    const { accelerator, calls } = counting(referenceEs256);
    const check = verifyWith(accelerator);
    expect(check('ES256', key, message, signature)).toBe(true);
    expect(check('ES256', compressed, message, signature)).toBe(true);
    const other = message.slice();
    other[3] ^= 1;
    expect(check('ES256', key, other, signature)).toBe(false);
    expect(calls).toEqual({ es256: 3, sha256: 3 });
  });

  it('keeps every check in the core: an accelerator that says yes to everything is never asked about a refused encoding', () => {
    const { accelerator, calls } = counting(() => true);
    const check = verifyWith(accelerator);
    const r = BigInt('0x' + Array.from(signature.subarray(0, 32), (b) => (b < 16 ? '0' : '') + b.toString(16)).join(''));
    const s = BigInt('0x' + Array.from(signature.subarray(32), (b) => (b < 16 ? '0' : '') + b.toString(16)).join(''));
    const offCurve = key.slice();
    offCurve[64] ^= 1;
    const refused: [string, Uint8Array, Uint8Array][] = [
      ['the high-S twin of a valid signature', key, withScalars(r, n - s)],
      ['r = 0', key, withScalars(0n, 1n)],
      ['s = 0', key, withScalars(1n, 0n)],
      ['r = n', key, withScalars(n, 1n)],
      ['s = n', key, withScalars(1n, n)],
      ['63 bytes', key, signature.subarray(0, 63)],
      ['key off the curve', offCurve, signature],
      ['compressed key with a bad prefix', unhex('05' + x), signature],
      ['compressed key whose x is not on the curve', unhex('02' + '00'.repeat(31) + '01'), signature],
      ['x = p', unhex('04' + 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff' + y), signature],
      ['the point at infinity', Uint8Array.of(0), signature],
    ];
    const accepted = refused.filter(([, k, s]) => check('ES256', k, message, s)).map(([name]) => name);
    expect(accepted).toEqual([]);
    expect(calls.es256).toBe(0);
    // Only the equation is delegated: for a well-formed input the accelerator's answer is the answer.
    expect(check('ES256', key, new Uint8Array(1), signature)).toBe(true);
    expect(calls.es256).toBe(1);
  });

  it('an accelerator that refuses or throws makes a valid signature fail, never an exception', () => {
    expect(verifyWith(counting(() => false).accelerator)('ES256', key, message, signature)).toBe(false);
    expect(verifyWith(counting(() => { throw new Error('peripheral busy'); }).accelerator)('ES256', key, message, signature)).toBe(false);
    // The digest is the accelerator's too: a wrong one fails the pure-JS equation (sha256 only).
    expect(verifyWith({ sha256: () => new Uint8Array(32) })('ES256', key, message, signature)).toBe(false);
    expect(verifyWith({ sha256: (data) => nobleSha256(data) })('ES256', key, message, signature)).toBe(true);
    expect(verifyWith({ sha256: () => new Uint8Array(31) })('ES256', key, message, signature)).toBe(false);
  });

  it('a prepared-key set with an ES256 accelerator leaves ES256 keys to it', () => {
    const { accelerator, calls } = counting(referenceEs256);
    const keys = new PreparedKeys(undefined, accelerator);
    expect(keys.prepare('ES256', key)).toBe(true);
    expect(keys.has('ES256', key)).toBe(false);
    expect(keys.prepare('ES256', unhex('05' + x))).toBe(false);
    expect(keys.verify('ES256', key, message, signature)).toBe(true);
    expect(calls.es256).toBe(1);
  });
});

describe('the accelerator reaches every signature the terminal checks', () => {
  const now = epoch + 60;

  it('payment codes: the operator lists, the issuer and the device signatures', () => {
    const world = makeWorld('ES256');
    const root = { alg: world.operator.alg, publicKey: world.operator.publicKey };
    const { accelerator, calls } = counting(referenceEs256);
    const terminal = openPaycodeTerminal({ storage: new MemoryStorage(), root, clock: world.clock, crypto: accelerator });
    expect(terminal.trustStore.install(world.trustList, now)).toMatchObject({ ok: true });
    expect(terminal.denyList.install(world.denyList, now)).toMatchObject({ ok: true });
    expect(calls.es256).toBe(2);
    const code = makePaymentCode(world.credential, world.device, { clock: world.clock, entropy: new CounterEntropy(0x40) });
    expect(terminal.verifier.verify(code.text)).toMatchObject({ ok: true });
    expect(calls.es256).toBe(4); // the issuer's signature on the credential, the device's on the code

    const refusing = openPaycodeTerminal({ storage: new MemoryStorage(), root, clock: world.clock, crypto: counting(() => false).accelerator });
    expect(refusing.trustStore.install(world.trustList, now)).toMatchObject({ ok: false, reason: 'bad-signature' });
    expect(refusing.denyList.install(world.denyList, now)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });

  it("the authorizer's decisions", () => {
    const pair = keyPairFromSecret('ES256', unhex(secrets.issuer));
    const authorizer = { alg: 'ES256' as const, sign: signerFor(pair) };
    const request = new Uint8Array([1, 2, 3]);
    const signed = signDecision({
      requestHash: requestHash(request), terminalId: 'T-1', trace: 7, outcome: 'declined', reason: 'insufficient-funds', display: 'Declined', issuedAt: 1000,
    }, authorizer);
    const expect0 = { authorizer: { alg: 'ES256' as const, publicKey: pair.publicKey }, requestHash: requestHash(request), terminalId: 'T-1', trace: 7, now: 1000, maxSkew: 1000 };
    const { accelerator, calls } = counting(referenceEs256);
    expect(verifyDecision(signed, { ...expect0, verify: verifyWith(accelerator) })).toMatchObject({ ok: true });
    expect(calls.es256).toBe(1);
    expect(verifyDecision(signed, { ...expect0, verify: verifyWith(counting(() => false).accelerator) })).toMatchObject({ ok: false, problem: 'bad-signature' });
  });

  it("a charge's decision, in the terminal (the board's equation decides it)", async () => {
    const pair = keyPairFromSecret('ES256', unhex(secrets.issuer));
    const b = bench();
    b.authorizer.key = { alg: 'ES256', sign: signerFor(pair), publicKey: { alg: 'ES256', publicKey: pair.publicKey } };
    const { accelerator, calls } = counting(referenceEs256);
    b.hal.crypto = accelerator;
    const terminal = createTerminal({ hal: b.hal, config: testConfig, codes: prefixChecker });
    await untilSettled(b.clock, terminal.start());
    const pay = async (code: string) => {
      const pending = terminal.charge({ amount: 450, currency: 'EUR', purpose: 'counter-sale', reference: code });
      expect(terminal.present(code)).toBe(true);
      return untilSettled(b.clock, pending);
    };
    const before = calls.es256;
    expect(await pay('GOOD-1')).toMatchObject({ outcome: 'approved', actuated: true });
    expect(calls.es256 - before).toBe(1);
    // An accelerator that refuses: the genuine approval is not acted on (here it would be, were the board's equation skipped).
    const refusing = counting(() => false);
    b.hal.crypto!.es256 = refusing.accelerator.es256;
    expect(await pay('GOOD-2')).toMatchObject({ actuated: false });
    expect(refusing.calls.es256).toBeGreaterThan(0);
    expect(b.actuator.holds).toHaveLength(1);
  });
});
