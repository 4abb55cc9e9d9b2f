/**
 * The software keystore's presigned ES256 signatures (hal/keystore.ts `presign`) verify under OpenSSL too
 * (node:crypto, IEEE P1363 r||s): the authorizer's verifier and every standard one accept them, over requests of
 * the sizes the terminal signs, with a real entropy source.
 */
import { createPublicKey, randomFillSync, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SoftwareKeystore } from '../../../hal/portable/software-keystore';
import { MemoryStorage } from '../../../hal/portable/memory-storage';
import { serverVerify } from '../../../tools/authorizer/crypto';

const base64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

describe('presigned ES256 signatures under node:crypto', () => {
  it('verify with OpenSSL and with the authorizer, and fail for another message', () => {
    const keystore = new SoftwareKeystore({ store: new MemoryStorage().open({ path: 'keys' }), entropy: { fill: (bytes) => randomFillSync(bytes) } });
    const { publicKey } = keystore.create('terminal', 'ES256');
    const key = createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: base64url(publicKey.subarray(1, 33)), y: base64url(publicKey.subarray(33, 65)) },
      format: 'jwk',
    });
    const rs = new Set<string>();
    for (let trace = 1; trace <= 40; trace++) {
      const use = new Uint8Array(8);
      new DataView(use.buffer).setUint32(4, trace);
      const message = randomFillSync(new Uint8Array(200 + trace * 17));
      expect(keystore.presign('terminal', use)).toBe(true);
      const signature = keystore.sign('terminal', message, use);
      expect(nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
      expect(serverVerify('ES256', publicKey, message, signature)).toBe(true);
      message[0] ^= 0x80;
      expect(nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature)).toBe(false);
      rs.add(Buffer.from(signature.subarray(0, 32)).toString('hex'));
    }
    expect(rs.size).toBe(40);
  });
});
