import { describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { encode, Tagged, type CborValue } from '../../../src/codec/cbor';
import { CoseAlg, CoseError, decodeSign1, encodeSign1, HeaderLabel, sigStructure, toBeSigned } from '../../../src/cose/sign1';
import { verify } from '../../../src/crypto/verify';
import { utf8Decode, utf8Encode } from '../../../src/codec/utf8';

const unhex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
const hex = (bytes: Uint8Array) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

// RFC 9052 Appendix C.2.1: a tagged COSE_Sign1, ES256, kid "11" unprotected.
const rfcMessage = unhex(
  'd28443a10126a10442313154546869732069732074686520636f6e74656e742e58408eb33e4ca31d1c465ab05aac34cc6b23d58fef5c083106c4' +
    'd25a91aef0b0117e2af9a291aa32e14ab834dc56ed2a223444547e01f11d3b0916e5a4c345cacb36',
);
const rfcKey = unhex(
  '04bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e',
);

function reasonOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    if (error instanceof CoseError) return error.reason;
    return `untyped: ${error}`;
  }
  return 'accepted';
}

describe('COSE_Sign1', () => {
  it('decodes the RFC 9052 C.2.1 example and rebuilds its Sig_structure byte for byte', () => {
    const sign1 = decodeSign1(rfcMessage, { tag: 'required' });
    expect(sign1.alg).toBe(CoseAlg.ES256);
    expect(utf8Decode(sign1.unprotectedHeader.get(HeaderLabel.kid) as Uint8Array)).toBe('11');
    expect(utf8Decode(sign1.payload)).toBe('This is the content.');
    expect(hex(toBeSigned(sign1))).toBe('846a5369676e61747572653143a101264054546869732069732074686520636f6e74656e742e');
    expect(verify('ES256', rfcKey, toBeSigned(sign1), sign1.signature)).toBe(true);
  });

  it('signs through a caller-supplied function and verifies what it made', () => {
    const secret = unhex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
    const seen: Uint8Array[] = [];
    const bytes = encodeSign1({
      protectedHeader: new Map([[HeaderLabel.alg, CoseAlg.EdDSA]]),
      payload: utf8Encode('hello')!,
      sign: (tbs) => {
        seen.push(tbs);
        return ed25519.sign(tbs, secret);
      },
    });
    const sign1 = decodeSign1(bytes, { tag: 'required' });
    expect(seen[0]).toEqual(sigStructure(sign1.protectedBytes, sign1.payload));
    expect(verify('EdDSA', ed25519.getPublicKey(secret), toBeSigned(sign1), sign1.signature)).toBe(true);
    expect(verify('EdDSA', ed25519.getPublicKey(secret), toBeSigned(sign1, unhex('01')), sign1.signature)).toBe(false);
  });

  it('applies the tag policy', () => {
    const untagged = rfcMessage.subarray(1);
    expect(reasonOf(() => decodeSign1(untagged, { tag: 'required' }))).toBe('tag');
    expect(reasonOf(() => decodeSign1(untagged, { tag: 'optional' }))).toBe('accepted');
    expect(reasonOf(() => decodeSign1(rfcMessage, { tag: 'forbidden' }))).toBe('tag');
    expect(reasonOf(() => decodeSign1(unhex('d903e6' + hex(untagged))))).toBe('tag'); // tag 998
  });

  it('rejects malformed structures with typed reasons', () => {
    const message = (items: CborValue[]) => encode(new Tagged(18, items));
    const prot = encode(new Map([[1, -7]]));
    const sig = new Uint8Array(64);
    expect(reasonOf(() => decodeSign1(unhex('d28443a10126')))).toBe('cbor');
    expect(reasonOf(() => decodeSign1(message([prot, new Map(), new Uint8Array(1)])))).toBe('structure');
    expect(reasonOf(() => decodeSign1(message([prot, new Map(), null, sig])))).toBe('structure'); // detached
    expect(reasonOf(() => decodeSign1(message([new Map([[1, -7]]), new Map(), new Uint8Array(1), sig])))).toBe('structure');
    expect(reasonOf(() => decodeSign1(message([prot, [], new Uint8Array(1), sig])))).toBe('structure');
    expect(reasonOf(() => decodeSign1(message([prot, new Map(), new Uint8Array(1), 'x'])))).toBe('structure');
    expect(reasonOf(() => decodeSign1(message([encode([1]), new Map(), new Uint8Array(1), sig])))).toBe('protected-header');
    expect(reasonOf(() => decodeSign1(message([encode(new Map()), new Map(), new Uint8Array(1), sig])))).toBe('protected-header');
    expect(reasonOf(() => decodeSign1(message([encode(new Map([[4, new Uint8Array(1)]])), new Map(), new Uint8Array(1), sig])))).toBe('protected-header');
    expect(reasonOf(() => decodeSign1(message([unhex('a1012600'), new Map(), new Uint8Array(1), sig])))).toBe('cbor');
    expect(reasonOf(() => decodeSign1(message([prot, new Map([[1, -8]]), new Uint8Array(1), sig])))).toBe('header-conflict');
    expect(reasonOf(() => decodeSign1(rfcMessage, { maxBytes: 50 }))).toBe('cbor');
  });

  it('refuses critical headers it does not understand, and crit anywhere but protected (RFC 9052 §3.1)', () => {
    const sig = new Uint8Array(64);
    const withProtected = (entries: [number, CborValue][], unprotectedHeader = new Map()) =>
      encode(new Tagged(18, [encode(new Map(entries)), unprotectedHeader, new Uint8Array(1), sig]));
    // crit naming a present label nobody here understands
    expect(reasonOf(() => decodeSign1(withProtected([[1, -7], [2, [99]], [99, 1]])))).toBe('critical-header');
    // ... accepted only where the recipient says it understands it
    expect(reasonOf(() => decodeSign1(withProtected([[1, -7], [2, [99]], [99, 1]]), { criticalLabels: [99] }))).toBe('accepted');
    expect(reasonOf(() => decodeSign1(withProtected([[1, -7], [2, []]])))).toBe('critical-header'); // empty
    expect(reasonOf(() => decodeSign1(withProtected([[1, -7], [2, 99]])))).toBe('critical-header'); // not an array
    expect(reasonOf(() => decodeSign1(withProtected([[1, -7], [2, [new Uint8Array(1)]]])))).toBe('critical-header'); // not a label
    expect(reasonOf(() => decodeSign1(withProtected([[1, -7], [2, [99]]]), { criticalLabels: [99] }))).toBe('critical-header'); // names an absent label
    expect(reasonOf(() => decodeSign1(withProtected([[1, -7]], new Map([[2, [4]]]))))).toBe('critical-header'); // unprotected crit
  });

  it('refuses protected labels outside a format\'s list when it gives one', () => {
    const sig = new Uint8Array(64);
    const message = encode(new Tagged(18, [encode(new Map<number, CborValue>([[1, -7], [3, 'x'], [-65537, 1]])), new Map(), new Uint8Array(1), sig]));
    expect(reasonOf(() => decodeSign1(message))).toBe('accepted');
    expect(reasonOf(() => decodeSign1(message, { protectedLabels: [1, 3] }))).toBe('unknown-header');
    expect(reasonOf(() => decodeSign1(message, { protectedLabels: [1, 3, -65537] }))).toBe('accepted');
  });
});
