// The one-off cost of preparing a EdDSA issuer key (precomputed table), paid at trust-list install or restore.
import { hexToBytes } from '@noble/hashes/utils.js';
import { PreparedKeys } from '../../src/crypto/prepared-keys';
import { vectors } from '../../test/core/paycode/vectors';

export const prepare = (): Uint8Array => hexToBytes(vectors.EdDSA.issuerPublicKey);
export function op(key: Uint8Array): void {
  if (!new PreparedKeys().prepare('EdDSA', key)) throw new Error('key did not prepare');
}
