/**
 * Load test of the reference authorizer on loopback: many simulated terminals
 * (each its own key, enrolled over HTTP, one charge at a time with increasing
 * trace numbers) pay with many customers' genuine codes for a bounded time and
 * a bounded count, on SQLite and on PostgreSQL (a durable server this bench
 * starts: test/support/postgres-server.ts), with 1 and 2 worker processes, all
 * in one run. The authorizer runs in child processes with the V8 CPU profiler
 * on (off with --no-profile: no shares then), so its figures are its own; every request is signed before the clock
 * starts, so the load generator spends little CPU while it runs.
 *
 * Reports, per configuration: authorizations per second, p50/p99/max latency,
 * CPU per authorization of the authorizer's processes (and, apart, of the
 * PostgreSQL server's), and the shares of that CPU verifying signatures,
 * signing decisions, in the database driver and store, and judging risk.
 * Then proves nothing was lost or doubled: every request got exactly one
 * answer, every answer verifies and is bound to its request, and the database
 * holds exactly one decision per request, byte for byte the one received.
 *
 * A share of requests (`--retries`, default 5 %) is sent a second time, the
 * same bytes, the way a terminal retries after a lost answer: the answer must
 * be byte for byte the first one and the database must hold no second decision.
 *
 * Before the measured phase, `--warmup` requests (default 200, in whole rounds of the terminals) are sent and
 * answered, so the figures are of an authorizer whose code is compiled, as a fleet's long-running one is. With
 * `--rate R` the measured phase is an open loop at R authorizations a second (each request timed from when it was
 * due); without it (0), each terminal sends its next request as soon as it has its answer.
 *
 *   npx tsx bench/load.ts [--terminals 40] [--customers 400] [--seconds 15] [--max 2000] [--retries 0.05]
 *                         [--database sqlite,postgres] [--workers 1,2] [--rate 0] [--warmup 200] [--no-profile]
 *
 * Loopback (127.0.0.1) only. Exits 1 if any decision was lost, doubled or unverifiable.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import pg from 'pg';
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
import { postgresAvailability, PostgresServer } from '../test/support/postgres-server';
import { serverVerify } from '../tools/authorizer/crypto';
import { printTable } from './measure';

const { values } = parseArgs({
  options: {
    terminals: { type: 'string', default: '40' },
    customers: { type: 'string', default: '400' },
    seconds: { type: 'string', default: '15' },
    max: { type: 'string', default: '2000' },
    retries: { type: 'string', default: '0.05' },
    database: { type: 'string', default: 'sqlite,postgres' },
    workers: { type: 'string', default: '1,2' },
    rate: { type: 'string', default: '0' },
    warmup: { type: 'string', default: '200' },
    'no-profile': { type: 'boolean', default: false },
  },
});
const terminalCount = bounded('terminals', 1, 500);
const customerCount = bounded('customers', 1, 10_000);
const seconds = bounded('seconds', 1, 60);
const maxRequests = bounded('max', 1, 20_000);
const rate = bounded('rate', 0, 10_000);
const warmupRequests = bounded('warmup', 0, 20_000);
// The profiler's sampling costs the authorizer 2-4 % of its CPU (docs/authorizer.md, Load): figures without it, shares need it.
const profiled = !values['no-profile'];
const retryShare = Number(values.retries);
if (!(retryShare >= 0 && retryShare <= 1)) usage('--retries must be a share between 0 and 1');
const databases = values.database.split(',');
if (databases.length === 0 || databases.some((d) => d !== 'sqlite' && d !== 'postgres')) usage('--database is a list of sqlite and postgres');
const workerCounts = values.workers.split(',').map(Number);
if (workerCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 8)) usage('--workers is a list of whole numbers 1..8');

function usage(message: string): never {
  console.error(message);
  process.exit(2);
}

function bounded(name: 'terminals' | 'customers' | 'seconds' | 'max' | 'rate' | 'warmup', min: number, max: number): number {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min || n > max) usage(`--${name} must be a whole number in ${min}..${max}`);
  return n;
}

const site = { latitude: 48.8675, longitude: 2.3638 };
const issuer = createIssuer({ alg: 'ES256' }, nodeEntropy);
const customers = Array.from({ length: customerCount }, () => {
  const device = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
  const now = Math.floor(Date.now() / 1000);
  const credential = issueCredential(issuer, { device: { alg: 'ES256', publicKey: device.publicKey }, notBefore: now - 60, expiresAt: now + 86400 }, nodeEntropy);
  return { device, credential };
});

let postgres: PostgresServer | undefined;
if (databases.includes('postgres')) {
  const availability = postgresAvailability();
  if (!availability.ok) usage(`--database postgres: ${availability.reason}`);
  // Durable like SQLite's synchronous = FULL: fsync and synchronous commit on.
  postgres = await PostgresServer.start({ durable: true, statementCounts: true });
}

interface Figures {
  label: string;
  authPerSecond: number;
  p50: number;
  p99: number;
  cpuPerAuth: number;
  serverCpuPerAuth: number | undefined;
  statementsPerAnswer: number | undefined;
  roundTripsPerAnswer: number | undefined;
  /** Undefined with --no-profile. */
  shares: Shares | undefined;
  failures: number;
}

