/**
 * The three XS behaviours of docs/moddable.md ("XS and SDK problems met") that
 * our code works around, on the Moddable runtime (a lane-only file: xsnap and
 * Node have none of them). For each: an expected-failure assertion that shows
 * the bug is still there (when an SDK fixes it, that assertion fails and the
 * workaround can be reconsidered), and our code path through the workaround,
 * which fails if the workaround is removed. The module state in flash comes
 * from test/moddable/xs-bugs.rom.ts, preloaded on purpose.
 */
import { describe, expect, it } from 'vitest';
import { HalError } from '../../hal/errors';
import { DigitalActuator } from '../../hal/portable/digital-actuator';
import { ManualClock } from '../../hal/portable/manual-clock';
import { Base45Error } from '../../src/codec/base45';
import { Base64urlError } from '../../src/codec/base64url';
import { DecodeError } from '../../src/codec/cbor';
import { CoseKeyError } from '../../src/cose/key';
import { CoseError } from '../../src/cose/sign1';
import { ClaimError } from '../../src/cwt/claims';
import { FormatError } from '../../src/authorization/fields';
import { PaycodeError } from '../../src/paycode/reasons';
import { TerminalError } from '../../src/terminal/errors';
import { verify } from '../../src/crypto/verify';
import { RomCounter, romFive, romLoweredField } from './xs-bugs.rom';

describe('XS bug 1: the built-in prototypes are frozen in every Moddable build', () => {
  it('still there: assigning `name` in an Error subclass throws (the override mistake), as does `toString` on a plain object', () => {
    class Named extends Error {
      constructor() {
        super('x');
        this.name = 'Named';
      }
    }
    expect(() => new Named()).toThrow(/not writable/);
    const plain: { toString?: () => string } = {};
    expect(() => {
      plain.toString = () => 'x';
    }).toThrow(TypeError);
  });

  it('our workaround: every typed error names itself with a prototype getter', () => {
    const errors: Error[] = [
      new HalError('io', 'x'), new TerminalError('storage', 'x'), new PaycodeError('malformed', 'x'), new FormatError('field', 'x'),
      new DecodeError('truncated', 0, 'x'), new Base45Error('invalid-character', 'x'), new Base64urlError('invalid-character', 'x'), new CoseError('structure', 'x'),
      new CoseKeyError('x'), new ClaimError(1, 'x'),
    ];
    expect(errors.map((e) => e.name)).toEqual([
      'HalError', 'TerminalError', 'PaycodeError', 'FormatError', 'DecodeError', 'Base45Error', 'Base64urlError', 'CoseError', 'CoseKeyError', 'ClaimError',
    ]);
  });
});

describe('XS bug 2: lowered #private fields are read only in flash', () => {
  it('still there: a WeakMap preloaded into flash (what esbuild lowers `#x` to) refuses a write at run time', () => {
    expect(() => romLoweredField.set({}, 1)).toThrow(/read-only/);
  });

  it('our workaround: #private fields are not lowered, so preloaded classes with them work at run time', () => {
    const counter = new RomCounter();
    expect([counter.next(), counter.next()]).toEqual([1, 2]);
    expect(Object.isFrozen(RomCounter)).toBe(true); // it is the preloaded (flash) class
    // The core's own: the actuator and the manual clock are preloaded and keep their state in #fields.
    const clock = new ManualClock({ wallTime: 0 });
    const written: number[] = [];
    const actuator = new DigitalActuator({ output: { write: (value: number) => written.push(value) }, clock });
    expect(Object.isFrozen(DigitalActuator)).toBe(true);
    expect(written).toEqual([0]);
    void actuator;
  });
});

describe('XS bug 3: a BigInt in flash is not === to an equal BigInt made at run time', () => {
  it('still there: === and == say false where Object.is, < and arithmetic agree', () => {
    const five = BigInt(5);
    expect(romFive === five).toBe(false);
    // eslint-disable-next-line eqeqeq
    expect(romFive == five).toBe(false);
    expect(Object.is(romFive, five)).toBe(true);
    expect(romFive < 6n && romFive > 4n).toBe(true);
    expect(romFive + 0n === five).toBe(true); // a result is made at run time
  });

  it('our workaround: the code that compares BigInts (noble, crypto/verify) is loaded at boot, not preloaded', () => {
    expect(Object.isFrozen(verify)).toBe(false); // not a preloaded (frozen) function
    const key = Uint8Array.from([4, ...hexBytes('bac5b11cad8f99f9c72b05cf4b9e26d244dc189f745228255a219a86d6a09eff'), ...hexBytes('20138bf82dc1b6d562be0fa54ab7804a3a64b6d72ccfed6b6fb6ed28bbfc117e')]);
    const message = hexBytes('846a5369676e61747572653143a101264054546869732069732074686520636f6e74656e742e');
    const signature = hexBytes('8eb33e4ca31d1c465ab05aac34cc6b23d58fef5c083106c4d25a91aef0b0117e2af9a291aa32e14ab834dc56ed2a223444547e01f11d3b0916e5a4c345cacb36');
    expect(verify('ES256', key, message, signature)).toBe(true);
  });
});

function hexBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16);
  return out;
}
