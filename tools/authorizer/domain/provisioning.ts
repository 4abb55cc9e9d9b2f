/**
 * Provisioning: how a new terminal earns its enrollment. By default an
 * enrollment introducing a new key must carry a one-time provisioning token
 * the operator issued for a merchant (`qrpay operator provision`): the token
 * enrolls one terminal, once, for that merchant and its site, before it
 * expires. The store keeps only the token's SHA-256. Enrolling every key that
 * asks is a mode the simulator and the demo choose explicitly ('open'), and
 * an operator who approves each terminal by hand chooses 'manual'.
 */
import { createHash, randomBytes } from 'node:crypto';
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

/** Issues a one-time token for `merchantId` (which must exist), for one of its sites when `siteId` is given. */
export async function issueProvisioningToken(tx: Tx, input: { merchantId: string; siteId?: string; now: number; lifetimeMs?: number }): Promise<IssuedToken> {
  if (!(await tx.merchants.get(input.merchantId))) throw new DomainRefusal('not-found', `no merchant ${input.merchantId}`);
  const siteId = input.siteId ?? null;
  if (siteId !== null && (await tx.sites.get(siteId))?.merchantId !== input.merchantId) {
    throw new DomainRefusal('not-found', `no site ${siteId} of merchant ${input.merchantId}`);
  }
  const lifetime = input.lifetimeMs ?? defaultTokenLifetimeMs;
  if (!(Number.isSafeInteger(lifetime) && lifetime > 0)) throw new DomainRefusal('malformed', 'a token lifetime is a positive whole number of milliseconds');
  const token = new Uint8Array(randomBytes(provisioningTokenBytes));
  const expiresAt = input.now + lifetime;
  await tx.provisioning.insert({ tokenHash: tokenHash(token), merchantId: input.merchantId, siteId, createdAt: input.now, expiresAt });
  return { token, merchantId: input.merchantId, siteId, expiresAt };
}