const results: Figures[] = [];
let failedRuns = 0;
try {
  for (const database of databases as ('sqlite' | 'postgres')[]) {
    for (const workers of workerCounts) {
      const figures = await runOnce(database, workers);
      results.push(figures);
      if (figures.failures > 0) failedRuns++;
    }
  }
} finally {
  await postgres?.stop();
}

const fixture = makeFixture();
const verifyNoble = timePerOp(() => p256.verify(fixture.signature, fixture.message, fixture.publicKey, { prehash: true, lowS: true, format: 'compact' }));
const verifyServer = timePerOp(() => serverVerify('ES256', fixture.publicKey, fixture.message, fixture.signature));
const percent = (share: number | undefined) => (share === undefined ? '-' : `${(share * 100).toFixed(0)} %`);
printTable(`summary: ${terminalCount} terminals, ${customerCount} customers, up to ${maxRequests} requests / ${seconds} s each, ${rate > 0 ? `${rate} a second (open loop)` : 'as fast as answered'}, after ${warmupRequests} warm-up requests`, [
  'store, workers', 'auth/s', 'p50 ms', 'p99 ms', 'CPU ms/auth (authorizer)', 'CPU ms/auth (PostgreSQL server)', 'statements/answer', 'round trips/answer', 'verify', 'sign', 'database', 'risk', 'lost or doubled',
], results.map((r) => [
  r.label, r.authPerSecond.toFixed(0), r.p50.toFixed(1), r.p99.toFixed(1), r.cpuPerAuth.toFixed(2),
  r.serverCpuPerAuth === undefined ? '-' : r.serverCpuPerAuth.toFixed(2), r.statementsPerAnswer === undefined ? '-' : r.statementsPerAnswer.toFixed(1),
  r.roundTripsPerAnswer === undefined ? '-' : r.roundTripsPerAnswer.toFixed(1), percent(r.shares?.verify), percent(r.shares?.sign), percent(r.shares?.database),
  percent(r.shares?.risk), r.failures === 0 ? '0' : `${r.failures} PROBLEMS`,
]));
printTable('P-256 verify, one op (this machine, this process)', ['implementation', 'ms/op'], [
  ['noble, src/crypto/verify.ts (the terminal\'s)', verifyNoble.toFixed(3)],
  ['node:crypto, tools/authorizer/crypto.ts (the authorizer\'s, key cached)', verifyServer.toFixed(3)],
]);
if (failedRuns > 0) {
  console.error(`\nFAILED: ${failedRuns} configuration(s) lost, doubled or could not verify decisions (see above)`);
  process.exit(1);
}
console.log('\nno decision lost or doubled in any configuration.');

