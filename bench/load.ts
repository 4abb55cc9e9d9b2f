/**
 * Load test of the reference authorizer on loopback: many simulated terminals
 * (each its own key, enrolled over HTTP, one charge at a time with increasing
 * trace numbers) pay with many customers' genuine codes for a bounded time and
 * a bounded count. The authorizer runs in a child process with the V8 CPU
 * profiler on, so its figures are its own.
 *
 * Reports authorizations per second, p50/p99/max latency, the share of the
 * authorizer's CPU spent verifying signatures (samples under src/crypto/verify.ts
 * `verify`), and compares noble's P-256 verify with Node's own crypto.verify
 * (OpenSSL): the throughput ceiling that verification alone sets with each.
 * Then proves nothing was lost or doubled: every request got exactly one
 * answer, every answer verifies and is bound to its request, and the database
 * holds exactly one decision per request, byte for byte the one received.
 *
 * A share of requests (`--retries`, default 5 %) is sent a second time, the
 * same bytes, the way a terminal retries after a lost answer: the answer must
 * be byte for byte the first one and the database must hold no second decision.
 *
 *   npx tsx bench/load.ts [--terminals 40] [--customers 400] [--seconds 15] [--max 2000] [--retries 0.05]
 *
 * Loopback (127.0.0.1) only. Exits 1 if any decision was lost, doubled or unverifiable.
 */
import { fork } from 'node:child_process';
import { createPublicKey, verify as nodeVerify, type KeyObject } from 'node:crypto';
import http from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { p256 } from '@noble/curves/nist.js';
import { nodeEntropy } from '../hal/sim/entropy';
import { requestHash, verifyDecision } from '../src/authorization/decision';
import { signEnrollmentRequest, verifyEnrollmentAnswer } from '../src/authorization/enrollment';
import { signRequest } from '../src/authorization/request';
import type { PublicKey } from '../src/authorization/signer';
import { databaseFileName } from '../tools/authorizer/store/sqlite/database';
import {
  createDeviceKey, createIssuer, createKeyPair, issueCredential, makePaymentCode, signerFor, type IssuedCredential, type KeyPair,
} from '../tools/wallet/wallet';
import { printTable } from './measure';

const { values } = parseArgs({
  options: {
    terminals: { type: 'string', default: '40' },
    customers: { type: 'string', default: '400' },
    seconds: { type: 'string', default: '15' },
    max: { type: 'string', default: '2000' },
    retries: { type: 'string', default: '0.05' },
  },
});
const terminalCount = bounded('terminals', 1, 500);
const customerCount = bounded('customers', 1, 10_000);
const seconds = bounded('seconds', 1, 60);
const maxRequests = bounded('max', 1, 20_000);
const retryShare = Number(values.retries);
if (!(retryShare >= 0 && retryShare <= 1)) {
  console.error('--retries must be a share between 0 and 1');
  process.exit(2);
}

function bounded(name: keyof typeof values, min: number, max: number): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min || n > max) {
    console.error(`--${name} must be a whole number in ${min}..${max}`);
    process.exit(2);
  }
  return n;
}

const site = { latitude: 48.8675, longitude: 2.3638 };
const root = mkdtempSync(join(tmpdir(), 'qrpay-load-'));
const dataDir = join(root, 'authorizer');
const profileDir = join(root, 'profile');

