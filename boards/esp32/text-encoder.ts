/// <reference path="./text-encoder.d.ts" />
/**
 * Installs Moddable's native TextEncoder (`text/encoder`) as the global that
 * @noble's utf8ToBytes expects: Moddable has no global TextEncoder, and noble
 * calls it while its modules initialise (domain-separation tags). Imported
 * first by a board's main, so it runs before the core loads at boot.
 */
import TextEncoder from 'text/encoder';

const scope = globalThis as { TextEncoder?: unknown };
if (scope.TextEncoder === undefined) scope.TextEncoder = TextEncoder;