async function runOnce(database: 'sqlite' | 'postgres', workers: number): Promise<Figures> {
  const label = `${database === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${workers} worker${workers > 1 ? 's' : ''}`;
  const root = mkdtempSync(join(tmpdir(), 'qrpay-load-'));
  const dataDir = join(root, 'authorizer');
  const profileDir = join(root, 'profile');
  const databaseUrl = database === 'postgres' ? await postgres!.createDatabase() : undefined;
  const child = fork(join(import.meta.dirname, 'load', 'authorizer-process.ts'), [
    JSON.stringify({ dataDir, ...(databaseUrl ? { database: databaseUrl } : {}), workers, issuer: { alg: issuer.alg, kid: hex(issuer.kid), publicKey: hex(issuer.publicKey) } }),
  ], { execArgv: profiled ? ['--import', 'tsx', '--cpu-prof', `--cpu-prof-dir=${profileDir}`] : ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });

  const message = <T>(match: (m: Record<string, unknown>) => boolean, send?: object): Promise<T> =>
    new Promise((resolve, reject) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (!match(m)) return;
        child.off('message', onMessage);
        resolve(m as T);
      };
      child.on('message', onMessage);
      child.once('exit', (code) => reject(new Error(`the authorizer process exited (${code})`)));
      if (send) child.send(send);
    });

  const ready = await message<{ url: string; decisionKey: { alg: 'ES256'; publicKey: string } }>((m) => 'url' in m);
  const url = ready.url;
  if (!url.startsWith('http://127.0.0.1:')) throw new Error(`refusing to load anything but loopback: ${url}`);
  const decisionKey: PublicKey = { alg: ready.decisionKey.alg, publicKey: Buffer.from(ready.decisionKey.publicKey, 'hex') };
  let agent = new http.Agent({ keepAlive: true, maxSockets: terminalCount });
  const post = (target: string, body: Uint8Array) => postWith(agent, target, body);

  console.log(`\n${label}: authorizer on ${url}; preparing ${terminalCount} terminals and up to ${maxRequests} signed requests...`);
  const benches: Bench[] = [];
  for (let i = 0; i < terminalCount; i++) benches.push(await enroll(post, url, i));

  // Pre-sign every request (codes live up to 120 s) so the timed phase measures the authorizer, not the clients: the
  // warm-up's whole rounds of the terminals, then up to `--max` measured ones.
  const warmupRounds = Math.ceil(warmupRequests / terminalCount);
  const perTerminal = warmupRounds + Math.ceil(maxRequests / terminalCount);
  let made = 0;
  for (let round = 0; round < perTerminal; round++) {
    for (const bench of benches) {
      if (made >= warmupRounds * terminalCount + maxRequests) break;
      const customer = customers[made % customerCount];
      bench.queue.push(request(bench, customer.credential, customer.device, round + 1));
      made++;
    }
  }

  // Fresh connections: the enrollments' idle ones may have outlived the server's keep-alive while the requests were
  // signed, and a request written on a connection the server is closing gets "socket hang up".
  agent.destroy();
  agent = new http.Agent({ keepAlive: true, maxSockets: terminalCount });

  const answers = new Map<string, Uint8Array>();
  const failures: string[] = [];
  let sent = 0;
  let answered = 0;
  let retried = 0;
  let measuredRetries = 0;
  /**
   * Each terminal sends its queue's rounds [first, end) one request at a time. Measured: latencies are kept, nothing
   * is sent from the deadline on, and with a rate the load is an open loop: request k of the phase is due k / rate
   * seconds after its start (terminals in turn), and one sent late because its terminal still waited for the previous
   * answer is timed from when it was due, so a slow authorizer cannot hide its queue by slowing the terminals down.
   */
  const drive = (first: number, end: number, measured?: { started: number; deadline: number; latencies: number[]; seconds: number[] }) =>
    Promise.all(benches.map(async (bench, i) => {
      for (let round = first; round < end && round < bench.queue.length; round++) {
        const prepared = bench.queue[round];
        let t0 = performance.now();
        if (measured) {
          const due = rate > 0 ? measured.started + (((round - first) * terminalCount + i) * 1000) / rate : t0;
          if (due >= measured.deadline || t0 >= measured.deadline) break;
          if (due > t0) await sleep(due - t0);
          t0 = due;
        }
        sent++;
        try {
          const body = await post(`${url}/v1/authorize`, prepared.bytes);
          if (measured) {
            measured.latencies.push(performance.now() - t0);
            measured.seconds.push(Math.floor((t0 - measured.started) / 1000));
          }
          answered++;
          const key = `${bench.id}/${prepared.trace}`;
          if (answers.has(key)) failures.push(`${key}: answered twice`);
          answers.set(key, body);
          if (Math.random() < retryShare) {
            retried++;
            if (measured) measuredRetries++;
            const again = await post(`${url}/v1/authorize`, prepared.bytes);
            if (Buffer.compare(Buffer.from(again), Buffer.from(body)) !== 0) failures.push(`${key}: a retry got another answer`);
          }
        } catch (error) {
          failures.push(`${bench.id}/${prepared.trace}: ${(error as Error).message}`);
        }
      }
    }));
  // Warm-up, before anything is counted: the JIT has compiled the authorizer's code and its caches are filled, as in a
  // fleet's long-running authorizer (without it the first requests' compilation was the p99). Its answers are checked like all.
  await drive(0, warmupRounds);

  const serverCpuBefore = postgres ? postgresCpuSeconds(postgres.pid) : 0;
  const statementsBefore = databaseUrl ? await postgres!.statementCount(databaseUrl) : 0;
  const marked = await message<{ at: number }>((m) => 'marked' in m, { mark: true });
  const latencies: number[] = [];
  // The second of the measured phase each request was sent (or due) in, beside its latency.
  const secondOfRequest: number[] = [];
  const started = performance.now();
  await drive(warmupRounds, perTerminal, { started, deadline: started + seconds * 1000, latencies, seconds: secondOfRequest });
  const elapsed = (performance.now() - started) / 1000;
  const serverCpu = postgres && database === 'postgres' ? postgresCpuSeconds(postgres.pid) - serverCpuBefore : undefined;
  // The server's own count of what it ran, without the CPU's and latency's noise; the store's round trips (sent statements
  // ride with the next one it waits for) come back with the CPU below.
  const statements = databaseUrl ? (await postgres!.statementCount(databaseUrl)) - statementsBefore : undefined;
  child.send({ stop: true });
  const { cpu, at: stoppedAt, reruns, roundTrips } = await message<{ cpu: NodeJS.CpuUsage; at: number; reruns: number; roundTrips: number }>((m) => 'cpu' in m);
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
  const stored = await storedRequests(dataDir, databaseUrl);
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

  const shares = profiled ? readProfiles(profileDir, { from: marked.at, to: stoppedAt }) : undefined;
  const decided = latencies.length;
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const sorted = latencies.slice().sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
  if (answered !== sent) failures.push(`${sent - answered} requests without an answer`);
  // A queue that builds (a cold start, a stall) and drains shows here, where one p99 over the phase hides when.
  const bySecond: number[][] = [];
  latencies.forEach((latency, k) => (bySecond[secondOfRequest[k]] ??= []).push(latency));
  const p99BySecond = bySecond.map((group) => {
    group.sort((a, b) => a - b);
    return group[Math.min(group.length - 1, Math.floor(0.99 * group.length))].toFixed(0);
  });

  printTable(`${label}: ${elapsed.toFixed(1)} s`, ['figure', 'value'], [
    ['requests sent / answered (warm-up included) / measured', `${sent} / ${answered} / ${decided}`],
    ['retries sent (same bytes) / answered identically', `${retried} / ${retried - failures.filter((f) => f.includes('retry')).length}`],
    ['outcomes', [...outcomes].map(([o, n]) => `${o} ${n}`).join(', ')],
    ['authorizations per second', (decided / elapsed).toFixed(1)],
    ['latency p50 / p99 / max, ms', `${pct(50).toFixed(1)} / ${pct(99).toFixed(1)} / ${(sorted.at(-1) ?? NaN).toFixed(1)}`],
    ['latency p99 by second of the measured phase, ms', p99BySecond.join(' ')],
    ['authorizer CPU per authorization, ms (all its processes)', ((cpuSeconds * 1000) / decided).toFixed(2)],
    ['  of which in the kernel (system time: fsync, sockets, files)', ((cpu.system / 1000) / decided).toFixed(2)],
    ['authorizer CPU busy (of one core)', `${((cpuSeconds / elapsed) * 100).toFixed(0)} %`],
    ...(serverCpu !== undefined ? [
      ['PostgreSQL server CPU per authorization, ms', ((serverCpu * 1000) / decided).toFixed(2)],
      ['units of work PostgreSQL aborted and the store ran again', String(reruns)],
      ['PostgreSQL statements per answer (pg_stat_statements; retries, reruns, notifications included)', (statements! / (decided + measuredRetries)).toFixed(1)],
      ['round trips the store waited for per answer (the same; statements sent without waiting ride along)', (roundTrips / (decided + measuredRetries)).toFixed(1)],
    ] : []),
    ...(shares ? [
      ['share of CPU verifying signatures', `${(shares.verify * 100).toFixed(1)} %`],
      ['share of CPU signing decisions', `${(shares.sign * 100).toFixed(1)} %`],
      ['share of CPU in the database driver and store', `${(shares.database * 100).toFixed(1)} %`],
      ['share of CPU judging risk', `${(shares.risk * 100).toFixed(1)} %`],
    ] : [['shares of the CPU', 'not profiled (--no-profile)']]),
  ]);
  if (failures.length > 0) console.error(`\n${label} FAILED: ${failures.length} problems:\n${failures.slice(0, 20).join('\n')}`);
  else console.log(`\n${label}: no decision lost or doubled: ${sent} requests, ${answered} answers, each verified and bound to its request, ${answered} decisions stored, byte for byte the same; ${retried} retries answered with the stored decision, none decided again.`);

  if (process.env.QRPAY_LOAD_KEEP) console.log(`kept ${root}`);
  else rmSync(root, { recursive: true, force: true });
  return {
    label, authPerSecond: decided / elapsed, p50: pct(50), p99: pct(99), cpuPerAuth: (cpuSeconds * 1000) / decided,
    serverCpuPerAuth: serverCpu === undefined ? undefined : (serverCpu * 1000) / decided,
    statementsPerAnswer: statements === undefined ? undefined : statements / (decided + measuredRetries),
    roundTripsPerAnswer: statements === undefined ? undefined : roundTrips / (decided + measuredRetries), shares, failures: failures.length,
  };
}

