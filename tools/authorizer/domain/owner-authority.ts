/**
 * Who speaks for an account's owner: the device keys of the account's
 * credentials that paid and are not revoked. A revoked credential (by the
 * operator, or because a payment it made was reported) can do nothing: not
 * report a payment, not freeze, not name a contact, not answer a step-up.
 * A frozen account's owner keeps their authority (freezing stops payments,
 * not the owner). Giving an account a new credential is the issuer's act
 * (it signs the credential); the authorizer learns the new key from its
 * first payment.
 */
import type { SignatureAlgorithm } from '../../../hal/keystore';
import type { Tx } from '../store/ports';

/** True when the credential ("<issuer kid hex>/<credential id hex>") still carries the owner's authority. */
export async function credentialInGoodStanding(tx: Tx, credential: string): Promise<boolean> {
  const [issuerKid, credentialId] = credential.split('/');
  return !(await tx.lists.isRevoked(issuerKid, credentialId));
}

/** The keys that may act as the owner of `account`. */
export async function ownerKeys(tx: Tx, account: string): Promise<{ alg: SignatureAlgorithm; publicKey: Uint8Array }[]> {
  const keys = [];
  for (const key of await tx.payments.deviceKeys(account)) {
    if (await credentialInGoodStanding(tx, key.credential)) keys.push({ alg: key.alg, publicKey: key.publicKey });
  }
  return keys;
}
