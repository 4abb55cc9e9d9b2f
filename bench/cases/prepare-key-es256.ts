// The one-off cost of preparing a ES256 issuer key (precomputed table), paid at trust-list install or restore.
import { hexToBytes } from '@noble/hashes/utils.js';
import { PreparedKeys } from '../../src/crypto/prepared-keys';
import { vectors } from '../../test/core/paycode/vectors';

export const prepare = (): Uint8Array => hexToBytes(vectors.ES256.issuerPublicKey);
export function op(key: Uint8Array): void {
  if (!new PreparedKeys().prepare('ES256', key)) throw new Error('key did not prepare');
}