interface StoredRow { terminal_id: string; trace: number; retry_of: number | null; decision: Uint8Array | null }

async function storedRequests(dataDir: string, databaseUrl: string | undefined): Promise<StoredRow[]> {
  const sql = 'SELECT r.terminal_id, r.trace, r.retry_of, d.decision FROM requests r LEFT JOIN decisions d ON d.request_id = r.id';
  if (!databaseUrl) {
    const db = new Database(join(dataDir, databaseFileName), { readonly: true });
    try {
      return db.prepare(sql).all() as StoredRow[];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(sql)).rows.map((row) => ({ ...row, trace: Number(row.trace), retry_of: row.retry_of === null ? null : Number(row.retry_of) }));
  } finally {
    await client.end();
  }
}

/** CPU seconds of the PostgreSQL server: the postmaster, its live backends, and the backends it has reaped (its cutime/cstime). */
function postgresCpuSeconds(postmaster: number): number {
  const ticksPerSecond = 100; // USER_HZ on Linux
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // Fields after the command (which may hold spaces) in parentheses: state ppid ... utime(14) stime(15) cutime(16) cstime(17).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(entry);
    const ppid = Number(fields[1]);
    if (pid !== postmaster && ppid !== postmaster) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
    if (pid === postmaster) ticks += Number(fields[13]) + Number(fields[14]);
  }
  return ticks / ticksPerSecond;
}

