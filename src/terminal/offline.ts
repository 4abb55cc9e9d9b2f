/**
 * The offline decision (docs/authorization.md, Offline acceptance): whether
 * the terminal may approve a payment on its own while the authorizer cannot
 * be reached. Every bound must hold; the first that does not is the typed
 * reason. Pure: the terminal gathers what it knows (the signed limits, the
 * code check, its journal, the lists' age, its clock) and this judges it.
 */
import type { OfflineLimits } from '../authorization/enrollment';
import type { CodeCheck } from './code-check';

export interface OfflineFacts {
  /** The signed offline limits (the deny list's, else the enrollment's); undefined: never offline. */
  limits: OfflineLimits | undefined;
  check: CodeCheck;
  amount: number;
  kind: 'pre-auth' | undefined;
  /** The journal: approvals not uploaded yet, in all and for this code's credential, and whether any entry is damaged. */
  journal: { count: number; total: number; forCredential: number; damaged: boolean };
  now: number;
  /** When the older of the installed lists was signed, ms. */
  listsIssuedAt: number | undefined;
  clockTrusted: boolean;
}

export type OfflineVerdict = { ok: true; credential: string } | { ok: false; reason: string };

export function offlineVerdict(facts: OfflineFacts): OfflineVerdict {
  const { limits, check, amount, journal } = facts;
  if (!limits) return { ok: false, reason: 'offline-disabled' };
  if (facts.kind === 'pre-auth') return { ok: false, reason: 'offline-pre-auth' };
  const code = check.offline;
  if (!code || check.verdict.status !== 'verified') return { ok: false, reason: 'code-not-verified-offline' };
  if (!code.allowed) return { ok: false, reason: 'credential-not-offline' };
  if (amount > limits.floorLimit) return { ok: false, reason: 'over-floor-limit' };
  // A damaged entry may be an offline payment: the exposure cannot be known, so no more are taken.
  if (journal.damaged) return { ok: false, reason: 'journal-damaged' };
  if (journal.count + 1 > limits.maxCount || journal.total + amount > limits.maxTotal) return { ok: false, reason: 'offline-journal-full' };
  if (journal.forCredential + amount > limits.maxPerCredential) return { ok: false, reason: 'over-credential-offline-limit' };
  if (facts.listsIssuedAt === undefined || facts.now - facts.listsIssuedAt > limits.maxListAge) return { ok: false, reason: 'lists-too-old' };
  if (!facts.clockTrusted) return { ok: false, reason: 'clock-untrusted' };
  return { ok: true, credential: code.credential };
}
