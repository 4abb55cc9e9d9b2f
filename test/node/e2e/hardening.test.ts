/**
 * The authorizer under attack, on loopback with the real server and its
 * database (docs/security.md, "Defences on the authorizer"): malleated and
 * re-signed copies of a request, a customer flooding from terminals of their
 * own, strangers sending garbage, key and database file modes, the health
 * endpoint, and a thief holding a revoked phone.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { nodeEntropy } from '../../../hal/sim/entropy';
import { readDecision, requestHash, verifyDecision, type DecisionBody } from '../../../src/authorization/decision';
import { signRequest, type AuthorizationRequest } from '../../../src/authorization/request';
import { composeAuthorizer } from '../../../tools/authorizer/composition';
import { codeWindowSeconds } from '../../../tools/authorizer/domain/lists';
import { databaseFileName, openDatabase } from '../../../tools/authorizer/store/sqlite/database';
import { strangerSampleSlots } from '../../../tools/authorizer/store/ports';
import { accountOf, freezeAccount, nameContact, reportPayment, send } from '../../../tools/wallet/authorizer-client';
import { signEnrollmentRequest, verifyEnrollmentAnswer, type EnrollmentAnswer } from '../../../src/authorization/enrollment';
import { issueProvisioningToken } from '../../../tools/authorizer/domain/provisioning';
import { createKeyPair, signerFor, type KeyPair } from '../../../tools/wallet/wallet';
import { startAuthorizer } from '../../../tools/authorizer/authorizer';
import { postgresAvailability, PostgresServer } from '../../support/postgres-server';
import { bootTerminal, coffee, pay, startWorld } from '../../support/e2e-world';
import { fixAt, JudgementWorld, type BenchTerminal, type TestWallet } from '../../support/judgement-world';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const p256Order = p256.Point.Fn.ORDER;
const minute = 60_000;

let world: JudgementWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function start(options: Parameters<typeof JudgementWorld.start>[0] = {}): Promise<JudgementWorld> {
  world = await JudgementWorld.start({ notify: { dispatcher: { intervalMs: 3_600_000 } }, ...options });
  await world.authorizer.dispatcher.stop();
  return world;
}

function charge(w: JudgementWorld, t: BenchTerminal, trace: number, code: string): AuthorizationRequest {
  return {
    amount: 450, currency: 'EUR', purpose: 'counter-sale', reference: `r-${trace}`, terminalId: t.id, trace, localTime: w.time.now(),
    location: fixAt(0, 0), paymentCode: code, verdict: { status: 'verified' }, firmware: t.firmware,
  };
}

/** The terminal's own signature, with fresh randomness each time: a valid low-S signature other than the last one. */
function resign(t: BenchTerminal, request: AuthorizationRequest): Uint8Array {
  return signRequest(request, { alg: 'ES256', sign: (m) => p256.sign(m, t.key.secretKey, { prehash: true, lowS: true, format: 'compact', extraEntropy: true }) });
}

/** What an eavesdropper makes of a captured request: the same bytes with s replaced by n − s (the signature is the last 64 bytes). */
function highSTwin(bytes: Uint8Array): Uint8Array {
  const twin = bytes.slice();
  const s = BigInt(`0x${hex(bytes.subarray(bytes.length - 32))}`);
  twin.set(Buffer.from((p256Order - s).toString(16).padStart(64, '0'), 'hex'), bytes.length - 32);
  return twin;
}

