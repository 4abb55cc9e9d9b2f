/**
 * The deny list's compact form (src/paycode/id-runs.ts) on Node and XS: what
 * 10,000 revoked credentials cost in bytes, that every one of them is found
 * and nothing else is, that only canonical runs are read, and that the
 * offline limits the operator signs into the list come out as signed.
 */
import { describe, expect, it } from 'vitest';
import { encode } from '../../../src/codec/cbor';
import { DenyList } from '../../../src/paycode/deny-list';
import { encodeIdRuns, IdRuns } from '../../../src/paycode/id-runs';
import { openDenyList } from '../../../src/paycode/operator-list';
import { signDenyList } from '../../../tools/wallet/wallet';
import { makeWorld } from './world';

const now = 1767225600 + 60;
/** The n-th credential id: 4 bytes, as the wallet issues them. */
function credentialId(n: number): Uint8Array {
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}
/** 10,000 ids spread over the 4-byte space (every 429,497th), out of order. */
const revokedIds = Array.from({ length: 10_000 }, (_, i) => credentialId(((i * 7919) % 10_000) * 429_497 + 1));

describe('compact deny lists', () => {
  it('10,000 revoked credentials: 40,000 bytes of ids and 9 of framing; every one found, no other', () => {
    const world = makeWorld('EdDSA');
    const kid = world.issuer.kid;
    const runs = encodeIdRuns(revokedIds.map((id) => ({ kid, id })));
    // [kid (3 bytes), width (1), ids (3-byte length + 40,000)], inside a 1-byte array head and the run's 1-byte head.
    const field = encode(runs);
    expect(field.length).toBe(40_000 + 9);
    const empty = signDenyList(world.operator, { version: 2, issuedAt: now, expiresAt: now + 86400 });
    const full = signDenyList(world.operator, { version: 2, issuedAt: now, expiresAt: now + 86400, revokedCredentials: revokedIds.map((credentialId) => ({ issuerKid: kid, credentialId })) });
    const perTenThousand = full.length - empty.length;
    expect(perTenThousand).toBe(40_000 + 9 + 3);

    const deny = new DenyList({ root: { alg: world.operator.alg, publicKey: world.operator.publicKey } });
    expect(deny.install(full, now)).toEqual({ ok: true, version: 2 });
    const account = new Uint8Array(6);
    for (let i = 0; i < revokedIds.length; i += 97) expect(deny.check(kid, revokedIds[i], account, now)).toMatchObject({ ok: false, reason: 'revoked' });
    expect(deny.check(kid, revokedIds[9_999], account, now)).toMatchObject({ ok: false, reason: 'revoked' });
    for (const n of [0, 2, 429_499, 0xffffffff]) expect(deny.check(kid, credentialId(n), account, now), `id ${n}`).toEqual({ ok: true });
    expect(deny.check(Uint8Array.of(9, 9), revokedIds[0], account, now)).toEqual({ ok: true });
    expect(deny.check(kid, Uint8Array.of(0, 0, 0, 0, 1), account, now)).toEqual({ ok: true });
  });

  it('groups by issuer and width, sorts and drops repeats; reads nothing but canonical runs', () => {
    const a = Uint8Array.of(1);
    const b = Uint8Array.of(2);
    const runs = encodeIdRuns([
      { kid: b, id: Uint8Array.of(0, 0, 0, 9) }, { kid: a, id: Uint8Array.of(0, 0, 0, 5) }, { kid: a, id: Uint8Array.of(0, 0, 0, 1) },
      { kid: a, id: Uint8Array.of(0, 0, 0, 5) }, { kid: a, id: Uint8Array.of(0, 0, 0, 0, 7) },
    ]);
    expect(runs).toEqual([
      [a, 4, Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 5)], [a, 5, Uint8Array.of(0, 0, 0, 0, 7)], [b, 4, Uint8Array.of(0, 0, 0, 9)],
    ]);
    const set = IdRuns.read(runs, 'revoked');
    expect(set.size).toBe(4);
    expect(set.has(a, Uint8Array.of(0, 0, 0, 5))).toBe(true);
    expect(set.has(b, Uint8Array.of(0, 0, 0, 5))).toBe(false);
    const bad: [unknown, string][] = [
      [[[a, 4, Uint8Array.of(0, 0, 0, 5, 0, 0, 0, 1)]], 'not strictly ascending'],
      [[[a, 4, Uint8Array.of(0, 0, 0, 5, 0, 0, 0, 5)]], 'not strictly ascending'],
      [[[a, 4, Uint8Array.of(0, 0, 0, 5, 0)]], 'whole number'],
      [[[a, 3, Uint8Array.of(0, 0, 5)]], 'width'],
      [[[a, 4, Uint8Array.of(0, 0, 0, 1)], [a, 4, Uint8Array.of(0, 0, 0, 2)]], 'two runs'],
      [[[new Uint8Array(0), 4, Uint8Array.of(0, 0, 0, 1)]], 'kid'],
      [[[a, Uint8Array.of(0, 0, 0, 1)]], '[kid, width, ids]'],
    ];
    for (const [value, problem] of bad) expect(() => IdRuns.read(value as never, 'revoked'), problem).toThrow(problem);
  });

  it('carries the offline limits the operator signs into it; a list with malformed limits is refused', () => {
    const world = makeWorld('EdDSA');
    const root = { alg: world.operator.alg, publicKey: world.operator.publicKey };
    const offlineLimits = { floorLimit: 1000, maxCount: 4, maxTotal: 3000, maxPerCredential: 2000, maxListAge: 3_600_000 };
    const list = signDenyList(world.operator, { version: 3, issuedAt: now, expiresAt: now + 86400, offlineLimits });
    expect(openDenyList(list, root)).toMatchObject({ ok: true, content: { offlineLimits } });
    const deny = new DenyList({ root });
    expect(deny.install(world.denyList, now)).toMatchObject({ ok: true });
    expect(deny.offlineLimits).toBeUndefined();
    expect(deny.install(list, now)).toEqual({ ok: true, version: 3 });
    expect(deny.offlineLimits).toEqual(offlineLimits);
    const broken = signDenyList(world.operator, { version: 4, issuedAt: now, expiresAt: now + 86400, offlineLimits: { ...offlineLimits, floorLimit: -1 } });
    expect(deny.install(broken, now)).toMatchObject({ ok: false, reason: 'malformed' });
    expect(deny.offlineLimits).toEqual(offlineLimits);
  });
});
