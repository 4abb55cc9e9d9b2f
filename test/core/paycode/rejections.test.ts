/**
 * One or more negative tests for every rejection reason (docs/payment-code.md).
 * Mostly EdDSA (cheapest to sign on XS); the format is the same for ES256.
 */
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '@noble/hashes/utils.js';
import { encode, type CborMap, type CborValue } from '../../../src/codec/cbor';
import { encodeBase45 } from '../../../src/codec/base45';
import { createSign1, HeaderLabel } from '../../../src/cose/sign1';
import { Claim } from '../../../src/cwt/claims';
import { toCoseKey } from '../../../src/cose/key';
import { toLowS } from '../../../src/crypto/verify';
import { codePrefix, PaymentCodeVerifier, ReplayCache, rejectReasons, type RejectReason, type VerifyResult } from '../../../src/paycode';
import {
  issueCredential, keyPairFromSecret, makePaymentCode, signDenyList, signerFor, signTrustList, type IssuedCredential, type KeyPair,
} from '../../../tools/wallet/wallet';
import { account, CounterEntropy, credentialId, epoch, issuerKid, makeWorld, secrets, type World } from './world';

const entropy = new CounterEntropy(0x40);

const p256Order = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');
/** (r, s) -> (r, n - s): the other signature ECDSA accepts for the same message and key. */
function flipS(signature: Uint8Array): Uint8Array {
  let s = 0n;
  for (let i = 32; i < 64; i++) s = (s << 8n) | BigInt(signature[i]);
  let t = p256Order - s;
  const out = signature.slice();
  for (let i = 63; i >= 32; i--) { out[i] = Number(t & 0xffn); t >>= 8n; }
  return out;
}

function codeFor(world: World, options: { credential?: IssuedCredential; device?: KeyPair; nowSeconds?: number; amountCap?: number } = {}): string {
  const clock = { now: () => (options.nowSeconds ?? world.clock.ms / 1000) * 1000 };
  return makePaymentCode(options.credential ?? world.credential, options.device ?? world.device, { clock, entropy, amountCap: options.amountCap }).text;
}

/** A code built by hand: any protected header, unprotected header and claims, signed by the device key. */
function craftedCode(world: World, parts: { protectedHeader?: CborMap; unprotectedHeader?: CborMap; claims?: CborMap }): string {
  const now = world.clock.ms / 1000;
  const claims = parts.claims ?? new Map<number, CborValue>([[Claim.exp, now + 30], [Claim.iat, now], [Claim.cti, entropy.fill(new Uint8Array(6))]]);
  const protectedHeader = parts.protectedHeader ?? new Map<number, CborValue>([[HeaderLabel.alg, -8], [HeaderLabel.kcwt, world.credential.value]]);
  const message = createSign1({ protectedHeader, unprotectedHeader: parts.unprotectedHeader, payload: encode(claims), sign: signerFor(world.device) });
  return codePrefix + encodeBase45(encode(message));
}

function reasonOf(result: VerifyResult): RejectReason | 'accepted' {
  return result.ok ? 'accepted' : result.reason;
}

const tested = new Set<RejectReason>();
function expectReason(result: VerifyResult, reason: RejectReason): void {
  expect(reasonOf(result)).toBe(reason);
  tested.add(reason);
}