const issuer = createIssuer({ alg: 'ES256' }, nodeEntropy);
const child = fork(join(import.meta.dirname, 'load', 'authorizer-process.ts'), [
  JSON.stringify({ dataDir, issuer: { alg: issuer.alg, kid: hex(issuer.kid), publicKey: hex(issuer.publicKey) } }),
], { execArgv: ['--import', 'tsx', '--cpu-prof', `--cpu-prof-dir=${profileDir}`], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

const ready = await message<{ url: string; decisionKey: { alg: 'ES256'; publicKey: string } }>((m) => 'url' in m);
const url = ready.url;
if (!url.startsWith('http://127.0.0.1:')) throw new Error(`refusing to load anything but loopback: ${url}`);
const decisionKey: PublicKey = { alg: ready.decisionKey.alg, publicKey: Buffer.from(ready.decisionKey.publicKey, 'hex') };
const agent = new http.Agent({ keepAlive: true, maxSockets: terminalCount });

console.log(`authorizer on ${url}; preparing ${terminalCount} terminals, ${customerCount} customers, up to ${maxRequests} signed requests...`);
const customers = Array.from({ length: customerCount }, () => {
  const device = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
  const now = Math.floor(Date.now() / 1000);
  const credential = issueCredential(issuer, { device: { alg: 'ES256', publicKey: device.publicKey }, notBefore: now - 60, expiresAt: now + 86400 }, nodeEntropy);
  return { device, credential };
});

interface Prepared { bytes: Uint8Array; hash: Uint8Array; trace: number }
interface Bench { id: string; key: KeyPair; queue: Prepared[] }
const benches: Bench[] = [];
for (let i = 0; i < terminalCount; i++) benches.push(await enroll(i));

// Pre-sign every request (codes live up to 120 s) so the timed phase measures the authorizer, not the clients.
const perTerminal = Math.ceil(maxRequests / terminalCount);
let made = 0;
for (let round = 0; round < perTerminal; round++) {
  for (const bench of benches) {
    if (made >= maxRequests) break;
    const customer = customers[made % customerCount];
    bench.queue.push(request(bench, customer.credential, customer.device, round + 1));
    made++;
  }
}

const marked = await message<{ at: number }>((m) => 'marked' in m, { mark: true });
const latencies: number[] = [];
const answers = new Map<string, Uint8Array>();
const failures: string[] = [];
let sent = 0;
let retried = 0;
const started = performance.now();
const deadline = started + seconds * 1000;
await Promise.all(benches.map(async (bench) => {
  for (const prepared of bench.queue) {
    if (performance.now() >= deadline) break;
    sent++;
    const t0 = performance.now();
    try {
      const body = await post(`${url}/v1/authorize`, prepared.bytes);
      latencies.push(performance.now() - t0);
      const key = `${bench.id}/${prepared.trace}`;
      if (answers.has(key)) failures.push(`${key}: answered twice`);
      answers.set(key, body);
      if (Math.random() < retryShare) {
        retried++;
        const again = await post(`${url}/v1/authorize`, prepared.bytes);
        if (Buffer.compare(Buffer.from(again), Buffer.from(body)) !== 0) failures.push(`${key}: a retry got another answer`);
      }
    } catch (error) {
      failures.push(`${bench.id}/${prepared.trace}: ${(error as Error).message}`);
    }
  }
}));
const elapsed = (performance.now() - started) / 1000;
child.send({ stop: true });
const { cpu, at: stoppedAt } = await message<{ cpu: NodeJS.CpuUsage; at: number }>((m) => 'cpu' in m);
const window = { from: marked.at, to: stoppedAt };
await new Promise((resolve) => child.once('exit', resolve));
agent.destroy();

// Every answer: a decision signed by the authorizer, bound to the request sent.
const outcomes = new Map<string, number>();
for (const bench of benches) {
  for (const prepared of bench.queue) {
    const body = answers.get(`${bench.id}/${prepared.trace}`);
    if (!body) continue;
    const verified = verifyDecision(body, { authorizer: decisionKey, requestHash: prepared.hash, terminalId: bench.id, trace: prepared.trace, now: Date.now(), maxSkew: 600_000 });
    if (!verified.ok) failures.push(`${bench.id}/${prepared.trace}: ${verified.problem}`);
    else outcomes.set(verified.decision.outcome, (outcomes.get(verified.decision.outcome) ?? 0) + 1);
  }
}
// The database: one request row and one decision per request sent, identical to what the terminal got.
const db = new Database(join(dataDir, databaseFileName), { readonly: true });
const stored = db.prepare('SELECT r.terminal_id, r.trace, r.retry_of, d.decision FROM requests r LEFT JOIN decisions d ON d.request_id = r.id').all() as
  { terminal_id: string; trace: number; retry_of: number | null; decision: Uint8Array | null }[];
db.close();
const storedByKey = new Map<string, number>();
let storedRetries = 0;
for (const row of stored) {
  const key = `${row.terminal_id}/${row.trace}`;
  if (row.retry_of !== null) {
    // A retry is journaled, pointing at its original, and answered with the original's decision: never decided again.
    storedRetries++;
    if (row.decision) failures.push(`${key}: a retry was decided again`);
    continue;
  }
  storedByKey.set(key, (storedByKey.get(key) ?? 0) + 1);
  const received = answers.get(key);
  if (!row.decision) failures.push(`${key}: stored without a decision`);
  else if (!received) failures.push(`${key}: decided but the terminal got no answer`);
  else if (Buffer.compare(Buffer.from(row.decision), Buffer.from(received)) !== 0) failures.push(`${key}: stored decision differs from the one received`);
}
for (const key of answers.keys()) if (storedByKey.get(key) !== 1) failures.push(`${key}: ${storedByKey.get(key) ?? 0} stored requests`);
if (storedRetries !== retried) failures.push(`${retried} retries sent, ${storedRetries} journaled`);

// Where the authorizer's CPU went during the timed phase.
const fixture = makeFixture();
const profile = readProfile(window);
const verifyNoble = timePerOp(() => p256.verify(fixture.signature, fixture.message, fixture.publicKey, { prehash: true, lowS: false, format: 'compact' }));
const verifyNodeCold = timePerOp(() => nodeVerify('sha256', fixture.message, { key: spki(fixture.publicKey), dsaEncoding: 'ieee-p1363' }, fixture.signature));
const cachedKey = spki(fixture.publicKey);
const verifyNodeCached = timePerOp(() => nodeVerify('sha256', fixture.message, { key: cachedKey, dsaEncoding: 'ieee-p1363' }, fixture.signature));

const decided = latencies.length;
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
const verifySeconds = profile.verifyShare * cpuSeconds;
const verifiesPerAuth = verifySeconds / decided / (verifyNoble / 1000);
const sorted = latencies.slice().sort((a, b) => a - b);
const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

printTable(`authorizer load on loopback: ${terminalCount} terminals, ${customerCount} customers, ${elapsed.toFixed(1)} s`, ['figure', 'value'], [
  ['requests sent / decided', `${sent} / ${decided}`],
  ['retries sent (same bytes) / answered identically', `${retried} / ${retried - failures.filter((f) => f.includes('retry')).length}`],
  ['outcomes', [...outcomes].map(([o, n]) => `${o} ${n}`).join(', ')],
  ['authorizations per second', (decided / elapsed).toFixed(1)],
  ['latency p50 / p99 / max, ms', `${pct(50).toFixed(1)} / ${pct(99).toFixed(1)} / ${sorted[sorted.length - 1].toFixed(1)}`],
  ['authorizer CPU per authorization, ms', ((cpuSeconds * 1000) / decided).toFixed(2)],
  ['authorizer CPU busy (of one core)', `${((cpuSeconds / elapsed) * 100).toFixed(0)} %`],
  ['share of CPU verifying signatures', `${(profile.verifyShare * 100).toFixed(1)} %`],
  ['share of CPU signing decisions', `${(profile.signShare * 100).toFixed(1)} %`],
  ['share of CPU in SQLite', `${(profile.sqliteShare * 100).toFixed(1)} %`],
  ['signature verifications per authorization (est.)', verifiesPerAuth.toFixed(2)],
]);
printTable('P-256 verify, one op (this machine, this process)', ['implementation', 'ms/op', 'ceiling: authorizations/s on one core from verification alone'], [
  ['noble (what the authorizer runs)', verifyNoble.toFixed(3), (1000 / (verifyNoble * verifiesPerAuth)).toFixed(0)],
  ['node:crypto verify, key parsed each time', verifyNodeCold.toFixed(3), (1000 / (verifyNodeCold * verifiesPerAuth)).toFixed(0)],
  ['node:crypto verify, key cached', verifyNodeCached.toFixed(3), (1000 / (verifyNodeCached * verifiesPerAuth)).toFixed(0)],
]);
const perAuthMs = (cpuSeconds * 1000) / decided;
const withNode = perAuthMs - (verifySeconds * 1000) / decided * (1 - verifyNodeCold / verifyNoble);
console.log(`\nWith node:crypto for verification the authorizer would spend ~${withNode.toFixed(2)} ms CPU per authorization (now ${perAuthMs.toFixed(2)}): ~${(1000 / withNode).toFixed(0)}/s on one core.`);

if (process.env.QRPAY_LOAD_KEEP) console.log(`kept ${root}`);
else rmSync(root, { recursive: true, force: true });
if (failures.length > 0 || decided !== sent) {
  console.error(`\nFAILED: ${failures.length} problems${decided !== sent ? `, ${sent - decided} requests without an answer` : ''}:\n${failures.slice(0, 20).join('\n')}`);
  process.exit(1);
}
console.log(`\nno decision lost or doubled: ${decided} requests, ${decided} answers, each verified and bound to its request, ${decided} decisions stored, byte for byte the same; ${retried} retries answered with the stored decision, none decided again.`);

// ---------------------------------------------------------------------------------------------------------------

async function enroll(i: number): Promise<Bench> {
  const key = createKeyPair('ES256', nodeEntropy);
  const request = signEnrollmentRequest(
    { key: { alg: 'ES256', publicKey: key.publicKey }, device: { model: 'load', serial: `L${i}`, firmware: '1.0.0', board: 'load' }, localTime: Date.now() },
    { alg: 'ES256', sign: signerFor(key) },
  );
  const verified = verifyEnrollmentAnswer(await post(`${url}/v1/enroll`, request), request);
  if (!verified.ok || !verified.answer.terminalId) throw new Error('enrollment failed');
  return { id: verified.answer.terminalId, key, queue: [] };
}

function request(bench: Bench, credential: IssuedCredential, device: KeyPair, trace: number): Prepared {
  const code = makePaymentCode(credential, device, { clock: { now: Date.now }, entropy: nodeEntropy, lifetimeSeconds: 120 }).text;
  const bytes = signRequest(
    {
      amount: 300 + (trace % 7) * 50, currency: 'EUR', purpose: 'counter-sale', reference: `load-${trace}`, terminalId: bench.id, trace,
      localTime: Date.now(), location: { status: 'fix', fix: '3d', satellites: 9, ...site, accuracy: 5 }, paymentCode: code,
      verdict: { status: 'verified' }, firmware: '1.0.0',
    },
    { alg: 'ES256', sign: signerFor(bench.key) },
  );
  return { bytes, hash: requestHash(bytes), trace };
}

function post(target: string, body: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: 'POST', agent, headers: { 'content-type': 'application/cose', 'content-length': body.length }, timeout: 30_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(new Uint8Array(Buffer.concat(chunks))) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

function message<T>(match: (m: Record<string, unknown>) => boolean, send?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (!match(m)) return;
      child.off('message', onMessage);
      resolve(m as T);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`the authorizer process exited (${code})`)));
    if (send) child.send(send);
  });
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }

