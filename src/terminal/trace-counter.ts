/**
 * The per-terminal trace number (ISO 8583's systems trace audit number, widened
 * to 53 bits so it never wraps). A trace number is used at most once, even
 * across a power cut: `take()` durably stores the NEXT value before handing
 * out the current one. A cut after the write skips a number (harmless: the
 * authorizer only needs them to increase); a cut before it leaves the number
 * unused, so the same value comes back after the reboot and nothing was sent
 * with it. The stored value is 8 bytes, big-endian.
 */
import type { KeyValueStore } from '../../hal/storage';
import { TerminalError } from './errors';

export const traceKey = 'trace.next';
const maxTrace = Number.MAX_SAFE_INTEGER;

export class TraceCounter {
  readonly #store: KeyValueStore;

  constructor(store: KeyValueStore) {
    this.#store = store;
  }

  /** The value `take()` would hand out next (1 on a fresh terminal). */
  peek(): number {
    const stored = this.#store.read(traceKey);
    if (stored === undefined) return 1;
    const value = decodeCounter(stored);
    if (value === undefined) {
      // Never restart from 1 over a damaged record: that would reuse numbers.
      throw new TerminalError('storage', 'the stored trace counter is damaged; refusing to guess a trace number');
    }
    return value;
  }

  /** Makes sure the next number is at least `floor` (the authorizer's word at enrollment); never lowers it. */
  raiseTo(floor: number): void {
    if (!(Number.isInteger(floor) && floor >= 1 && floor <= maxTrace)) throw new TerminalError('storage', `not a trace number: ${floor}`);
    if (this.peek() >= floor) return;
    this.#store.write(traceKey, encodeCounter(floor));
  }

  /** Reserves and returns the next trace number; throws (HalError or TerminalError) if it could not be persisted. */
  take(): number {
    const current = this.peek();
    if (current >= maxTrace) throw new TerminalError('storage', 'trace numbers are exhausted');
    this.#store.write(traceKey, encodeCounter(current + 1));
    return current;
  }
}

export function encodeCounter(value: number): Uint8Array {
  const bytes = new Uint8Array(8);
  let rest = value;
  for (let i = 7; i >= 0; i--) {
    bytes[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  return bytes;
}

function decodeCounter(bytes: Uint8Array): number | undefined {
  if (bytes.length !== 8) return undefined;
  let value = 0;
  for (let i = 0; i < 8; i++) value = value * 256 + bytes[i];
  return value >= 1 && value <= maxTrace ? value : undefined;
}
