/**
 * Where a board gets the authorizer key it pins: the manifest's
 * `config.authorizerKey` (text, "ES256:<hex>" or "EdDSA:<hex>", built into
 * the firmware), or else the key written into the board's storage when it was
 * provisioned (domain `qrpay-provision`, key `authorizer-key`, the same text),
 * so one firmware image serves several operators. A board with neither does
 * not start: it would otherwise believe whoever answers first.
 */
import type { Storage } from '../../hal/storage';
import { publicKeyFromText, type PublicKey } from '../authorization/signer';
import { utf8Decode } from '../codec/utf8';
import { TerminalError } from './errors';

export const provisioningDomain = 'qrpay-provision';
export const provisionedAuthorizerKey = 'authorizer-key';

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
