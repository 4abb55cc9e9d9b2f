/**
 * Preloaded on purpose (tools/device/modules.ts lets `test/moddable/*.rom.ts`
 * into the preload): module state that `xsl` puts in flash, so that
 * test/moddable/xs-bugs.lane.ts can show at run time what the XS bugs of
 * docs/moddable.md do to it, next to the workaround our code relies on.
 */

/** Bug 3: a BigInt in flash. */
export const romFive = 5n;

/** Bug 2: what esbuild's lowering of a `#private` field makes, a module-level WeakMap, here in flash. */
export const romLoweredField = new WeakMap<object, number>();

/** Bug 2's workaround: the device build does not lower class fields, so `#count` is XS's own, and works from flash. */
export class RomCounter {
  #count = 0;

  next(): number {
    this.#count += 1;
    return this.#count;
  }
}
