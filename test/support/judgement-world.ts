/**
 * Scenario fixtures for the authorizer's judgement, on loopback with the real
 * server and SQLite database: a clock the test moves (history over hours and
 * days in milliseconds of test time), wallets whose codes follow that clock,
 * and "bench terminals" that enroll and sign requests with their own keys
 * over HTTP exactly as the firmware does, but with the location, firmware and
 * purpose each scenario needs. Receivers on loopback stand in for the wallet
 * push service and the SMS / e-mail gateway. Node-only.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeEntropy } from '../../hal/sim/entropy';
import type { Purpose } from '../../src/authorization/charge';
import { requestHash, verifyDecision, type DecisionBody } from '../../src/authorization/decision';
import { signEnrollmentRequest, verifyEnrollmentAnswer, type Site } from '../../src/authorization/enrollment';
import type { WireLocation } from '../../src/authorization/location';
import type { PublicKey } from '../../src/authorization/signer';
import { signRequest } from '../../src/authorization/request';
import { signReversal, verifyReversalAck, type ReversalAck, type ReversalReason } from '../../src/authorization/reversal';
import { signInstruction, verifyInstructionResult, type Instruction, type InstructionResult } from '../../src/authorization/instruction';
import { startAuthorizer, type NotifyConfig, type RunningAuthorizer } from '../../tools/authorizer/authorizer';
import type { RateLimits } from '../../tools/authorizer/domain/authorization';
import type { EnrollmentLimits, EnrollmentMode } from '../../tools/authorizer/domain/provisioning';
import { parseRiskConfig } from '../../tools/authorizer/domain/risk/config';
import pg from 'pg';
import type { Fired } from '../../tools/authorizer/domain/risk/factors';
import {
  createDeviceKey, createIssuer, createKeyPair, issueCredential, makePaymentCode, signerFor, type IssuedCredential, type IssuerKey, type KeyPair,
} from '../../tools/wallet/wallet';

export const site = { latitude: 48.8675, longitude: 2.3638 };

/** A fix `north` and `east` metres from the site (or from `from`). */
export function fixAt(north: number, east: number, extra: Partial<WireLocation> = {}, from = site): WireLocation {
  const latitude = from.latitude + north / 111_320;
  const longitude = from.longitude + east / (111_320 * Math.cos((from.latitude * Math.PI) / 180));
  return { status: 'fix', fix: '3d', satellites: 9, latitude, longitude, accuracy: 4, ...extra };
}

export const noReceiver: WireLocation = { status: 'absent', fix: 'none', satellites: 0, reason: 'no-receiver' };

export class ManualTime {
  #t: number;
  constructor(start = Date.UTC(2026, 5, 1, 12)) {
    this.#t = start;
  }
  readonly now = (): number => this.#t;
  advance(ms: number): void {
    this.#t += ms;
  }
}

export class TestWallet {
  readonly device: KeyPair;
  readonly credential: IssuedCredential;
  readonly #now: () => number;

  constructor(issuer: IssuerKey, now: () => number, account?: Uint8Array) {
    this.#now = now;
    this.device = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
    const seconds = Math.floor(now() / 1000);
    this.credential = issueCredential(issuer, {
      device: { alg: 'ES256', publicKey: this.device.publicKey }, notBefore: seconds - 60, expiresAt: seconds + 60 * 86400, ...(account ? { account } : {}),
    }, nodeEntropy);
  }

