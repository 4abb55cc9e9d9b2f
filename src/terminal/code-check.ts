/**
 * The terminal's own look at a payment code before it asks the authorizer.
 * The terminal never approves on its own: a code that verifies is forwarded
 * with the verdict "verified"; a code it rejects is declined on the spot (no
 * trace number, no network) unless the rejection may come from the terminal's
 * own stale knowledge (an issuer it does not know yet), in which case the
 * authorizer, which knows better, decides.
 */
import type { CodeVerdict } from '../authorization/request';
import type { OfflineLimits } from '../authorization/enrollment';

export interface CodeCheck {
  verdict: CodeVerdict;
  /** True when the terminal declines without asking the authorizer. */
  decline: boolean;
  /** A short description for events and logs (the account pseudonym, never secrets). */
  summary: string;
  /** The terminal's lists are out of date: fetch them again before the next code. */
  refresh?: true;
  /** For a code verified fully offline: what offline acceptance needs to know of its credential. */
  offline?: { credential: string; allowed: boolean; cap?: number };
}

/** What installing a freshly downloaded list did: `ok` with the version, or why it was kept out. */
export type ListUpdate = { ok: true; version: number } | { ok: false; reason: string; detail: string };

export interface CodeChecker {
  /** Judges one scanned code for a payment of `amount` (minor units) at wall time `now` (ms). Never throws. */
  check(text: string, context: { now: number; amount: number }): CodeCheck;
  /** Offers a downloaded operator list; only a genuine, newer, unexpired one replaces the current. */
  installList?(kind: 'trust' | 'deny', bytes: Uint8Array, now: number): ListUpdate;
  /** When the older of the installed trust and deny lists was signed (ms), for the offline list-age rule. */
  listsIssuedAt?(): number | undefined;
  /** The offline limits the installed deny list sets (the operator's latest word; undefined: the enrollment's apply). */
  offlineLimits?(): OfflineLimits | undefined;
  /** The versions of the installed lists, to compare with what a decision says is current. */
  listVersions?(): { trust?: number; deny?: number };
  /** Work for idle time that makes later checks faster (the paycode checker prepares its customers' keys). */
  prepareWhenIdle?(): void;
}