async function post(w: JudgementWorld, bytes: Uint8Array, path = '/v1/authorize'): Promise<Response> {
  return fetch(`${w.authorizer.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: bytes });
}

/** Sends `bytes` and verifies the decision against their own hash. */
async function decided(w: JudgementWorld, t: BenchTerminal, bytes: Uint8Array, trace: number): Promise<DecisionBody> {
  const answer = new Uint8Array(await (await post(w, bytes)).arrayBuffer());
  const verified = verifyDecision(answer, { authorizer: w.authorizer.decisionKey, requestHash: requestHash(bytes), terminalId: t.id, trace, now: w.time.now(), maxSkew: 1000 });
  if (!verified.ok) throw new Error(`decision does not verify: ${verified.problem} ${verified.detail}`);
  return verified.decision;
}

function terminalRow(w: JudgementWorld, id: string) {
  return w.authorizer.db.prepare('SELECT status, last_trace FROM terminals WHERE id = ?').get(id) as { status: string; last_trace: number };
}

const count = (w: JudgementWorld, table: string) => (w.authorizer.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('retry identity: terminal, trace and the signed payload, never the signature bytes', () => {
  it('a stranger\'s high-S twin, sent before and after the original, is refused unjournaled; the terminal is never suspended', async () => {
    const w = await start();
    const t = await w.terminal();
    const original = resign(t, charge(w, t, 1, w.wallet().code()));
    const twin = highSTwin(original);
    expect(twin).not.toEqual(original);

    const early = readDecision(new Uint8Array(await (await post(w, twin)).arrayBuffer()));
    expect(early).toMatchObject({ outcome: 'declined', reason: 'bad-terminal-signature', trace: 1 });
    expect(count(w, 'requests')).toBe(0);
    const real = await decided(w, t, original, 1);
    expect(real).toMatchObject({ outcome: 'approved' });
    const late = readDecision(new Uint8Array(await (await post(w, twin)).arrayBuffer()));
    expect(late).toMatchObject({ outcome: 'declined', reason: 'bad-terminal-signature' });

    expect(terminalRow(w, t.id)).toEqual({ status: 'approved', last_trace: 1 });
    expect(count(w, 'payments')).toBe(1);
    expect(await w.authorizer.store.transaction((tx) => tx.requests.strangers())).toMatchObject({ counts: { 'bad-terminal-signature': 2 } });
    expect(await decided(w, t, resign(t, charge(w, t, 2, w.wallet().code())), 2)).toMatchObject({ outcome: 'approved' });
  });

  for (const order of ['copy first', 'original first'] as const) {
    it(`a re-signed copy (same payload, another valid signature), ${order}: one capture, one approval code, each bound to its own bytes`, async () => {
      const w = await start();
      const t = await w.terminal();
      const request = charge(w, t, 1, w.wallet().code());
      const original = resign(t, request);
      const copy = resign(t, request);
      expect(copy).not.toEqual(original);
      const [first, second] = order === 'copy first' ? [copy, original] : [original, copy];

      const a = await decided(w, t, first, 1);
      const b = await decided(w, t, second, 1);
      expect(a).toMatchObject({ outcome: 'approved', reason: 'approved' });
      expect(b).toMatchObject({ outcome: 'approved', reason: 'approved', approvalCode: a.approvalCode });
      expect(terminalRow(w, t.id)).toEqual({ status: 'approved', last_trace: 1 });
      expect(count(w, 'payments')).toBe(1);
      expect(count(w, 'codes_seen')).toBe(1);
      const rows = w.authorizer.db.prepare('SELECT id, retry_of FROM requests ORDER BY id').all() as { id: number; retry_of: number | null }[];
      expect(rows.map((r) => r.retry_of)).toEqual([null, rows[0].id]);
      // A different payload under the same trace is still a cloned key or a replay.
      const clone = resign(t, { ...request, amount: 451 });
      expect(await decided(w, t, clone, 1)).toMatchObject({ outcome: 'declined', reason: 'trace-reused' });
      expect(terminalRow(w, t.id).status).toBe('suspended');
    });
  }
});

describe.each(['sqlite', 'memory'] as const)('replay ledger at its bound (%s)', (store) => {
  const limits = { perTerminalPerMinute: 5, perCredentialLive: 3 };

  it('a customer flooding from three self-enrolled terminals takes at most K live codes, never an honest customer\'s payment', async () => {
    const w = await start({ store, limits });
    const cafe = await w.terminal();
    const mallory = w.wallet();
    const own = [await w.terminal(), await w.terminal(), await w.terminal()];
    const reasons: string[][] = own.map(() => []);
    for (let round = 0; round < 8; round++) {
      for (const [i, t] of own.entries()) reasons[i].push((await t.pay(mallory)).body.reason);
      w.time.advance(1000);
    }
    const accepted = reasons.flat().filter((r) => r !== 'rate-limited');
    expect(accepted).toHaveLength(limits.perCredentialLive);
    // Beyond R requests a minute each terminal is refused before its code is even looked at.
    for (const r of reasons) expect(r.slice(limits.perTerminalPerMinute)).toEqual(['rate-limited', 'rate-limited', 'rate-limited']);
    // The ledger holds at most K codes of hers however hard she tries: min(T·R·⌈W/60⌉, K·C).
    expect(await w.authorizer.store.transaction((tx) => tx.codes.count())).toBe(limits.perCredentialLive);

    // Meanwhile the honest customer pays at the café as ever.
    const alice = w.wallet();
    expect((await cafe.pay(alice)).body).toMatchObject({ outcome: 'approved' });

    // Once W = L + 2S has passed her codes are forgotten (they could not pass the expiry check) and she may pay again.
    w.time.advance(codeWindowSeconds * 1000);
    expect((await own[0].pay(mallory)).body.reason).not.toBe('rate-limited');
    expect(await w.authorizer.store.transaction((tx) => tx.codes.count())).toBe(1);
  });

  it('a terminal sending more than R requests a minute is declined rate-limited, whoever pays, and accepted again a minute later', async () => {
    const w = await start({ store, limits });
    const t = await w.terminal();
    const reasons: string[] = [];
    for (let i = 0; i < limits.perTerminalPerMinute + 2; i++) reasons.push((await t.pay(w.wallet())).body.reason);
    expect(reasons).toEqual([...Array(limits.perTerminalPerMinute).fill('approved'), 'rate-limited', 'rate-limited']);
    w.time.advance(minute);
    expect((await t.pay(w.wallet())).body.reason).toBe('approved');
  });
});

describe('strangers cost O(1) storage', () => {
  it('hundreds of garbage bodies, requests from unknown terminals and requests not signed by their terminal: the database does not grow', async () => {
    const w = await start();
    const t = await w.terminal();
    const stranger = createKeyPair('ES256', nodeEntropy);
    const attack = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const kind = i % 3;
        if (kind === 0) await post(w, new Uint8Array(randomBytes(1000 + ((i * 997) % 15_000))));
        else {
          const request = charge(w, t, 1000 + i, w.wallet().code());
          const bytes = signRequest(kind === 1 ? { ...request, terminalId: `TNOBODY${i}` } : request, { alg: 'ES256', sign: (m) => p256.sign(m, stranger.secretKey, { prehash: true, lowS: true, format: 'compact' }) });
          const decision = readDecision(new Uint8Array(await (await post(w, bytes)).arrayBuffer()));
          expect(decision.reason).toBe(kind === 1 ? 'unknown-terminal' : 'bad-terminal-signature');
        }
      }
    };
    const pages = () => (w.authorizer.db.pragma('page_count') as { page_count: number }[])[0].page_count;
    await attack(strangerSampleSlots); // fills the ring of samples
    const before = pages();
    const n = 300;
    await attack(n);
    // Before: every garbage body was journaled whole (~19 KB each, unauthenticated).
    expect(pages() - before).toBeLessThanOrEqual(1);
    const tally = await w.authorizer.store.transaction((tx) => tx.requests.strangers());
    expect(Object.values(tally.counts).reduce((a, b) => a + b, 0)).toBe(strangerSampleSlots + n);
    expect(tally.samples).toHaveLength(strangerSampleSlots);
    expect(count(w, 'requests')).toBe(0);
    expect(count(w, 'decisions')).toBe(0);
    expect(terminalRow(w, t.id)).toEqual({ status: 'approved', last_trace: 0 });
  });
});

describe('keys and files', () => {
  it('keys in owner-only files of their own, never in the database; the database and its WAL owner-only; /v1/health says liveness only', async () => {
    const w = await start();
    const dir = join(w.root, 'authorizer');
    const mode = (path: string) => statSync(path).mode & 0o777;
    expect(mode(join(dir, 'keys'))).toBe(0o700);
    for (const name of ['decision.key', 'operator.key']) expect(mode(join(dir, 'keys', name))).toBe(0o600);
    await w.terminal();
    for (const file of [databaseFileName, `${databaseFileName}-wal`]) {
      expect(existsSync(join(dir, file))).toBe(true);
      expect(mode(join(dir, file))).toBe(0o600);
    }
    expect(w.authorizer.db.prepare('SELECT key FROM settings').all()).toEqual([]);
    const secret = readFileSync(join(dir, 'keys', 'decision.key'));
    expect(readFileSync(join(dir, databaseFileName)).includes(secret)).toBe(false);
    const health = await fetch(`${w.authorizer.url}/v1/health`);
    expect(await health.json()).toEqual({ ok: true });
  });

  it('refuses a key file others can read, and moves a key an older version kept in the database out to its file', async () => {
    const w = await start();
    const dir = join(w.root, 'authorizer');
    const publicKey = w.authorizer.decisionKey.publicKey;
    await w.authorizer.close();
    chmodSync(join(dir, 'keys', 'decision.key'), 0o644);
    await expect(composeAuthorizer({ dataDir: dir })).rejects.toThrow(/readable or writable by others/);

    // An older version's database: the keys in settings, no key files.
    const secrets = ['decision.key', 'operator.key'].map((name) => [name, readFileSync(join(dir, 'keys', name))] as const);
    rmSync(join(dir, 'keys'), { recursive: true });
    const db = openDatabase(dir);
    for (const [name, secret] of secrets) db.prepare('INSERT INTO settings (key, value) VALUES (?, ?)').run(name, secret);
    db.close();
    const reopened = await composeAuthorizer({ dataDir: dir });
    try {
      expect(reopened.decisionKey.publicKey.publicKey).toEqual(publicKey);
      expect(await reopened.store.transaction((tx) => tx.settings.get('decision.key'))).toBeUndefined();
      expect(statSync(join(dir, 'keys', 'decision.key')).mode & 0o777).toBe(0o600);
    } finally {
      await reopened.close();
    }
    // The world closes its authorizer again: harmless.
  });
});

describe('owner authority follows the credential\'s status', () => {
  it('a thief with the stolen phone, once its credential is revoked, can neither report the new phone\'s payment, nor name a contact, nor freeze', async () => {
    const w = await start();
    const cafe = await w.terminal();
    const oldPhone: TestWallet = w.wallet();
    await cafe.pay(oldPhone);
    // The phone is stolen; the thief pays with it. The issuer gives the owner a new phone (a credential of the same account).
    w.time.advance(minute);
    const stolen = await cafe.pay(oldPhone);
    const newPhone = w.wallet(oldPhone.credential.account);
    w.time.advance(minute);
    const owners = await cafe.pay(newPhone);
    expect(owners.body.outcome).toBe('approved');
    // The owner reports the thief's payment from the new phone: the old credential is revoked.
    const report = await send(w.authorizer.url, reportPayment(newPhone.device, newPhone.credential, hex(stolen.requestHash), 'phone stolen', w.time.now()));
    expect(report.status).toBe(200);

    const thief = oldPhone;
    const account = accountOf(thief.credential);
    const accomplice = createKeyPair('ES256', nodeEntropy);
    const attempts = [
      reportPayment(thief.device, thief.credential, hex(owners.requestHash), 'not me', w.time.now()),
      nameContact(thief.device, thief.credential, { name: 'Accomplice', publicKey: accomplice.publicKey }, w.time.now()),
      freezeAccount(thief.device, account, 'locking the owner out', w.time.now()),
    ];
    for (const bytes of attempts) expect(await send(w.authorizer.url, bytes)).toMatchObject({ status: 403 });
    expect(await w.authorizer.store.transaction((tx) => tx.disputes.contacts(account))).toEqual([]);
    expect(w.authorizer.db.prepare('SELECT COUNT(*) AS n FROM frozen_accounts').get()).toEqual({ n: 0 });
    expect((await w.authorizer.store.transaction((tx) => tx.payments.byHash(owners.requestHash)))!.state).toBe('captured');
    // The new phone keeps the owner's authority.
    expect(await send(w.authorizer.url, freezeAccount(newPhone.device, account, 'just in case', w.time.now()))).toMatchObject({ status: 200, body: { by: 'owner' } });
  });
});

describe('enrollment needs a provisioning credential by default', () => {
  /** A cheap board: any key, any device facts, with or without a token. */
  async function enroll(w: JudgementWorld, token?: Uint8Array): Promise<EnrollmentAnswer> {
    const key = createKeyPair('ES256', nodeEntropy);
    const request = signEnrollmentRequest(
      { key: { alg: 'ES256', publicKey: key.publicKey }, device: { model: 'cheap', serial: hex(randomBytes(4)), firmware: '0.1.0', board: 'cheap' }, localTime: w.time.now(), ...(token ? { provisioningToken: token } : {}) },
      { alg: 'ES256', sign: signerFor(key) },
    );
    const verified = verifyEnrollmentAnswer(new Uint8Array(await (await post(w, request, '/v1/enroll')).arrayBuffer()), request, w.authorizer.decisionKey);
    if (!verified.ok) throw new Error(verified.detail);
    return verified.answer;
  }

  it('hundreds of anonymous boards are refused and stored nowhere; a token enrolls one terminal, once, for its merchant', async () => {
    const w = await start({ enrollment: 'provisioned' });
    const pages = () => (w.authorizer.db.pragma('page_count') as { page_count: number }[])[0].page_count;
    for (let i = 0; i < strangerSampleSlots; i++) await enroll(w);
    const before = pages();
    for (let i = 0; i < 200; i++) expect(await enroll(w)).toMatchObject({ status: 'refused', reason: expect.stringMatching(/provisioning token is required/) });
    expect(pages() - before).toBeLessThanOrEqual(1);
    expect(count(w, 'terminals') + count(w, 'enrollments')).toBe(0);

    await w.authorizer.store.transaction((tx) => tx.merchants.upsert({ merchantId: 'M-ARCADE', name: 'Arcade', currency: 'EUR', purposes: ['arcade-credit'], site: { latitude: 48.87, longitude: 2.36, radius: 100 } }, 2000, w.time.now()));
    const issued = await w.authorizer.store.transaction((tx) => issueProvisioningToken(tx, { merchantId: 'M-ARCADE', now: w.time.now(), lifetimeMs: 3_600_000 }));
    expect(w.authorizer.db.prepare('SELECT COUNT(*) AS n FROM provisioning_tokens WHERE token_hash = ?').get(issued.token)).toEqual({ n: 0 });
    const enrolled = await enroll(w, issued.token);
    expect(enrolled).toMatchObject({ status: 'approved', merchant: { merchantId: 'M-ARCADE', site: { radius: 100 } }, limits: { maxAmount: 2000 } });
    // The same token on another board: used.
    expect(await enroll(w, issued.token)).toMatchObject({ status: 'refused', reason: expect.stringMatching(/unknown, used or expired/) });
    // A guessed token, and one past its time.
    expect(await enroll(w, new Uint8Array(randomBytes(16)))).toMatchObject({ status: 'refused' });
    const late = await w.authorizer.store.transaction((tx) => issueProvisioningToken(tx, { merchantId: 'M-DEMO', now: w.time.now(), lifetimeMs: 1000 }));
    w.time.advance(1000);
    expect(await enroll(w, late.token)).toMatchObject({ status: 'refused' });
    expect(count(w, 'terminals')).toBe(1);
    expect(await w.authorizer.store.transaction((tx) => tx.requests.strangers())).toMatchObject({ counts: { 'unprovisioned-enrollment': strangerSampleSlots + 203 } });
  });

  it('the terminal core enrolls with the token in its configuration and pays; without one it is told why', async () => {
    const real = await startWorld({ enrollment: 'provisioned' });
    try {
      await expect(bootTerminal({ url: real.authorizer.url, dataDir: real.dir('no-token') })).rejects.toMatchObject({ kind: 'enrollment-failed', message: expect.stringMatching(/provisioning token is required/) });
      const issued = await real.authorizer.store.transaction((tx) => issueProvisioningToken(tx, { merchantId: 'M-DEMO', now: Date.now() }));
      const { terminal, hal } = await bootTerminal({ url: real.authorizer.url, dataDir: real.dir('provisioned'), config: { provisioningToken: issued.token } });
      try {
        expect(terminal.identity!.merchant.merchantId).toBe('M-DEMO');
        expect(await pay(terminal, real.wallet.code(), coffee)).toMatchObject({ outcome: 'approved', actuated: true });
      } finally {
        hal.shutdown();
      }
    } finally {
      await real.close();
    }
  });
});

describe('enrollment attempts are limited per source and per provisioning credential, in the database', () => {
  const postgres = postgresAvailability();
  let server: PostgresServer | undefined;
  afterAll(async () => {
    await server?.stop();
  });
  if (!postgres.ok) it.skip(`on PostgreSQL — skipped: ${postgres.reason}`, () => undefined);

  for (const kind of ['sqlite', ...(postgres.ok ? ['PostgreSQL'] : [])] as const) {
    it(`two authorizer processes over one ${kind} database (what --workers runs) share the counts: a re-enrolling key, a flooding source and a leaked token get 429 until the window ends`, async () => {
      const root = mkdtempSync(join(tmpdir(), 'qrpay-enroll-rate-'));
      let clock = Date.now();
      const database = kind === 'PostgreSQL' ? { database: await (server ??= await PostgresServer.start()).createDatabase() } : {};
      const config = {
        dataDir: join(root, 'authorizer'), ...database, enrollment: 'open' as const, now: () => clock,
        enrollmentLimits: { windowMs: 60_000, perSource: 8, perCredential: 3 }, notify: { dispatcher: { intervalMs: 3_600_000 } },
      };
      // The second one starts over the data directory and database the first one created, as a worker does.
      const first = await startAuthorizer(config);
      const second = await startAuthorizer(config);
      try {
        const workers = [first, second];
        const key = createKeyPair('ES256', nodeEntropy);
        const enrollment = (board: KeyPair, token?: Uint8Array) => signEnrollmentRequest(
          { key: { alg: 'ES256', publicKey: board.publicKey }, device: { model: 'cheap', serial: 'SN-1', firmware: '0.1.0', board: 'cheap' }, localTime: clock, ...(token ? { provisioningToken: token } : {}) },
          { alg: 'ES256', sign: signerFor(board) },
        );
        const enrollAt = async (i: number, body: Uint8Array) => {
          const response = await fetch(`${workers[i % 2].url}/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body });
          return { status: response.status, text: response.status === 200 ? '' : await response.text() };
        };
        // One key enrolls, then re-enrolls (each journaled), alternating between the workers: the fourth re-enrollment is one too many.
        for (let i = 0; i < 4; i++) expect(await enrollAt(i, enrollment(key))).toMatchObject({ status: 200 });
        expect(await enrollAt(4, enrollment(key))).toEqual({ status: 429, text: expect.stringMatching(/more than 3 enrollment attempts with this key/) });
        // Other keys from the same address: the source's ninth attempt is refused, whatever it carries (even garbage).
        for (let i = 5; i < 8; i++) expect(await enrollAt(i, enrollment(createKeyPair('ES256', nodeEntropy)))).toMatchObject({ status: 200 });
        expect(await enrollAt(8, Uint8Array.of(1, 2, 3))).toEqual({ status: 429, text: expect.stringMatching(/more than 8 enrollment attempts from /) });
        expect(await enrollAt(9, enrollment(createKeyPair('ES256', nodeEntropy)))).toMatchObject({ status: 429 });
        const terminals = () => first.store.transaction((tx) => tx.views.terminals());
        expect(await terminals()).toHaveLength(4);
        expect(await first.store.transaction((tx) => tx.views.terminals())).toEqual(await second.store.transaction((tx) => tx.views.terminals()));

        // A window later both counts start again. An issued token tried by board after board (leaked): counted as one credential.
        clock += 60_000;
        expect(await enrollAt(10, enrollment(key))).toMatchObject({ status: 200 });
        const issued = await first.store.transaction((tx) => issueProvisioningToken(tx, { merchantId: 'M-DEMO', now: clock }));
        for (let i = 11; i < 14; i++) expect(await enrollAt(i, enrollment(createKeyPair('ES256', nodeEntropy), issued.token))).toMatchObject({ status: 200 });
        expect(await enrollAt(14, enrollment(createKeyPair('ES256', nodeEntropy), issued.token)))
          .toEqual({ status: 429, text: expect.stringMatching(/more than 3 enrollment attempts with this provisioning token/) });
        expect(await terminals()).toHaveLength(5); // the token enrolled one board; the two after it were refused as used
        // Made-up tokens and new keys add no rows of their own: one per source, the known key, the issued token.
        if (kind === 'sqlite') {
          expect(first.db.prepare('SELECT scope, COUNT(*) AS n FROM enrollment_attempts GROUP BY scope ORDER BY scope').all())
            .toEqual([{ scope: 'credential', n: 2 }, { scope: 'source', n: 1 }]);
        }
      } finally {
        await second.close();
        await first.close();
        rmSync(root, { recursive: true, force: true });
      }
    });
  }
});