/** Shares of the non-idle samples of the timed phase whose stack passes through verify / sign / SQLite. */
function readProfile(window: { from: number; to: number }): { verifyShare: number; signShare: number; sqliteShare: number } {
  const file = readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('the authorizer wrote no CPU profile');
  const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };
  const parent = new Map<number, number>();
  const byId = new Map<number, ProfileNode>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const c of node.children ?? []) parent.set(c, node.id);
  }
  const tag = new Map<number, 'verify' | 'sign' | 'sqlite' | 'idle' | 'other'>();
  const classify = (id: number): 'verify' | 'sign' | 'sqlite' | 'idle' | 'other' => {
    const known = tag.get(id);
    if (known) return known;
    const node = byId.get(id)!;
    const { functionName, url: file } = node.callFrame;
    let result: 'verify' | 'sign' | 'sqlite' | 'idle' | 'other';
    if (functionName === '(idle)' || functionName === '(program)') result = 'idle';
    else if (functionName === 'verify' && file.endsWith('/src/crypto/verify.ts')) result = 'verify';
    else if (functionName === 'signDecision' && file.endsWith('/src/authorization/decision.ts')) result = 'sign';
    else if (file.includes('better-sqlite3')) result = 'sqlite';
    else {
      const up = parent.get(id);
      result = up === undefined ? 'other' : classify(up);
      if (result === 'idle') result = 'other';
    }
    tag.set(id, result);
    return result;
  };
  const counts = { verify: 0, sign: 0, sqlite: 0, idle: 0, other: 0 };
  // Sample times are microseconds on the monotonic clock the child's process.hrtime reads.
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t >= window.from && t <= window.to) counts[classify(id)] += delta;
  });
  const busy = counts.verify + counts.sign + counts.sqlite + counts.other;
  return { verifyShare: counts.verify / busy, signShare: counts.sign / busy, sqliteShare: counts.sqlite / busy };
}

function makeFixture() {
  const secret = p256.utils.randomSecretKey();
  const message = new Uint8Array(300).fill(7);
  return { publicKey: p256.getPublicKey(secret, true), message, signature: p256.sign(message, secret, { prehash: true, format: 'compact' }) };
}

function spki(raw: Uint8Array): KeyObject {
  const prefix = raw.length === 33 ? '3039301306072a8648ce3d020106082a8648ce3d030107032200' : '3059301306072a8648ce3d020106082a8648ce3d030107034200';
  return createPublicKey({ key: Buffer.concat([Buffer.from(prefix, 'hex'), raw]), format: 'der', type: 'spki' });
}

function timePerOp(op: () => unknown, ms = 600): number {
  for (let i = 0; i < 20; i++) op();
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    op();
    n++;
  }
  return (performance.now() - t0) / n;
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