describe('payment code rejections', () => {
  const world = makeWorld('EdDSA');
  const verify = (text: string, amount?: number) => world.verifier.verify(text, amount === undefined ? {} : { amount });

  it('malformed: prefix, size, base45, CBOR, COSE structure, headers, claims, lifetime', () => {
    const good = codeFor(world);
    expectReason(verify('HC1:' + good.slice(4)), 'malformed');
    expectReason(verify(good + 'A'.repeat(600)), 'malformed');
    expectReason(verify(good.slice(0, -1)), 'malformed'); // base45 length
    expectReason(verify(good.replace('QP1:', 'QP1:a')), 'malformed');
    expectReason(verify(codePrefix + encodeBase45(hexToBytes('8301020304'))), 'malformed');
    expectReason(verify(codePrefix + encodeBase45(hexToBytes('d2' + '84'))), 'malformed'); // tag 18 is not allowed on a code
    expectReason(verify(''), 'malformed');
    expectReason(verify(42 as unknown as string), 'malformed');
    expectReason(verify(craftedCode(world, { unprotectedHeader: new Map([[HeaderLabel.kid, new Uint8Array(1)]]) })), 'malformed');
    const now = world.clock.ms / 1000;
    const claims = (extra: [number, CborValue][]) =>
      new Map<number, CborValue>([[Claim.exp, now + 30], [Claim.iat, now], [Claim.cti, new Uint8Array(6).fill(9)], ...extra]);
    expectReason(verify(craftedCode(world, { claims: claims([[Claim.sub, 'x']]) })), 'malformed'); // unknown claim
    expectReason(verify(craftedCode(world, { claims: new Map<number, CborValue>([[Claim.exp, now + 30], [Claim.iat, now]]) })), 'malformed');
    expectReason(verify(craftedCode(world, { claims: claims([[Claim.exp, now + 600]]) })), 'malformed'); // lifetime > 120 s
    expectReason(verify(craftedCode(world, { claims: claims([[Claim.exp, now - 1]]) })), 'malformed'); // exp before iat
  });

  it('malformed: a credential whose sub (RFC 8392 StringOrURI) is a byte string or not canonical base64url text', () => {
    const withSub = (sub: CborValue): string => {
      const claims = new Map<number, CborValue>([
        [Claim.sub, sub], [Claim.exp, epoch + 1000], [Claim.nbf, epoch], [Claim.cti, credentialId],
        [Claim.cnf, new Map([[1, toCoseKey({ alg: world.device.alg, publicKey: world.device.publicKey })]])],
      ]);
      const credential = createSign1({
        protectedHeader: new Map<number, CborValue>([[HeaderLabel.alg, -8], [HeaderLabel.kid, issuerKid]]),
        payload: encode(claims),
        sign: signerFor(world.issuer),
      });
      return craftedCode(world, { protectedHeader: new Map<number, CborValue>([[HeaderLabel.alg, -8], [HeaderLabel.kcwt, credential]]) });
    };
    const detailOf = (result: VerifyResult) => (result.ok ? 'accepted' : `${result.reason}: ${result.detail}`);
    expect(detailOf(verify(withSub('CgsMDQ4P')))).toBe('accepted'); // the same account, as the wallet writes it
    expect(detailOf(verify(withSub(account)))).toMatch(/^malformed: .*claim 2 is a byte string/);
    expect(detailOf(verify(withSub('CgsMDQ4P==')))).toMatch(/^malformed: .*claim 2 is not base64url/);
    expect(detailOf(verify(withSub('CgsMDQ5')))).toMatch(/^malformed: .*claim 2 is not base64url/); // 5 bytes, stray bits
    expect(detailOf(verify(withSub('Cgs+DQ4P')))).toMatch(/^malformed: .*claim 2 is not base64url/);
    expect(detailOf(verify(withSub('CgsM')))).toMatch(/^malformed: .*claim 2 holds 3 bytes/);
    expect(detailOf(verify(withSub(7)))).toMatch(/^malformed: .*claim 2 is not text/);
    tested.add('malformed');
  });

  it('unsupported-algorithm: an algorithm outside the allow-list, or not the one the credential allows', () => {
    expectReason(verify(craftedCode(world, { protectedHeader: new Map<number, CborValue>([[HeaderLabel.alg, -35], [HeaderLabel.kcwt, world.credential.value]]) })), 'unsupported-algorithm');
    expectReason(verify(craftedCode(world, { protectedHeader: new Map<number, CborValue>([[HeaderLabel.alg, -7], [HeaderLabel.kcwt, world.credential.value]]) })), 'unsupported-algorithm');
  });

  it('unknown-issuer: kid not in the current trust list; trust-list-expired: the trust list expired', () => {
    const stranger = { ...keyPairFromSecret('EdDSA', hexToBytes(secrets.otherIssuer)), kid: hexToBytes('ffff') };
    const credential = issueCredential(stranger, { device: world.device, account, credentialId, notBefore: epoch, expiresAt: epoch + 1000 }, entropy);
    expectReason(verify(codeFor(world, { credential })), 'unknown-issuer');
    const late = makeWorld('EdDSA');
    late.clock.set(epoch + 31 * 86400);
    expectReason(late.verifier.verify(codeFor(late)), 'trust-list-expired');
  });

  it('credential-not-yet-valid and credential-expired', () => {
    const early = issueCredential(world.issuer, { device: world.device, account, credentialId, notBefore: epoch + 3600, expiresAt: epoch + 7200 }, entropy);
    expectReason(verify(codeFor(world, { credential: early })), 'credential-not-yet-valid');
    const old = issueCredential(world.issuer, { device: world.device, account, credentialId, notBefore: epoch - 7200, expiresAt: epoch - 3600 }, entropy);
    expectReason(verify(codeFor(world, { credential: old })), 'credential-expired');
  });

  it('revocation-unknown: the deny list has expired', () => {
    const stale = makeWorld('EdDSA');
    stale.clock.set(epoch + 86400 + 1);
    expectReason(stale.verifier.verify(codeFor(stale)), 'revocation-unknown');
  });

  it('revoked: a revoked credential; frozen: a frozen account', () => {
    const local = makeWorld('EdDSA');
    const now = epoch + 60;
    const revoking = signDenyList(local.operator, { version: 2, issuedAt: now, expiresAt: now + 86400, revokedCredentials: [{ issuerKid, credentialId }] });
    expect(local.deny.install(revoking, now)).toEqual({ ok: true, version: 2 });
    expectReason(local.verifier.verify(codeFor(local)), 'revoked');
    const freezing = signDenyList(local.operator, { version: 3, issuedAt: now, expiresAt: now + 86400, frozenAccounts: [{ issuerKid, account }] });
    expect(local.deny.install(freezing, now)).toEqual({ ok: true, version: 3 });
    const result = local.verifier.verify(codeFor(local));
    expectReason(result, 'frozen'); // its own reason: the credential is intact, the account is what stopped
    expect(result.ok ? '' : result.detail).toContain('frozen');
  });

  it('not-yet-valid and expired, against the terminal clock with a 30 s skew', () => {
    const now = world.clock.ms / 1000;
    expectReason(verify(codeFor(world, { nowSeconds: now + 31 })), 'not-yet-valid');
    expect(reasonOf(verify(codeFor(world, { nowSeconds: now + 29 })))).toBe('accepted');
    expectReason(verify(codeFor(world, { nowSeconds: now - 61 })), 'expired'); // exp = now - 31
    expect(reasonOf(verify(codeFor(world, { nowSeconds: now - 59 })))).toBe('accepted'); // exp = now - 29
  });

  it('over-limit: above the credential cap or the code cap', () => {
    expectReason(verify(codeFor(world), 50001), 'over-limit');
    expectReason(verify(codeFor(world, { amountCap: 100 }), 101), 'over-limit');
    expect(reasonOf(verify(codeFor(world, { amountCap: 100 }), 100))).toBe('accepted');
    for (const bad of [NaN, -1, 1.5, Infinity]) expectReason(verify(codeFor(world), bad), 'over-limit'); // fail closed
  });

  it('a clock that gives no time refuses codes instead of passing every time check', () => {
    const text = codeFor(world);
    const ms = world.clock.ms;
    world.clock.ms = NaN;
    expectReason(verify(text), 'not-yet-valid');
    world.clock.ms = ms;
  });

  it('replayed: the same code twice', () => {
    const text = codeFor(world);
    expect(reasonOf(verify(text))).toBe('accepted');
    expectReason(verify(text), 'replayed');
  });

  it('bad-credential-signature: a credential signed by a key that is not the trusted one for its kid', () => {
    const forger = { ...keyPairFromSecret('EdDSA', hexToBytes(secrets.otherIssuer)), kid: issuerKid };
    const forged = issueCredential(forger, { device: world.device, account, credentialId, notBefore: epoch, expiresAt: epoch + 1000 }, entropy);
    expectReason(verify(codeFor(world, { credential: forged })), 'bad-credential-signature');
  });

  it('bad-code-signature: a genuine credential with a code signed by another device', () => {
    const thief = keyPairFromSecret('EdDSA', hexToBytes(secrets.otherDevice));
    expectReason(verify(codeFor(world, { device: thief })), 'bad-code-signature');
    const es = makeWorld('ES256');
    expectReason(es.verifier.verify(codeFor(es, { device: keyPairFromSecret('ES256', hexToBytes(secrets.otherDevice)) })), 'bad-code-signature');
  });

  it('bad-code-signature: the high-S twin of a genuine ES256 code (one encoding per signature); its low-S form passes', () => {
    const es = makeWorld('ES256');
    const now = es.clock.ms / 1000;
    const claims = new Map<number, CborValue>([[Claim.exp, now + 30], [Claim.iat, now], [Claim.cti, new Uint8Array(6).fill(3)]]);
    const protectedHeader = new Map<number, CborValue>([[HeaderLabel.alg, -7], [HeaderLabel.kcwt, es.credential.value]]);
    const text = (sign: (m: Uint8Array) => Uint8Array) => codePrefix + encodeBase45(encode(createSign1({ protectedHeader, payload: encode(claims), sign })));
    const enclave = (m: Uint8Array) => flipS(signerFor(es.device)(m)); // what a secure enclave may return
    const refused = es.verifier.verify(text(enclave));
    expectReason(refused, 'bad-code-signature');
    expect(refused.ok ? '' : refused.detail).toContain('low-S');
    expect(reasonOf(es.verifier.verify(text((m) => toLowS(enclave(m)))))).toBe('accepted');
  });

  it('rate-limited: under pressure (half the slots live), a code within I ms of the last accepted one', () => {
    const limited = makeWorld('EdDSA');
    const cache = new ReplayCache({ capacity: 4, windowSeconds: 180, clock: limited.clock }); // I = 90 s beyond 2 live
    const verifier = new PaymentCodeVerifier({ clock: limited.clock, trustStore: limited.trustStore, denyList: limited.deny, replayCache: cache });
    expect(reasonOf(verifier.verify(codeFor(limited)))).toBe('accepted');
    expect(reasonOf(verifier.verify(codeFor(limited)))).toBe('accepted');
    limited.clock.ms += 1000;
    expectReason(verifier.verify(codeFor(limited)), 'rate-limited');
    expect(cache.size).toBe(2); // a refused code takes no slot
    limited.clock.ms += 60_000; // both accepted codes have expired
    expect(reasonOf(verifier.verify(codeFor(limited)))).toBe('accepted');
  });

  it('replay-unavailable: the replay cache is full of live entries, or cannot persist', () => {
    const full = makeWorld('EdDSA');
    for (let i = 0; i < full.replay.capacity; i++) expect(reasonOf(full.verifier.verify(codeFor(full)))).toBe('accepted');
    expectReason(full.verifier.verify(codeFor(full)), 'replay-unavailable');
    full.clock.set(epoch + 60 + 61); // every entry has expired: room again
    expect(reasonOf(full.verifier.verify(codeFor(full)))).toBe('accepted');
    full.storage.failWrites = true;
    expectReason(full.verifier.verify(codeFor(full)), 'replay-unavailable');
  });

  it('covers every documented reason', () => {
    expect(rejectReasons.filter((reason) => !tested.has(reason))).toEqual([]);
  });
});

describe('a verifier without a replay cache (the authorizer keeps its own ledger)', () => {
  it('checks signatures and expiry as ever, remembers nothing, and a forged code is still refused', () => {
    const world = makeWorld('EdDSA', { replayCache: undefined });
    const code = codeFor(world);
    expect(world.verifier.verify(code)).toMatchObject({ ok: true });
    // The same code again: accepted, the replay check is the caller's (tools/authorizer's store).
    expect(world.verifier.verify(code)).toMatchObject({ ok: true });
    const stranger = keyPairFromSecret('EdDSA', hexToBytes('11'.repeat(32)));
    expect(world.verifier.verify(codeFor(world, { device: stranger }))).toMatchObject({ ok: false, reason: 'bad-code-signature' });
    world.clock.ms += 10 * 60 * 1000;
    expect(world.verifier.verify(code)).toMatchObject({ ok: false, reason: 'expired' });
  });
});
