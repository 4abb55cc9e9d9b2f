/**
 * Property tests (Node only: fast-check). A payment code with any byte or
 * character changed never verifies; no input whatsoever makes the verifier,
 * the CBOR decoder or the base45 decoder throw anything but their typed errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '@noble/hashes/utils.js';
import { decodeBase45, encodeBase45, Base45Error, base45Alphabet } from '../../src/codec/base45';
import { decode, DecodeError } from '../../src/codec/cbor';
import { codePrefix, rejectReasons, type VerifyResult } from '../../src/paycode';
import { vectors } from '../core/paycode/vectors';
import { makeWorld } from '../core/paycode/world';

function expectTypedRejection(result: VerifyResult): void {
  expect(result.ok).toBe(false);
  if (!result.ok) expect(rejectReasons).toContain(result.reason);
}

for (const alg of ['ES256', 'EdDSA'] as const) {
  describe(`${alg} code mutations`, () => {
    const world = makeWorld(alg);
    const bytes = hexToBytes(vectors[alg].code);
    const text = vectors[alg].text;

    it('changing any byte never yields a verified customer', () => {
      // Every position at least once, then random positions and values.
      for (let i = 0; i < bytes.length; i++) {
        const mutated = bytes.slice();
        mutated[i] ^= 0x01;
        expectTypedRejection(world.verifier.verify(codePrefix + encodeBase45(mutated)));
      }
      fc.assert(
        fc.property(fc.nat(bytes.length - 1), fc.integer({ min: 1, max: 255 }), (index, delta) => {
          const mutated = bytes.slice();
          mutated[index] = (mutated[index] + delta) & 0xff;
          expectTypedRejection(world.verifier.verify(codePrefix + encodeBase45(mutated)));
        }),
        { numRuns: 300 },
      );
    });

    it('changing any character of the text never yields a verified customer', () => {
      fc.assert(
        fc.property(fc.nat(text.length - 1), fc.integer({ min: 1, max: base45Alphabet.length - 1 }), (index, shift) => {
          const at = base45Alphabet.indexOf(text[index]);
          const replacement = at < 0 ? 'X' : base45Alphabet[(at + shift) % base45Alphabet.length];
          expectTypedRejection(world.verifier.verify(text.slice(0, index) + replacement + text.slice(index + 1)));
        }),
        { numRuns: 300 },
      );
    });

    it('truncating or extending the code never yields a verified customer', () => {
      fc.assert(
        fc.property(fc.nat(bytes.length - 1), fc.uint8Array({ maxLength: 8 }), (cut, extra) => {
          const mutated = new Uint8Array([...bytes.subarray(0, cut), ...extra]);
          expectTypedRejection(world.verifier.verify(codePrefix + encodeBase45(mutated)));
          expectTypedRejection(world.verifier.verify(codePrefix + encodeBase45(new Uint8Array([...bytes, ...extra, 0]))));
        }),
        { numRuns: 200 },
      );
    });

    it('the unmutated vector still verifies (the properties above are not vacuous)', () => {
      expect(world.verifier.verify(text).ok).toBe(true);
    });
  });
}

describe('random input', () => {
  const world = makeWorld('EdDSA');

  it('the verifier returns a typed rejection for any text', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 700 }), fc.string({ unit: fc.constantFrom(...base45Alphabet), maxLength: 700 })), (text) => {
        expectTypedRejection(world.verifier.verify(text));
        expectTypedRejection(world.verifier.verify(codePrefix + text));
      }),
      { numRuns: 1000 },
    );
  });

  it('the verifier returns a typed rejection for any bytes behind the prefix', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 450 }), (bytes) => {
        expectTypedRejection(world.verifier.verify(codePrefix + encodeBase45(bytes)));
      }),
      { numRuns: 1000 },
    );
  });

  it('the CBOR decoder throws only DecodeError, the base45 decoder only Base45Error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.string({ maxLength: 64 }), (bytes, text) => {
        try { decode(bytes, { maxDepth: 8 }); } catch (error) { expect(error).toBeInstanceOf(DecodeError); }
        try { decodeBase45(text); } catch (error) { expect(error).toBeInstanceOf(Base45Error); }
      }),
      { numRuns: 3000 },
    );
  });
});
