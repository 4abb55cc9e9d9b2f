/**
 * What the authorization spine costs the terminal: signing a request (build,
 * encode, ES256 through the software keystore, SHA-256 binding) and verifying
 * a decision (decode, ES256, binding, freshness), in XS instructions
 * (cachegrind, deterministic) and V8 time. Run: npx tsx bench/authorization.ts
 */
import { measureCases } from './measure';

await measureCases('Authorization on the terminal (per op, steady state)', [
  ['sign an authorization request (ES256, ~290 B)', 'authorization-request-sign.ts'],
  ['verify a decision (ES256, ~210 B)', 'authorization-decision-verify.ts'],
]);
