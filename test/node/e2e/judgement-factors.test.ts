/**
 * One scenario per risk factor, on loopback with the real authorizer and its
 * SQLite database: each builds the history the factor needs through real
 * signed requests, then checks that the factor fired (and is stored with the
 * decision) exactly when it should, and the outcome the default thresholds give.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fixAt, JudgementWorld, noReceiver, site } from '../../support/judgement-world';

const minute = 60_000;
const hour = 60 * minute;
let world: JudgementWorld | undefined;

afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function start(risk: unknown = {}) {
  world = await JudgementWorld.start({ risk });
  return world;
}

describe('judgement: a genuine customer', () => {
  it('is approved; only "new-credential" fires on the first payment and nothing on the next', async () => {
    const w = await start();
    const counter = await w.terminal();
    const alice = w.wallet();
    const first = await counter.pay(alice);
    expect(first.body).toMatchObject({ outcome: 'approved', reason: 'approved' });
    expect(w.fired(counter, first.trace)).toEqual(['new-credential']);
    w.time.advance(30 * minute);
    const second = await counter.pay(alice);
    expect(second.body.outcome).toBe('approved');
    expect(w.assessment(counter, second.trace)).toMatchObject({ outcome: 'approved', score: 0, factors: [] });
  });
});

describe('judgement: terminal factors', () => {
  it('firmware-outdated: a firmware below the configured minimum', async () => {
    const w = await start({ factors: { 'firmware-outdated': { minimum: '1.2.0' } } });
    const old = await w.terminal('1.1.9');
    const current = await w.terminal('1.10.0');
    const a = await old.pay(w.wallet());
    const b = await current.pay(w.wallet());
    expect(w.fired(old, a.trace)).toContain('firmware-outdated');
    expect(w.fired(current, b.trace)).not.toContain('firmware-outdated');
    expect(a.body.outcome).toBe('approved'); // 30 points alone stay under the hold threshold (40)
  });

  it('firmware-changed: a request whose firmware differs from the enrolled one', async () => {
    const w = await start();
    const t = await w.terminal('1.0.0');
    const alice = w.wallet();
    const same = await t.pay(alice);
    t.firmware = '6.6.6-custom';
    const changed = await t.pay(alice);
    expect(w.fired(t, same.trace)).not.toContain('firmware-changed');
    expect(w.assessment(t, changed.trace).factors).toContainEqual(expect.objectContaining({ name: 'firmware-changed', side: 'acceptance', points: 10 }));
  });

  it('terminal-off-site: a counter terminal reporting a fix outside its site radius is held', async () => {
    const w = await start();
    const t = await w.terminal();
    const inside = await t.pay(w.wallet(), { location: fixAt(200, 0, { accuracy: 10 }) });
    const outside = await t.pay(w.wallet(), { location: fixAt(0, 2000) });
    expect(w.fired(t, inside.trace)).not.toContain('terminal-off-site');
    expect(w.fired(t, outside.trace)).toContain('terminal-off-site');
    expect(outside.body).toMatchObject({ outcome: 'held', reason: 'held-for-review', display: 'Accepted, under review' });
  });

  it('terminal-implausible-speed: a bike lock moving faster than a bike between two reports is held', async () => {
    const w = await start();
    const bike = await w.terminal();
    const ride = { purpose: 'bike-unlock' as const };
    await bike.pay(w.wallet(), { ...ride, location: fixAt(0, 0) });
    w.time.advance(10 * minute);
    const plausible = await bike.pay(w.wallet(), { ...ride, location: fixAt(3000, 0) }); // 18 km/h
    w.time.advance(1 * minute);
    const teleported = await bike.pay(w.wallet(), { ...ride, location: fixAt(3000, 5000) }); // 300 km/h
    expect(w.fired(bike, plausible.trace)).not.toContain('terminal-implausible-speed');
    expect(w.fired(bike, teleported.trace)).toContain('terminal-implausible-speed');
    expect(teleported.body.outcome).toBe('held');
    // A bike lock is not tied to the site: being 5 km away is not "off-site".
    expect(w.fired(bike, teleported.trace)).not.toContain('terminal-off-site');
  });
});

describe('judgement: location factors', () => {
  it('location-absent: a terminal without a fix', async () => {
    const w = await start();
    const t = await w.terminal();
    const paid = await t.pay(w.wallet(), { location: noReceiver });
    expect(w.fired(t, paid.trace)).toContain('location-absent');
    expect(paid.body.outcome).toBe('approved');
  });

  it('location-stale: a stale fix, or a fix older than the limit', async () => {
    const w = await start();
    const t = await w.terminal();
    const stale = await t.pay(w.wallet(), { location: { status: 'stale', fix: 'none', satellites: 0, reason: 'stale-fix', age: 300_000 } });
    const old = await t.pay(w.wallet(), { location: fixAt(0, 0, { age: 90_000 }) });
    const fresh = await t.pay(w.wallet(), { location: fixAt(0, 0, { age: 2_000 }) });
    expect(w.fired(t, stale.trace)).toContain('location-stale');
    expect(w.fired(t, old.trace)).toContain('location-stale');
    expect(w.fired(t, fresh.trace)).not.toContain('location-stale');
  });

  it('location-too-accurate: a plain fix claiming sub-metre accuracy (an RTK fix may)', async () => {
    const w = await start();
    const t = await w.terminal();
    const spoofed = await t.pay(w.wallet(), { location: fixAt(0, 0, { accuracy: 0.1 }) });
    const rtk = await t.pay(w.wallet(), { location: fixAt(0, 0, { accuracy: 0.1, fix: 'rtk' }) });
    expect(w.fired(t, spoofed.trace)).toContain('location-too-accurate');
    expect(w.fired(t, rtk.trace)).not.toContain('location-too-accurate');
  });

  it('location-jump: a fixed terminal whose fix jumps between consecutive reports', async () => {
    const w = await start({ factors: { 'location-jump': { meters: 150 } } });
    const t = await w.terminal();
    await t.pay(w.wallet(), { location: fixAt(-100, 0) });
    w.time.advance(2 * minute);
    const jumped = await t.pay(w.wallet(), { location: fixAt(100, 0) }); // 200 m, still inside the 250 m site
    w.time.advance(40 * minute);
    const later = await t.pay(w.wallet(), { location: fixAt(-100, 0) }); // outside the 30 min window
    expect(w.fired(t, jumped.trace)).toEqual(expect.arrayContaining(['location-jump']));
    expect(w.fired(t, jumped.trace)).not.toContain('terminal-off-site');
    expect(jumped.body.outcome).toBe('held');
    expect(w.fired(t, later.trace)).not.toContain('location-jump');
  });
});

describe('judgement: customer factors', () => {
  it('amount-unusual: several times the customer\'s usual amount', async () => {
    const w = await start();
    const t = await w.terminal();
    const alice = w.wallet();
    for (const amount of [450, 380, 520]) {
      await t.pay(alice, { amount });
      w.time.advance(hour);
    }
    const usual = await t.pay(alice, { amount: 1900 });
    w.time.advance(hour);
    const unusual = await t.pay(alice, { amount: 4000 });
    expect(w.fired(t, usual.trace)).not.toContain('amount-unusual');
    expect(w.assessment(t, unusual.trace).factors).toContainEqual(expect.objectContaining({ name: 'amount-unusual', side: 'customer' }));
  });

  it('velocity: the sixth payment within ten minutes', async () => {
    const w = await start();
    const t = await w.terminal();
    const alice = w.wallet();
    const traces: number[] = [];
    for (let i = 0; i < 6; i++) {
      traces.push((await t.pay(alice)).trace);
      w.time.advance(minute);
    }
    expect(w.fired(t, traces[4])).not.toContain('velocity');
    expect(w.fired(t, traces[5])).toContain('velocity');
  });

  it('impossible-travel: Paris then Lyon ten minutes later asks the customer to confirm', async () => {
    const w = await start();
    const paris = await w.terminal();
    const bike = await w.terminal();
    const alice = w.wallet();
    await paris.pay(alice);
    w.time.advance(10 * minute);
    const lyon = { latitude: 45.764, longitude: 4.8357 };
    const far = await bike.pay(alice, { purpose: 'bike-unlock', location: fixAt(0, 0, {}, lyon) });
    expect(w.fired(bike, far.trace)).toContain('impossible-travel');
    expect(far.body).toMatchObject({ outcome: 'step-up', reason: 'confirm-in-app', display: 'Confirm in your wallet app' });
  });

  it('new-credential: a credential never seen, noting that the account paid with another', async () => {
    const w = await start();
    const t = await w.terminal();
    const phone = w.wallet();
    await t.pay(phone);
    w.time.advance(hour);
    const newPhone = w.wallet(phone.credential.account);
    const paid = await t.pay(newPhone);
    const factor = w.assessment(t, paid.trace).factors.find((f) => f.name === 'new-credential');
    expect(factor?.detail).toMatch(/the account paid 1 times with others/);
  });

  it('new-merchant: a customer with history paying a merchant for the first time', async () => {
    const w = await start();
    const cafe = await w.terminal();
    const arcade = await w.terminal();
    await w.authorizer.store.transaction((tx) => tx.merchants.upsert({ merchantId: 'M-ARCADE', name: 'Arcade', currency: 'EUR', purposes: ['arcade-credit'], site: { ...site, radius: 250 } }, 50_000, w.time.now()));
    w.authorizer.db.prepare("UPDATE terminals SET merchant_id = 'M-ARCADE' WHERE id = ?").run(arcade.id);
    const alice = w.wallet();
    await cafe.pay(alice);
    w.time.advance(hour);
    const first = await arcade.pay(alice, { purpose: 'arcade-credit' });
    w.time.advance(hour);
    const again = await arcade.pay(alice, { purpose: 'arcade-credit' });
    expect(w.fired(arcade, first.trace)).toContain('new-merchant');
    expect(w.fired(arcade, again.trace)).not.toContain('new-merchant');
  });
});

describe('judgement: merchant factors', () => {
  /** One payment an hour for a day, by different customers: the merchant's baseline. */
  async function baseline(w: JudgementWorld, amount: number) {
    const t = await w.terminal();
    for (let i = 0; i < 24; i++) {
      await t.pay(w.wallet(), { amount });
      w.time.advance(hour);
    }
    return t;
  }

  it('merchant-volume-spike: many more payments in the last hour than the day before', async () => {
    const w = await start();
    const t = await baseline(w, 450);
    const traces: number[] = [];
    for (let i = 0; i < 10; i++) {
      traces.push((await t.pay(w.wallet())).trace);
      w.time.advance(2 * minute);
    }
    expect(w.fired(t, traces[2])).not.toContain('merchant-volume-spike');
    expect(w.fired(t, traces[9])).toContain('merchant-volume-spike');
  });

  it('merchant-amount-shift: the recent average far above the usual one', async () => {
    const w = await start();
    const t = await baseline(w, 500);
    const traces: number[] = [];
    for (let i = 0; i < 3; i++) {
      traces.push((await t.pay(w.wallet(), { amount: 4000 })).trace);
      w.time.advance(5 * minute);
    }
    expect(w.fired(t, traces[1])).not.toContain('merchant-amount-shift');
    expect(w.fired(t, traces[2])).toContain('merchant-amount-shift');
  });
});
