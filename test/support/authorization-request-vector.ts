// The request of docs/authorization.md's test vector (~290 bytes). Plain ECMAScript, so the XS benchmarks
// use it as their input too; the signed vectors are in authorization-vectors.ts.
import type { AuthorizationRequest } from '../../src/authorization/request';

export const localTime = Date.UTC(2026, 10, 25, 9, 0, 0);

export const request: AuthorizationRequest = {
  terminalId: 'T0123456789',
  trace: 42,
  localTime,
  amount: 450,
  currency: 'EUR',
  purpose: 'counter-sale',
  reference: 'order-1',
  location: {
    status: 'fix', fix: '3d', satellites: 12, latitude: 48.8675352, longitude: 2.3637705, altitude: 41.2,
    accuracy: 4.2, speed: 0, heading: 0, timestamp: localTime - 800, age: 800,
  },
  // The payment code travels as opaque text here; its own format is docs/payment-code.md.
  paymentCode: 'QP1:EXAMPLE-PAYMENT-CODE',
  verdict: { status: 'verified', codeId: Uint8Array.of(0x84, 0x47, 0x11, 0xa3, 0x69, 0x90) },
  firmware: '0.1.0',
};