// ---------------------------------------------------------------------------------------------------------------

interface Prepared { bytes: Uint8Array; hash: Uint8Array; trace: number }
interface Bench { id: string; key: KeyPair; queue: Prepared[] }

async function enroll(post: (target: string, body: Uint8Array) => Promise<Uint8Array>, url: string, i: number): Promise<Bench> {
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

function postWith(agent: http.Agent, target: string, body: Uint8Array): Promise<Uint8Array> {
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

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }

type Part = 'verify' | 'sign' | 'database' | 'risk' | 'idle' | 'other';
interface Shares { verify: number; sign: number; database: number; risk: number }

/** What a profile frame is doing, by the file it runs in (the nearest classified caller decides for the rest). */
function partOf(functionName: string, file: string): Part | undefined {
  if (functionName === '(idle)' || functionName === '(program)') return 'idle';
  if ((functionName.startsWith('serverVerify') && file.endsWith('/tools/authorizer/crypto.ts')) || (functionName === 'verify' && file.endsWith('/src/crypto/verify.ts'))) return 'verify';
  if (functionName === 'signDecision' && file.endsWith('/src/authorization/decision.ts')) return 'sign';
  if (/\/node_modules\/(better-sqlite3|pg|pg-protocol|pg-types|pg-pool)\//.test(file)) return 'database';
  if (/\/tools\/authorizer\/store\/(sqlite|postgres)\/(?!index\.ts)/.test(file)) return 'database';
  if (file.includes('/tools/authorizer/domain/risk/')) return 'risk';
  return undefined;
}

/** Shares of the non-idle samples of the timed phase, over every authorizer process's profile. */
function readProfiles(profileDir: string, window: { from: number; to: number }): Shares {
  const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
  if (files.length === 0) throw new Error('the authorizer wrote no CPU profile');
  const counts: Record<Part, number> = { verify: 0, sign: 0, database: 0, risk: 0, idle: 0, other: 0 };
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(profileDir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number };
    const parent = new Map<number, number>();
    const byId = new Map<number, ProfileNode>();
    for (const node of profile.nodes) {
      byId.set(node.id, node);
      for (const c of node.children ?? []) parent.set(c, node.id);
    }
    const tag = new Map<number, Part>();
    const classify = (id: number): Part => {
      const known = tag.get(id);
      if (known) return known;
      const { functionName, url: source } = byId.get(id)!.callFrame;
      let result = partOf(functionName, source);
      if (result === undefined) {
        const up = parent.get(id);
        result = up === undefined ? 'other' : classify(up);
        if (result === 'idle') result = 'other';
      }
      tag.set(id, result);
      return result;
    };
    // Sample times are microseconds on the monotonic clock every process's process.hrtime reads.
    let t = profile.startTime;
    profile.samples.forEach((id, i) => {
      const delta = profile.timeDeltas[i] ?? 0;
      t += delta;
      if (t >= window.from && t <= window.to) counts[classify(id)] += delta;
    });
  }
  const busy = counts.verify + counts.sign + counts.database + counts.risk + counts.other;
  return { verify: counts.verify / busy, sign: counts.sign / busy, database: counts.database / busy, risk: counts.risk / busy };
}

function makeFixture() {
  const secret = p256.utils.randomSecretKey();
  const message = new Uint8Array(300).fill(7);
  return { publicKey: p256.getPublicKey(secret, true), message, signature: p256.sign(message, secret, { prehash: true, format: 'compact' }) };
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
