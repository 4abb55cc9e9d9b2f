/**
 * The wire formats refuse what they do not understand, with a FormatError
 * naming the field, and carry locations without floats.
 */
import { describe, expect, it } from 'vitest';
import { decode, encode, type CborMap, type CborValue } from '../../../src/codec/cbor';
import { encodeSign1 } from '../../../src/cose/sign1';
import { decodeLocation, encodeLocation, locationFromSample } from '../../../src/authorization/location';
import { openRequest, signRequest, type AuthorizationRequest } from '../../../src/authorization/request';
import { seal, ContentType } from '../../../src/authorization/envelope';
import { chargeProblem } from '../../../src/authorization/charge';
import { openEnrollmentRequest, signEnrollmentRequest } from '../../../src/authorization/enrollment';
import { edSigner } from '../../support/terminal-fixture';
import { formatErrorField } from '../../support/format-error';

const signer = edSigner('formats');
const base: AuthorizationRequest = {
  terminalId: 'T-1', trace: 1, localTime: 1_790_000_000_000, amount: 100, currency: 'EUR', purpose: 'arcade-credit',
  reference: 'r', location: locationFromSample(undefined), paymentCode: 'QP1:X', verdict: { status: 'verified' }, firmware: '1',
};

describe('location on the wire', () => {
  it('round-trips a fix through integers (1e-7 degrees, centimetres)', () => {
    const wire = locationFromSample({ status: 'fix', fix: '3d', satellites: 9, latitude: -33.8567844, longitude: 151.2152967, altitude: 12.34, accuracy: 2.5, timestamp: 5, age: 120 });
    const back = decodeLocation(decode(encode(encodeLocation(wire))));
    expect(back).toEqual({ status: 'fix', fix: '3d', satellites: 9, latitude: -33.8567844, longitude: 151.2152967, altitude: 12.34, accuracy: 2.5, timestamp: 5, age: 120 });
  });

  it('says why there is no fix', () => {
    expect(locationFromSample({ status: 'stale', fix: 'none', satellites: 0, age: 42_000 })).toEqual({ status: 'stale', fix: 'none', satellites: 0, reason: 'stale-fix', age: 42_000 });
    expect(locationFromSample({ status: 'absent', fix: 'none', satellites: 0 })).toMatchObject({ reason: 'no-fix-yet' });
    expect(locationFromSample(undefined)).toMatchObject({ status: 'absent', reason: 'no-receiver' });
  });

  it('refuses a position without a fix, and a fix without a position', () => {
    const noFix = encodeLocation({ status: 'stale', fix: 'none', satellites: 0, reason: 'stale-fix' });
    noFix.set(4, 1);
    noFix.set(5, 1);
    expect(formatErrorField(() => decodeLocation(noFix))).toBe('location');
    expect(formatErrorField(() => decodeLocation(encodeLocation({ status: 'fix', fix: '3d', satellites: 5 })))).toBe('location');
  });
});

describe('request format', () => {
  it('round-trips', () => {
    expect(openRequest(signRequest(base, signer)).request).toEqual(base);
  });

  it('refuses bad charges before signing', () => {
    expect(chargeProblem({ ...base, amount: 0 })).toContain('amount');
    expect(chargeProblem({ ...base, currency: 'eur' })).toContain('currency');
    expect(formatErrorField(() => signRequest({ ...base, reference: '' }, signer))).toBe('charge');
    expect(formatErrorField(() => signRequest({ ...base, terminalId: 'no spaces' }, signer))).toBe('terminal id');
  });

  it('names the field at fault in a request it cannot read', () => {
    const payload = decode(encode(new Map())) as CborMap;
    expect(formatErrorField(() => openRequest(seal({ contentType: ContentType.request, payload, signer })))).toBe('terminal verdict');
    const genuine = signRequest(base, signer);
    expect(formatErrorField(() => openRequest(seal({ contentType: ContentType.decision, payload, signer })))).toBe('content type');
    expect(formatErrorField(() => openRequest(genuine.subarray(1)))).toBe('message');
    expect(formatErrorField(() => openRequest(Uint8Array.of()))).toBe('message');
  });

  it('an enrollment request carries a provisioning credential of 16 to 512 bytes (a token, or a voucher), or none', () => {
    const key = signer.publicKey;
    const device = { model: 'm', serial: 's', firmware: '1', board: 'b' };
    const token = new Uint8Array(16).fill(7);
    expect(openEnrollmentRequest(signEnrollmentRequest({ key, device, localTime: 1, provisioningToken: token }, signer)).request.provisioningToken).toEqual(token);
    const voucherSized = new Uint8Array(512).fill(9);
    expect(openEnrollmentRequest(signEnrollmentRequest({ key, device, localTime: 1, provisioningToken: voucherSized }, signer)).request.provisioningToken).toEqual(voucherSized);
    for (const length of [15, 513]) {
      const bytes = signEnrollmentRequest({ key, device, localTime: 1, provisioningToken: new Uint8Array(length) }, signer);
      expect(formatErrorField(() => openEnrollmentRequest(bytes))).toBe('provisioning token');
    }
  });

  it('refuses unknown fields and a kid that names another terminal', () => {
    const opened = openRequest(signRequest(base, signer));
    const extra = new Map(opened.envelope.payload);
    extra.set(99, 'surprise');
    expect(formatErrorField(() => openRequest(seal({ contentType: ContentType.request, payload: extra, signer, kid: Uint8Array.of(0x54, 0x2d, 0x31) })))).toBe('request');
    const same = new Map(opened.envelope.payload);
    expect(formatErrorField(() => openRequest(seal({ contentType: ContentType.request, payload: same, signer, kid: Uint8Array.of(0x54, 0x2d, 0x32) })))).toBe('kid');
  });

  it('an envelope with an unknown or critical protected header is refused before its signature is looked at', () => {
    const request = signRequest(base, signer);
    const sign1 = decode(request) as unknown as { value: [Uint8Array, CborMap, Uint8Array, Uint8Array] };
    const [protectedBytes, unprotectedHeader, payload] = sign1.value;
    const header = decode(protectedBytes) as CborMap;
    const resealed = (extra: [number, CborValue][]) => {
      const changed: CborMap = new Map(header);
      for (const [label, value] of extra) changed.set(label, value);
      return encodeSign1({ protectedHeader: changed, unprotectedHeader, payload, sign: (m) => signer.sign(m) });
    };
    expect(formatErrorField(() => openRequest(resealed([])))).toBe('accepted');
    expect(formatErrorField(() => openRequest(resealed([[99, 1]])))).toBe('message');
    expect(formatErrorField(() => openRequest(resealed([[2, [99]], [99, 1]])))).toBe('message');
  });
});