  code(): string {
    return makePaymentCode(this.credential, this.device, { clock: { now: this.#now }, entropy: nodeEntropy }).text;
  }
}

export interface Paid {
  body: DecisionBody;
  requestHash: Uint8Array;
  trace: number;
  /** The signed decision exactly as received. */
  answer: Uint8Array;
  /** The signed request as sent. */
  bytes: Uint8Array;
}

/** Where bench terminals send: an authorizer's URL, the key its decisions are signed with, and the clock they are judged by. */
export interface AuthorizerEndpoint {
  readonly url: string;
  readonly decisionKey: PublicKey;
  now(): number;
  /** How far a decision's time may be from `now`, ms. Default 1000 (the world's clock stands still while it answers). */
  readonly maxSkew?: number;
}

export interface SignedRequest {
  bytes: Uint8Array;
  trace: number;
}

export interface PayOptions {
  amount?: number;
  purpose?: Purpose;
  location?: WireLocation;
  /** Sign with this trace number instead of the next one (a clone, a replay). */
  trace?: number;
  /** Present this code instead of a fresh one from the wallet (a copy). */
  code?: string;
  reference?: string;
  kind?: 'pre-auth';
}

export class BenchTerminal {
  readonly id: string;
  readonly key: KeyPair;
  /** The decision key the enrollment answer named (every worker of one authorizer must name the same). */
  readonly authorizerKey: PublicKey;
  firmware: string;
  #trace = 0;
  readonly #endpoint: AuthorizerEndpoint;

  constructor(endpoint: AuthorizerEndpoint, id: string, key: KeyPair, firmware: string, authorizerKey: PublicKey) {
    this.#endpoint = endpoint;
    this.id = id;
    this.key = key;
    this.firmware = firmware;
    this.authorizerKey = authorizerKey;
  }

  /** Signs a request as the firmware does, without sending it. */
  sign(wallet: TestWallet, options: PayOptions = {}): SignedRequest {
    const trace = options.trace ?? ++this.#trace;
    const bytes = signRequest(
      {
        amount: options.amount ?? 450, currency: 'EUR', purpose: options.purpose ?? 'counter-sale', reference: options.reference ?? `r-${trace}`,
        terminalId: this.id, trace, localTime: this.#endpoint.now(), location: options.location ?? fixAt(0, 0),
        paymentCode: options.code ?? wallet.code(), verdict: { status: 'verified' }, firmware: this.firmware, ...(options.kind ? { kind: options.kind } : {}),
      },
      { alg: this.key.alg, sign: signerFor(this.key) },
    );
    return { bytes, trace };
  }

  /** Sends a signed request and verifies the decision it gets against the request (throws when it does not verify). */
  async send(request: SignedRequest): Promise<Paid> {
    const endpoint = this.#endpoint;
    const response = await fetch(`${endpoint.url}/v1/authorize`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: request.bytes });
    const answer = new Uint8Array(await response.arrayBuffer());
    const hash = requestHash(request.bytes);
    const verified = verifyDecision(answer, {
      authorizer: endpoint.decisionKey, requestHash: hash, terminalId: this.id, trace: request.trace, now: endpoint.now(), maxSkew: endpoint.maxSkew ?? 1000,
    });
    if (!verified.ok) throw new Error(`decision does not verify: ${verified.problem} ${verified.detail}`);
    return { body: verified.decision, requestHash: hash, trace: request.trace, answer, bytes: request.bytes };
  }

  pay(wallet: TestWallet, options: PayOptions = {}): Promise<Paid> {
    return this.send(this.sign(wallet, options));
  }

  /** Gives up one of this terminal's requests, as the firmware does. */
  reverse(target: { trace: number; requestHash: Uint8Array }, reason: ReversalReason = 'no-answer', localTime?: number): Promise<Reversed> {
    return sendReversal(this.#endpoint, this.id, this.key, target, reason, localTime);
  }

  /** Signs an instruction with this terminal's key (the next trace number unless given) and POSTs it. */
  async instruct(fields: Omit<Instruction, 'terminalId' | 'trace' | 'localTime'> & { trace?: number }): Promise<{ status: number; body: Uint8Array; bytes: Uint8Array; result?: InstructionResult }> {
    const endpoint = this.#endpoint;
    const trace = fields.trace ?? ++this.#trace;
    const bytes = signInstruction({ ...fields, terminalId: this.id, trace, localTime: endpoint.now() }, { alg: this.key.alg, sign: signerFor(this.key) });
    const response = await fetch(`${endpoint.url}/v1/instruct`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: bytes });
    const body = new Uint8Array(await response.arrayBuffer());
    const verified = response.status === 200 ? verifyInstructionResult(body, { authorizer: endpoint.decisionKey, terminalId: this.id, trace, instruction: bytes }) : undefined;
    return { status: response.status, body, bytes, ...(verified?.ok ? { result: verified.result } : {}) };
  }

  /** Takes the next trace number without sending anything (a request lost on the way). */
  skipTrace(): number {
    return ++this.#trace;
  }
}

/** Enrolls a bench terminal with its own new key (the authorizer must approve enrollments itself, or take `provisioningToken`). */
export async function enrollBenchTerminal(endpoint: AuthorizerEndpoint, firmware = '1.0.0', provisioningToken?: Uint8Array): Promise<BenchTerminal & { site: Site }> {
  const key = createKeyPair('ES256', nodeEntropy);
  const request = signEnrollmentRequest(
    {
      key: { alg: 'ES256', publicKey: key.publicKey }, device: { model: 'bench', serial: `S${Math.random().toString(36).slice(2, 10)}`, firmware, board: 'bench' }, localTime: endpoint.now(),
      ...(provisioningToken ? { provisioningToken } : {}),
    },
    { alg: 'ES256', sign: signerFor(key) },
  );
  const response = await fetch(`${endpoint.url}/v1/enroll`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: request });
  const verified = verifyEnrollmentAnswer(new Uint8Array(await response.arrayBuffer()), request);
  if (!verified.ok || !verified.answer.terminalId) throw new Error(`enrollment failed: ${verified.ok ? verified.answer.status : verified.detail}`);
  // The site the authorizer told it it stands at (its own, or its merchant's).
  return Object.assign(new BenchTerminal(endpoint, verified.answer.terminalId, key, firmware, verified.answer.authorizer), { site: verified.answer.merchant!.site });
}

export interface Reversed {
  status: number;
  body: Uint8Array;
  /** The verified acknowledgement, when the answer was one. */
  ack?: ReversalAck;
}

/** Signs a reversal of request (`trace`, `requestHash`) of terminal `id` with `key`, POSTs it and verifies the answer. */
export async function sendReversal(
  endpoint: AuthorizerEndpoint, id: string, key: KeyPair, target: { trace: number; requestHash: Uint8Array }, reason: ReversalReason = 'no-answer', localTime = endpoint.now(),
): Promise<Reversed> {
  const bytes = signReversal({ terminalId: id, trace: target.trace, requestHash: target.requestHash, reason, localTime }, { alg: key.alg, sign: signerFor(key) });
  const response = await fetch(`${endpoint.url}/v1/reverse`, { method: 'POST', headers: { 'content-type': 'application/cose' }, body: bytes });
  const body = new Uint8Array(await response.arrayBuffer());
  const verified = response.status === 200 ? verifyReversalAck(body, { authorizer: endpoint.decisionKey, terminalId: id, ...target }) : undefined;
  return { status: response.status, body, ...(verified?.ok ? { ack: verified.ack } : {}) };
}

export interface Assessment {
  outcome: string;
  reason: string;
  score: number;
  factors: Fired[];
}

/**
 * QRPAY_TEST_POSTGRES (the URL of a PostgreSQL server's maintenance database, e.g.
 * postgres://postgres@127.0.0.1:5432/postgres): every world that names no store gets a new, empty database
 * there, so a scenario suite runs on PostgreSQL as it is (`QRPAY_TEST_POSTGRES=… npx vitest run test/node/e2e/…`).
 */
let environmentDatabases = 0;
async function databaseFromEnvironment(): Promise<string | undefined> {
  const server = process.env.QRPAY_TEST_POSTGRES;
  if (!server) return undefined;
  const name = `qrpay_world_${process.pid}_${++environmentDatabases}`;
  const client = new pg.Client({ connectionString: server });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

export class JudgementWorld {
  readonly time: ManualTime;
  readonly issuer: IssuerKey;
  readonly authorizer: RunningAuthorizer;
  readonly root: string;

  private constructor(time: ManualTime, issuer: IssuerKey, authorizer: RunningAuthorizer, root: string) {
    this.time = time;
    this.issuer = issuer;
    this.authorizer = authorizer;
    this.root = root;
  }

  /** `database`: a postgres:// URL (test/support/postgres-server.ts), instead of the SQLite or memory `store`. */
  static async start(options: {
    risk?: unknown; notify?: NotifyConfig; time?: ManualTime; store?: 'sqlite' | 'memory'; database?: string; holdTtl?: number; limits?: RateLimits; enrollment?: EnrollmentMode;
    enrollmentLimits?: EnrollmentLimits;
  } = {}): Promise<JudgementWorld> {
    const root = mkdtempSync(join(tmpdir(), 'qrpay-judge-'));
    const time = options.time ?? new ManualTime();
    const issuer = createIssuer({ alg: 'ES256' }, nodeEntropy);
    const database = options.database ?? (options.store ? undefined : await databaseFromEnvironment());
    const authorizer = await startAuthorizer({
      dataDir: join(root, 'authorizer'),
      ...(options.store ? { store: options.store } : {}),
      ...(database ? { database } : {}),
      ...(options.holdTtl ? { holdTtl: options.holdTtl } : {}),
      // Bench terminals enroll as they are needed (provisioning has its own tests).
      enrollment: options.enrollment ?? 'open',
      issuers: [{ alg: issuer.alg, kid: issuer.kid, publicKey: issuer.publicKey }],
      now: time.now,
      risk: parseRiskConfig(options.risk ?? {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.enrollmentLimits ? { enrollmentLimits: options.enrollmentLimits } : {}),
      // Tests drive delivery with dispatcher.runOnce(); a long interval keeps the timer out of the way.
      notify: { dispatcher: { intervalMs: 3_600_000 }, ...options.notify },
    });
    return new JudgementWorld(time, issuer, authorizer, root);
  }

  wallet(account?: Uint8Array): TestWallet {
    return new TestWallet(this.issuer, this.time.now, account);
  }

  /** The running authorizer as bench terminals see it, on this world's clock. */
  get endpoint(): AuthorizerEndpoint {
    return { url: this.authorizer.url, decisionKey: this.authorizer.decisionKey, now: this.time.now };
  }

  terminal(firmware = '1.0.0'): Promise<BenchTerminal & { site: Site }> {
    return enrollBenchTerminal(this.endpoint, firmware);
  }

  /** The stored assessment of a terminal's request. */
  assessment(terminal: BenchTerminal, trace: number): Assessment {
    const row = this.authorizer.db.prepare(
      `SELECT a.outcome, a.reason, a.score, a.factors FROM risk_assessments a JOIN requests r ON r.id = a.request_id
       WHERE r.terminal_id = ? AND r.trace = ? AND r.retry_of IS NULL`,
    ).get(terminal.id, trace) as { outcome: string; reason: string; score: number; factors: string };
    return { ...row, factors: JSON.parse(row.factors) as Fired[] };
  }

  fired(terminal: BenchTerminal, trace: number): string[] {
    return this.assessment(terminal, trace).factors.map((f) => f.name);
  }

  async close(): Promise<void> {
    await this.authorizer.close();
    rmSync(this.root, { recursive: true, force: true });
  }
}

/** A loopback HTTP receiver (a push service or a gateway) that records JSON bodies and can fail on demand. */
export class Receiver {
  readonly received: Record<string, unknown>[] = [];
  /** The same messages as they came: body bytes and headers. */
  readonly raw: { body: Uint8Array; headers: http.IncomingHttpHeaders }[] = [];
  /** Answer 503 to this many requests before accepting. */
  failNext = 0;
  onMessage: ((body: Record<string, unknown>) => void) | undefined;
  #server: http.Server | undefined;
  url = '';

  async start(): Promise<this> {
    this.#server = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', () => {
        if (this.failNext > 0) {
          this.failNext--;
          response.writeHead(503).end();
          return;
        }
        const bytes = Buffer.concat(chunks);
        const body = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
        this.received.push(body);
        this.raw.push({ body: new Uint8Array(bytes), headers: request.headers });
        response.writeHead(204).end();
        this.onMessage?.(body);
      });
    });
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/hook`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.#server) return resolve();
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
