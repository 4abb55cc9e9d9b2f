/**
 * Provisioning: how a new terminal earns its enrollment. By default an
 * enrollment introducing a new key must carry a one-time provisioning token
 * the operator issued for a merchant (`qrpay operator provision`): the token
 * enrolls one terminal, once, for that merchant and its site, before it
 * expires. The store keeps only the token's SHA-256. In its place the operator
 * may sign a voucher (`qrpay operator voucher`, src/authorization/voucher.ts)
 * with the operator key: the same promise (one terminal, once, for the
 * merchant and site, before it expires), but nothing is stored until it is
 * used, so it can be made offline and burned into a board's configuration; its
 * first use records its id's hash with the tokens and consumes it, in the one
 * transaction that enrolls the terminal, so no second worker can use it again.
 * Enrolling every key that
 * asks is a mode the simulator and the demo choose explicitly ('open'), and
 * an operator who approves each terminal by hand chooses 'manual'.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PublicKey, Signer } from '../../../src/authorization/signer';
import { checkVoucher, signVoucher, voucherIdBytes } from '../../../src/authorization/voucher';
import type { Tx } from '../store/ports';
import { DomainRefusal } from './results';

/**
 * 'provisioned' (default): a new key needs a provisioning token; without a valid one it is refused and nothing
 * is stored. 'manual': without a token it waits for an operator (pending). 'open': every new key is enrolled
 * for the default merchant (the simulator and the demo, which say so).
 */
export type EnrollmentMode = 'provisioned' | 'manual' | 'open';
export const enrollmentModes: readonly EnrollmentMode[] = ['provisioned', 'manual', 'open'];

/**
 * Enrollment attempts allowed in any window of `windowMs`, counted in the store (so every worker process of one
 * authorizer sees the same counts): per source address, every attempt (a garbled one included: counted before
 * the request is read), and per provisioning credential the authorizer knows, every attempt that names it (an
 * enrolled terminal's key: re-enrollments, each of which is journaled; an issued token: a leaked one tried by
 * many boards). Beyond either the request is refused `rate-limited` (HTTP 429) before any other work. The store
 * holds one row per subject seen in the last window: at most the sources seen plus the keys and tokens it
 * issued, never one per made-up key or token (those count against their source only).
 */
export interface EnrollmentLimits {
  windowMs: number;
  perSource: number;
  perCredential: number;
}

/** A site installing its boards enrolls a few a minute from one address; a board enrolls once, or again after a reset. */
export const defaultEnrollmentLimits: EnrollmentLimits = { windowMs: 10 * 60_000, perSource: 300, perCredential: 10 };

export const provisioningTokenBytes = 16;
/** How long a token stays usable unless the operator says otherwise. */
export const defaultTokenLifetimeMs = 7 * 24 * 3600 * 1000;

export const tokenHash = (token: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(token).digest());

export interface IssuedToken {
  /** The secret, to put into the terminal's configuration; shown once, never stored. */
  token: Uint8Array;
  merchantId: string;
  /** The site the terminal is enrolled into; null: the merchant's own. */
  siteId: string | null;
  expiresAt: number;
}

/** The merchant and site a token or voucher names, checked against the store. */
async function checkedTarget(tx: Tx, merchantId: string, siteId: string | null): Promise<void> {
  if (!(await tx.merchants.get(merchantId))) throw new DomainRefusal('not-found', `no merchant ${merchantId}`);
  if (siteId !== null && (await tx.sites.get(siteId))?.merchantId !== merchantId) {
    throw new DomainRefusal('not-found', `no site ${siteId} of merchant ${merchantId}`);
  }
}

function checkedLifetime(lifetimeMs: number | undefined): number {
  const lifetime = lifetimeMs ?? defaultTokenLifetimeMs;
  if (!(Number.isSafeInteger(lifetime) && lifetime > 0)) throw new DomainRefusal('malformed', 'a token lifetime is a positive whole number of milliseconds');
  return lifetime;
}

/** Issues a one-time token for `merchantId` (which must exist), for one of its sites when `siteId` is given. */
export async function issueProvisioningToken(tx: Tx, input: { merchantId: string; siteId?: string; now: number; lifetimeMs?: number }): Promise<IssuedToken> {
  const siteId = input.siteId ?? null;
  await checkedTarget(tx, input.merchantId, siteId);
  const lifetime = checkedLifetime(input.lifetimeMs);
  const token = new Uint8Array(randomBytes(provisioningTokenBytes));
  const expiresAt = input.now + lifetime;
  await tx.provisioning.insert({ tokenHash: tokenHash(token), merchantId: input.merchantId, siteId, createdAt: input.now, expiresAt });
  return { token, merchantId: input.merchantId, siteId, expiresAt };
}

export interface IssuedVoucher {
  /** The signed voucher (src/authorization/voucher.ts), to put where a terminal takes its token. */
  voucher: Uint8Array;
  merchantId: string;
  siteId: string | null;
  expiresAt: number;
}

/**
 * Signs a voucher with the operator key for `merchantId` (which must exist, checked against `tx` when given), at
 * one of its sites when `siteId` is given. Writes nothing.
 */
export async function issueVoucher(tx: Tx, operator: Signer, input: { merchantId: string; siteId?: string; now: number; lifetimeMs?: number }): Promise<IssuedVoucher> {
  const siteId = input.siteId ?? null;
  await checkedTarget(tx, input.merchantId, siteId);
  const expiresAt = input.now + checkedLifetime(input.lifetimeMs);
  const voucher = signVoucher(
    { id: new Uint8Array(randomBytes(voucherIdBytes)), merchantId: input.merchantId, ...(siteId !== null ? { siteId } : {}), issuedAt: input.now, expiresAt },
    operator,
  );
  return { voucher, merchantId: input.merchantId, siteId, expiresAt };
}

/**
 * Uses a voucher to enroll `terminalId`: signed by the operator key, not expired, naming a merchant and a site of
 * it that exist, and never used. Returns where the terminal belongs, or why not (nothing changed then).
 */
export async function redeemVoucher(
  tx: Tx, bytes: Uint8Array, operator: PublicKey, terminalId: string, now: number,
): Promise<{ ok: true; merchantId: string; siteId: string | null } | { ok: false; reason: string }> {
  const checked = checkVoucher(bytes, operator, now);
  if (!checked.ok) return { ok: false, reason: `voucher ${checked.problem}: ${checked.detail}` };
  const { voucher } = checked;
  const siteId = voucher.siteId ?? null;
  try {
    await checkedTarget(tx, voucher.merchantId, siteId);
  } catch (error) {
    if (error instanceof DomainRefusal) return { ok: false, reason: `voucher for an unknown place: ${error.message}` };
    throw error;
  }
  const hash = tokenHash(voucher.id);
  await tx.provisioning.record({ tokenHash: hash, merchantId: voucher.merchantId, siteId, createdAt: voucher.issuedAt, expiresAt: voucher.expiresAt });
  const consumed = await tx.provisioning.consume(hash, terminalId, now);
  if (!consumed) return { ok: false, reason: 'voucher used: it enrolled a terminal already' };
  return { ok: true, merchantId: consumed.merchantId, siteId: consumed.siteId };
}
