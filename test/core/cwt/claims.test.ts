import { describe, expect, it } from 'vitest';
import { decode, encode, type CborMap, type CborValue } from '../../../src/codec/cbor';
import { Claim, ClaimError, onlyClaims, readBytes, readMap, readNumericDate, readText } from '../../../src/cwt/claims';

const unhex = (text: string) => Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));

// RFC 8392 Appendix A.1: the example claims set.
const rfc8392Claims = unhex(
  'a70175636f61703a2f2f61732e6578616d706c652e636f6d02656572696b77037818636f61703a2f2f6c696768742e6578616d706c652e636f6d041a5612aeb0051a5610d9f0061a5610d9f007420b71',
);

function claimOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    if (error instanceof ClaimError) return String(error.claim);
    return `untyped: ${error}`;
  }
  return 'accepted';
}

describe('CWT claims', () => {
  it('reads the RFC 8392 A.1 claims set with the registered keys', () => {
    const claims = decode(rfc8392Claims) as CborMap;
    expect(readText(claims, Claim.iss, true)).toBe('coap://as.example.com');
    expect(readText(claims, Claim.sub, true)).toBe('erikw');
    expect(readText(claims, Claim.aud, true)).toBe('coap://light.example.com');
    expect(readNumericDate(claims, Claim.exp, true)).toBe(1444064944);
    expect(readNumericDate(claims, Claim.nbf, true)).toBe(1443944944);
    expect(readNumericDate(claims, Claim.iat, true)).toBe(1443944944);
    expect(readBytes(claims, Claim.cti, true)).toEqual(unhex('0b71'));
    expect(readMap(claims, Claim.cnf, false)).toBe(undefined);
    expect(encode(claims)).toEqual(rfc8392Claims);
  });

  it('names the claim that is missing, mistyped, the wrong size or unexpected', () => {
    const claims: CborMap = new Map<number, CborValue>([[Claim.sub, 'x'], [Claim.exp, -5], [Claim.cti, new Uint8Array(3)], [Claim.cnf, 1]]);
    expect(claimOf(() => readText(claims, Claim.iss, true))).toBe('1');
    expect(claimOf(() => readBytes(claims, Claim.sub, true))).toBe('2');
    expect(claimOf(() => readNumericDate(claims, Claim.exp, true))).toBe('4');
    expect(claimOf(() => readBytes(claims, Claim.cti, true, { min: 4, max: 16 }))).toBe('7');
    expect(claimOf(() => readMap(claims, Claim.cnf, true))).toBe('8');
    expect(claimOf(() => onlyClaims(claims, [Claim.sub, Claim.exp, Claim.cti]))).toBe('8');
    expect(claimOf(() => onlyClaims(claims, [Claim.sub, Claim.exp, Claim.cti, Claim.cnf]))).toBe('accepted');
  });
});
