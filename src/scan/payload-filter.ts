/**
 * Turns a stream of readings into scans: a code held in front of the camera
 * is read on every frame, but it is one scan. A payload is handed on when it
 * differs from the last one, or when the same payload reappears after more
 * than `holdOffMs` without being seen (taken away and shown again). Time is
 * whatever monotonic milliseconds the caller passes (the clock HAL).
 */
export class PayloadFilter {
  private last: Uint8Array | undefined;
  private lastSeenAt = 0;

  constructor(readonly holdOffMs: number) {
    if (!(holdOffMs >= 0)) throw new RangeError(`holdOffMs must be >= 0, got ${holdOffMs}`);
  }

  /** True when `payload` seen at `now` is a new scan; records the sighting either way. */
  accept(payload: Uint8Array, now: number): boolean {
    const repeat = this.last !== undefined && sameBytes(this.last, payload) && now - this.lastSeenAt <= this.holdOffMs;
    this.last = payload;
    this.lastSeenAt = now;
    return !repeat;
  }

  /** Forgets the last payload: the next reading is a scan whatever it is. */
  reset(): void {
    this.last = undefined;
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
