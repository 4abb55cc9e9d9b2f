/**
 * Where a board gets the authorizer key it pins: the manifest's
 * `config.authorizerKey` (text, "ES256:<hex>" or "EdDSA:<hex>", built into
 * the firmware), or else the key written into the board's storage when it was
 * provisioned (domain `qrpay-provision`, key `authorizer-key`, the same text),
 * so one firmware image serves several operators. A board with neither does
 * not start: it would otherwise believe whoever answers first.
 *
 * The same two places give the one-time provisioning token for its first
 * enrollment (`config.provisioningToken` or `qrpay-provision/enroll-token`,
 * hex; `qrpay operator provision` issues it), or in its place the operator's
 * signed voucher (`qrpay operator voucher`: issued without the authorizer's
 * database, so it can be burned into a board's configuration offline); it is
 * optional, since a board already enrolled needs none and an authorizer in
 * manual mode takes none.
 */
import type { Storage } from '../../hal/storage';
import { publicKeyFromText, type PublicKey } from '../authorization/signer';
import { utf8Decode } from '../codec/utf8';
import { unhex } from '../paycode/hex';
import { provisioningCredentialLength } from '../authorization/enrollment';
import { TerminalError } from './errors';

export const provisioningDomain = 'qrpay-provision';
export const provisionedAuthorizerKey = 'authorizer-key';
export const provisionedEnrollmentToken = 'enroll-token';

export function pinnedAuthorizerKey(configured: unknown, storage: Storage): PublicKey {
  let text: unknown = configured;
  let source = 'manifest config.authorizerKey';
  if (typeof text !== 'string' || text === '') {
    const stored = storage.open({ path: provisioningDomain }).read(provisionedAuthorizerKey);
    text = stored ? utf8Decode(stored) : undefined;
    source = `provisioned ${provisioningDomain}/${provisionedAuthorizerKey}`;
    if (text === undefined) {
      throw new TerminalError('bad-config', 'no authorizer key to pin: set config.authorizerKey in the manifest, or provision it');
    }
  }
  const key = publicKeyFromText(text);
  if (!key) throw new TerminalError('bad-config', `${source} is not a valid "ES256:<hex>" or "EdDSA:<hex>" public key`);
  return key;
}

/** The provisioning token from the manifest config (hex), else from provisioning; undefined with neither. */
export function provisioningToken(configured: unknown, storage: Storage): Uint8Array | undefined {
  let text: unknown = configured;
  let source = 'manifest config.provisioningToken';
  if (typeof text !== 'string' || text === '') {
    const stored = storage.open({ path: provisioningDomain }).read(provisionedEnrollmentToken);
    if (!stored) return undefined;
    text = utf8Decode(stored);
    source = `provisioned ${provisioningDomain}/${provisionedEnrollmentToken}`;
  }
  const token = typeof text === 'string' ? unhex(text) : undefined;
  if (!token || token.length < provisioningCredentialLength.min || token.length > provisioningCredentialLength.max) {
    throw new TerminalError('bad-config', `${source} is not ${provisioningCredentialLength.min} to ${provisioningCredentialLength.max} bytes of hex (a token, or an operator's voucher)`);
  }
  return token;
}
