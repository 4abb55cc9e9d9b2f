/**
 * What the terminal may believe about the time. Its wall clock (SNTP, an RTC,
 * or nothing at all after a cold boot) decides whether a payment code has
 * expired and whether the operator lists are current, so a wrong clock is a
 * wrong judgement: days fast, every list looks expired; days slow, revoked
 * credentials look fine. The authorizer's clock is the reference: every
 * verified answer bound to a request the terminal just sent (an enrollment
 * answer, a decision) carries the authorizer's time and was made between the
 * moment the request left and the moment the answer came back, so it is a
 * trusted time sample with an error of at most that round trip. The sample
 * is carried forward on the monotonic clock (which wall-time changes do not
 * move), allowing for its drift.
 *
 * The terminal refuses to act (`check` says why) while its wall clock and the
 * trusted time disagree by more than the skew, or while its wall clock is
 * before a time it has seen the authorizer sign (a clock that went back, or
 * never was set). It does not set its clock itself: the host gets the
 * authorizer's time in the refusal and may (`Time.set` on Moddable).
 * Nothing is persisted: after a reboot the first verified answer teaches the
 * offset again, and until then only the stored enrollment's time bounds it
 * from below. Plain ECMAScript; runs on XS.
 */
import type { Clock } from '../../hal/clock';

/** How much a crystal-driven monotonic clock may drift, as a fraction (100 ppm, 8.6 s a day). */
export const monotonicDrift = 1e-4;

export type ClockVerdict =
  | { ok: true }
  | { ok: false; reason: 'clock-skew'; detail: string; terminalTime: number; authorizerTime: number };

interface Anchor {
  /** The authorizer's time at `monotonic`, best estimate, ms. */
  authorizerTime: number;
  monotonic: number;
  /** How far the estimate may be off at `monotonic`, ms. */
  uncertainty: number;
}

export class ClockTrust {
  readonly #clock: Clock;
  readonly #maxSkew: number;
  #anchor: Anchor | undefined;
  #floor = 0;

  /** `maxSkew`: how far (ms) the terminal's wall clock may be from the authorizer's. */
  constructor(clock: Clock, maxSkew: number) {
    this.#clock = clock;
    this.#maxSkew = maxSkew;
  }

  /**
   * A time the authorizer signed, in an answer that is NOT known to be fresh
   * (the stored enrollment): the present is at least that late.
   */
  notBefore(authorizerTime: number): void {
    if (Number.isFinite(authorizerTime) && authorizerTime > this.#floor) this.#floor = authorizerTime;
  }

  /**
   * A verified answer bound to a request first sent at monotonic `sentAt`
   * carried the authorizer's time `issuedAt` (ms): it was made at some moment
   * between then and now.
   */
  observe(issuedAt: number, sentAt: number): ClockVerdict {
    const now = this.#clock.monotonic();
    if (Number.isFinite(issuedAt) && now >= sentAt) {
      const half = (now - sentAt) / 2;
      const anchor = { authorizerTime: issuedAt + half, monotonic: now, uncertainty: half };
      // Keep the tighter of the new sample and the old one carried forward.
      if (!this.#anchor || anchor.uncertainty <= this.#carried(this.#anchor, now).uncertainty) this.#anchor = anchor;
      this.notBefore(issuedAt);
    }
    return this.check();
  }

  /** The authorizer's time now as best known, undefined before the first fresh sample. */
  trustedNow(): number | undefined {
    return this.#anchor ? Math.round(this.#carried(this.#anchor, this.#clock.monotonic()).authorizerTime) : undefined;
  }

  /** Whether the terminal may act on its wall clock now. */
  check(): ClockVerdict {
    const wall = this.#clock.now();
    if (!Number.isFinite(wall)) return this.#refuse(wall, this.#floor, 'the wall clock gives no time');
    if (this.#anchor) {
      const { authorizerTime, uncertainty } = this.#carried(this.#anchor, this.#clock.monotonic());
      const off = wall - authorizerTime;
      if (Math.abs(off) - uncertainty > this.#maxSkew) {
        return this.#refuse(wall, authorizerTime, `the terminal clock is ${Math.round(Math.abs(off) / 1000)} s ${off > 0 ? 'ahead of' : 'behind'} the authorizer's, beyond ±${this.#maxSkew / 1000} s`);
      }
    }
    if (wall < this.#floor - this.#maxSkew) {
      return this.#refuse(wall, this.#floor, `the terminal clock is before a time the authorizer already signed (${new Date(this.#floor).toISOString()})`);
    }
    return { ok: true };
  }

  #carried(anchor: Anchor, monotonic: number): { authorizerTime: number; uncertainty: number } {
    const elapsed = monotonic - anchor.monotonic;
    return { authorizerTime: anchor.authorizerTime + elapsed, uncertainty: anchor.uncertainty + Math.abs(elapsed) * monotonicDrift };
  }

  #refuse(terminalTime: number, authorizerTime: number, detail: string): ClockVerdict {
    return { ok: false, reason: 'clock-skew', detail, terminalTime, authorizerTime: Math.round(authorizerTime) };
  }
}
