/**
 * The authorizer's storage port: one small async interface per aggregate, and
 * ONE way in, `Store.transaction`, which hands the work a `Tx` whose every
 * read and write belongs to one atomic, isolated unit (all or nothing). The
 * domain (../domain) speaks only these interfaces: no SQL, no driver types.
 * Implementations: ./sqlite (better-sqlite3, each module owning its
 * migrations), ./postgres (pg, the same modules and migrations, for many
 * processes sharing one database) and ./memory (fast tests); the contract
 * suite (test/node/authorizer/store-contract.test.ts) runs the same checks on
 * all three.
 *
 * Row types are the domain's: camelCase, bytes as Uint8Array, times in ms.
 */
import type { Outcome } from '../../../src/authorization/decision';
import type { MerchantProfile } from '../../../src/authorization/enrollment';
import type { SignatureAlgorithm } from '../../../hal/keystore';
import type { CoseAlgName } from '../../../src/cose/sign1';
import type { PaymentState } from '../domain/payment-state';

export interface Store {
  readonly kind: 'sqlite' | 'postgres' | 'memory';
  /**
   * Runs `work` atomically and isolated (as if no other unit of work ran
   * meanwhile, in any process): committed when it resolves, rolled back when
   * it throws (the error is rethrown). A store may run `work` again after a
   * conflict it rolled back, so `work` keeps its effects outside the store for
   * `afterCommit`.
   */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  /** The schema version (the highest migration applied; memory: the same list's highest). */
  schemaVersion(): Promise<number>;
  close(): Promise<void>;
}

export interface Tx {
  settings: SettingsPort;
  merchants: MerchantsPort;
  terminals: TerminalsPort;
  requests: RequestsPort;
  codes: CodesPort;
  lists: ListsPort;
  payments: PaymentsPort;
  history: History;
  stepUps: StepUpsPort;
  disputes: DisputesPort;
  outbox: OutboxPort;
  lifecycle: LifecyclePort;
  provisioning: ProvisioningPort;
  sites: SitesPort;
  views: OperatorViews;
  /** Runs `effect` after this transaction committed (never when it rolls back). */
  afterCommit(effect: () => void): void;
}

export interface SettingsPort {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  /** Forgets `key` (SQLite: with secure_delete, so the old value does not linger in free pages). */
  remove(key: string): Promise<void>;
}

export interface Merchant extends MerchantProfile {
  /** Largest single payment, minor units. */
  maxAmount: number;
  /** ISO 18245 merchant category code (four digits), when configured; the authorizer's, not sent to terminals. */
  categoryCode: string | null;
}

/**
 * Who last wrote a merchant or a site: the configuration (the merchants file, or the authorizer's default
 * merchant), or the operator (`qrpay operator merchant|site add|edit`). The file never overwrites the operator's
 * (domain/merchants.ts, `applyMerchants`).
 */
export type RecordOrigin = 'config' | 'operator';

export interface MerchantsPort {
  /** Creates the merchant or updates it, recording who wrote it (default 'config'). */
  upsert(merchant: MerchantProfile & { categoryCode?: string | null }, maxAmount: number, now: number, origin?: RecordOrigin): Promise<void>;
  /** Creates the merchant; false (nothing written) when its id exists, in any process. */
  insert(merchant: MerchantProfile & { categoryCode?: string | null }, maxAmount: number, now: number, origin: RecordOrigin): Promise<boolean>;
  get(id: string): Promise<Merchant | undefined>;
  /** Who wrote it last; undefined: no such merchant. */
  origin(id: string): Promise<RecordOrigin | undefined>;
  /** Every merchant, by id. */
  list(): Promise<Merchant[]>;
}

/** A place of a merchant where its terminals stand: a geofence (a terminal enrolled there is judged off-site beyond it). */
export interface SiteRecord {
  id: string;
  merchantId: string;
  name: string;
  latitude: number;
  longitude: number;
  /** Metres. */
  radius: number;
}

export interface SitesPort {
  /** Creates the site or updates it (its merchant never changes: an error when it would), recording who wrote it (default 'config'). */
  upsert(site: SiteRecord, now: number, origin?: RecordOrigin): Promise<void>;
  /** Creates the site (its merchant must exist); false (nothing written) when its id exists, in any process. */
  insert(site: SiteRecord, now: number, origin: RecordOrigin): Promise<boolean>;
  get(id: string): Promise<SiteRecord | undefined>;
  /** Who wrote it last; undefined: no such site. */
  origin(id: string): Promise<RecordOrigin | undefined>;
  /** A merchant's sites, by id. */
  forMerchant(merchantId: string): Promise<SiteRecord[]>;
}

export type TerminalStatus = 'pending' | 'approved' | 'refused' | 'suspended';

export interface TerminalRecord {
  id: string;
  merchantId: string;
  alg: SignatureAlgorithm;
  publicKey: Uint8Array;
  firmware: string;
  status: TerminalStatus;
  lastTrace: number;
  /** The site it was enrolled into (a provisioning token's, or the default one); null: the merchant's own. */
  siteId: string | null;
}

export interface NewTerminal {
  id: string;
  merchantId: string;
  siteId?: string | null;
  alg: SignatureAlgorithm;
  publicKey: Uint8Array;
  device: { model: string; serial: string; firmware: string; board: string };
  status: TerminalStatus;
  now: number;
}

export interface TerminalsPort {
  byId(id: string): Promise<TerminalRecord | undefined>;
  byKey(publicKey: Uint8Array): Promise<TerminalRecord | undefined>;
  insert(terminal: NewTerminal): Promise<void>;
  /** Pending or suspended → approved; false when it was neither. */
  approve(id: string, now: number): Promise<boolean>;
  suspend(id: string, reason: string): Promise<void>;
  setLastTrace(id: string, trace: number): Promise<void>;
  count(): Promise<number>;
  recordEnrollment(entry: { terminalId: string; now: number; request: Uint8Array; status: string; answer: Uint8Array }): Promise<void>;
}

/** An authorization request as journaled: every one its terminal's key signed, retries included. */
export interface RequestEntry {
  receivedAt: number;
  bytes: Uint8Array;
  hash: Uint8Array;
  /** SHA-256 of the signed payload: the retry identity, whatever the signature bytes. */
  payloadHash: Uint8Array;
  terminalId: string;
  trace: number;
  amount: number;
  currency: string;
  purpose: string;
  reference: string;
  locationStatus: string;
  latitude: number | null;
  longitude: number | null;
  terminalVerdict: string;
  retryOf: number | null;
}

export interface StoredDecision {
  requestId: number;
  outcome: Outcome;
  reason: string;
  approvalCode: string | null;
  decidedAt: number;
  decision: Uint8Array;
}

/**
 * Why a request proved nothing about its sender: it could not be read, it
 * names no terminal we know, or its terminal's key did not sign it.
 */
export type StrangerKind = 'unreadable' | 'unknown-terminal' | 'bad-terminal-signature' | 'unprovisioned-enrollment';

/** A bounded sample of one unauthenticated request: its first bytes, never the whole body. */
export interface StrangerSample {
  kind: StrangerKind;
  receivedAt: number;
  /** The body's length in bytes. */
  size: number;
  /** At most `strangerPrefixBytes` of its start. */
  prefix: Uint8Array;
  /** SHA-256 of the whole body. */
  hash: Uint8Array;
  /** At most `strangerProblemChars` characters. */
  problem: string;
}

/** How many samples are kept (a ring: the newest overwrite the oldest), and how much of each. */
export const strangerSampleSlots = 64;
export const strangerPrefixBytes = 64;
export const strangerProblemChars = 160;

export interface StrangerTally {
  counts: Partial<Record<StrangerKind, number>>;
  /** Newest first, at most strangerSampleSlots. */
  samples: StrangerSample[];
}

export interface RequestsPort {
  /**
   * Counts an unauthenticated request and keeps its sample in ring slot
   * (total count - 1) mod strangerSampleSlots: O(1) storage however many come.
   */
  noteStranger(sample: StrangerSample): Promise<void>;
  strangers(): Promise<StrangerTally>;
  record(entry: RequestEntry): Promise<number>;
  /** Requests journaled for this terminal with receivedAt >= since. */
  countSince(terminalId: string, since: number): Promise<number>;
  setCodeId(requestId: number, codeId: string): Promise<void>;
  bytes(requestId: number): Promise<Uint8Array | undefined>;
  /** The original (not a retry) request of this terminal with this trace and payload hash, with its decision. */
  decidedOriginal(terminalId: string, trace: number, payloadHash: Uint8Array): Promise<StoredDecision | undefined>;
  /** The original request of this terminal with this trace, decided or not. */
  originalByTrace(terminalId: string, trace: number): Promise<{ requestId: number; hash: Uint8Array } | undefined>;
  recordDecision(decision: StoredDecision): Promise<void>;
  /**
   * The original a journaled request with this hash is a retry of (a copy with the same payload and other
   * signature bytes, or the same bytes again); undefined for an original's hash or one never journaled.
   */
  originalOfRetry(hash: Uint8Array): Promise<number | undefined>;
  count(): Promise<number>;
}

/**
 * The authorizer's replay ledger: every payment code that verified, kept
 * until it could no longer pass the expiry check (`forgetAfter`, ms), then
 * prunable. Only codes whose signatures verified are recorded.
 */
export interface CodesPort {
  /** The request that first used this code, if it is still remembered. */
  firstUse(credential: string, codeId: string): Promise<number | undefined>;
  record(entry: { credential: string; codeId: string; requestId: number; now: number; forgetAfter: number }): Promise<void>;
  /** Codes of this credential with forgetAfter > now. */
  liveFor(credential: string, now: number): Promise<number>;
  /** Forgets the codes with forgetAfter <= now; returns how many. */
  prune(now: number): Promise<number>;
  /** Codes remembered (live or not yet pruned). */
  count(): Promise<number>;
}

export type ListName = 'trust' | 'deny';

export interface IssuerRecord {
  kid: string;
  alg: CoseAlgName;
  publicKey: Uint8Array;
}

export interface ListsPort {
  /** True when the issuer was new or its key changed. */
  upsertIssuer(issuer: IssuerRecord, now: number): Promise<boolean>;
  issuers(): Promise<IssuerRecord[]>;
  /** True when it was not revoked yet. Hex ids. */
  revoke(issuerKid: string, credentialId: string, now: number): Promise<boolean>;
  revoked(): Promise<{ issuerKid: string; credentialId: string }[]>;
  isRevoked(issuerKid: string, credentialId: string): Promise<boolean>;
  freeze(entry: { issuerKid: string; account: string; now: number; by: string; reason: string }): Promise<boolean>;
  unfreeze(issuerKid: string, account: string): Promise<boolean>;
  frozen(): Promise<{ issuerKid: string; account: string; frozenBy: string; reason: string }[]>;
  version(list: ListName): Promise<number>;
  bump(list: ListName): Promise<void>;
}

/** A payment as the authorizer knows it: a request whose code verified. */
export interface Payment {
  requestId: number;
  requestHash: Uint8Array;
  account: string;
  credential: string;
  deviceAlg: SignatureAlgorithm;
  deviceKey: Uint8Array;
  merchantId: string;
  terminalId: string;
  amount: number;
  currency: string;
  latitude: number | null;
  longitude: number | null;
  at: number;
  state: PaymentState;
}

/** One line of a payment's journal: every state it entered, why and when. */
export interface PaymentEvent {
  requestId: number;
  from: PaymentState | null;
  to: PaymentState;
  cause: string;
  detail: string;
  at: number;
}

/**
 * Payments and their journal. Only domain/payments.ts writes here (through
 * `transition`), so no state changes unjournaled.
 */
export interface PaymentsPort {
  insert(payment: Payment): Promise<void>;
  setState(requestId: number, state: PaymentState): Promise<void>;
  appendEvent(event: PaymentEvent): Promise<void>;
  events(requestId: number): Promise<PaymentEvent[]>;
  byRequest(requestId: number): Promise<Payment | undefined>;
  byHash(requestHash: Uint8Array): Promise<Payment | undefined>;
  /**
   * Distinct device keys of credentials that paid for the account, each with
   * its credential (kid hex / credential id hex). Which of them still speak
   * for the owner is the domain's rule (domain/owner-authority.ts).
   */
  deviceKeys(account: string): Promise<{ alg: SignatureAlgorithm; publicKey: Uint8Array; credential: string }[]>;
  recordFix(fix: { terminalId: string; requestId: number; latitude: number; longitude: number; accuracy: number | null; at: number }): Promise<void>;
  recordAssessment(requestId: number, assessment: StoredAssessment): Promise<void>;
  assessment(requestId: number): Promise<StoredAssessment | undefined>;
}

export interface StoredAssessment {
  score: number;
  customerScore: number;
  acceptanceScore: number;
  outcome: Outcome;
  reason: string;
  /** JSON array of fired factors. */
  factors: string;
  config: string;
  assessedAt: number;
}

export interface PastFix {
  latitude: number;
  longitude: number;
  at: number;
  accuracy: number | null;
}

export interface PastPayment {
  latitude: number;
  longitude: number;
  terminalId: string;
  at: number;
}

export interface Volume {
  count: number;
  total: number;
}

export interface AccountQuestions {
  account: string;
  /** The credential presenting the code. */
  credential: string;
  /** The merchant being paid. */
  merchantId: string;
  /** Start of the window `paymentsSince` counts. */
  since: number;
  /** How many of the newest accepted amounts to give. */
  recentLimit: number;
}

export interface AccountFacts {
  /** The account's newest accepted amounts, newest first, at most `recentLimit`. */
  recentAmounts: number[];
  /** The account's payments attempted at or after `since`, declined ones too. */
  paymentsSince: number;
  /** The account's newest accepted payment with a place. */
  lastPlacedPayment: PastPayment | undefined;
  /** Whether the credential has paid before (any account, any state). */
  credentialKnown: boolean;
  /** The account's accepted payments. */
  accountPayments: number;
  /** Whether the account has an accepted payment at the merchant. */
  paidMerchantBefore: boolean;
}

/**
 * What the risk factors know about the past. "Accepted" payments are those
 * the customer really made or is making: captured or held (pending).
 */
export interface History {
  lastTerminalFix(terminalId: string): Promise<PastFix | undefined>;
  /** What the customer factors ask about one account's past, answered together (one statement where the engine has one). */
  accountFacts(questions: AccountQuestions): Promise<AccountFacts>;
  /** The merchant's accepted payments with from <= at < to, for each window asked (in one statement where the engine has one). */
  merchantVolumes(merchantId: string, windows: readonly { from: number; to: number }[]): Promise<Volume[]>;
}

export type StepUpState = 'pending' | 'confirmed' | 'refused' | 'expired';

export interface StepUpRecord {
  id: string;
  requestId: number;
  requestHash: Uint8Array;
  account: string;
  state: StepUpState;
  createdAt: number;
  expiresAt: number;
  resolvedAt: number | null;
  finalOutcome: Outcome | null;
  finalReason: string | null;
  finalDecision: Uint8Array | null;
}

export interface StepUpsPort {
  insert(stepUp: StepUpRecord): Promise<void>;
  byId(id: string): Promise<StepUpRecord | undefined>;
  byHash(requestHash: Uint8Array): Promise<StepUpRecord | undefined>;
  byRequest(requestId: number): Promise<StepUpRecord | undefined>;
  settle(id: string, settled: { state: StepUpState; resolvedAt: number; finalOutcome: Outcome; finalReason: string; finalDecision: Uint8Array }): Promise<void>;
}

export interface ReportRecord {
  id: number;
  requestId: number;
  account: string;
  reportedAt: number;
  reportedBy: string;
  note: string;
  priorState: PaymentState;
  action: 'reversed' | 'disputed';
}

export interface CompensationRecord {
  id: number;
  reportId: number;
  amount: number;
  currency: string;
  kind: 'release' | 'refund';
  state: 'credited' | 'pending-review';
  createdAt: number;
  creditedAt: number | null;
}

export interface DisputesPort {
  reportFor(requestId: number): Promise<ReportRecord | undefined>;
  insertReport(report: Omit<ReportRecord, 'id'>): Promise<number>;
  insertCompensation(compensation: Omit<CompensationRecord, 'id'>): Promise<number>;
  compensationFor(reportId: number): Promise<CompensationRecord | undefined>;
  /** pending-review → credited; false when it was not waiting. */
  credit(compensationId: number, now: number): Promise<boolean>;
  upsertContact(contact: { account: string; name: string; alg: string; publicKey: Uint8Array; now: number }): Promise<void>;
  contacts(account: string): Promise<{ name: string; alg: SignatureAlgorithm; publicKey: Uint8Array }[]>;
}

export const channels = ['wallet-push', 'message'] as const;
export type Channel = (typeof channels)[number];
export type NotificationKind = 'payment' | 'step-up' | 'step-up-result' | 'report' | 'freeze' | 'contact-named' | 'copied-code' | 'reversal' | 'refund' | 'void' | 'completion' | 'offline-loss';

export interface OutboxEntry {
  id: number;
  messageId: string;
  channel: Channel;
  account: string;
  kind: NotificationKind;
  /** JSON of the Notification. */
  payload: string;
  createdAt: number;
  state: 'queued' | 'delivered' | 'dead';
  attempts: number;
  nextAttemptAt: number;
  deliveredAt: number | null;
  lastError: string | null;
}

export interface OutboxPort {
  /** Queues the messages of one event (one per channel), in one statement where the engine has one. */
  insert(entries: readonly Omit<OutboxEntry, 'id' | 'state' | 'attempts' | 'deliveredAt' | 'lastError'>[]): Promise<void>;
  due(now: number, limit: number): Promise<OutboxEntry[]>;
  /** Marks messages delivered, each at its own time (a dispatcher pass's deliveries, in one statement where the engine has one). */
  delivered(deliveries: readonly { id: number; deliveredAt: number }[]): Promise<void>;
  failed(id: number, update: { attempts: number; dead: boolean; nextAttemptAt: number; error: string }): Promise<void>;
  requeueDead(now: number): Promise<number>;
  /** How many notifications wait for delivery and how many gave up (the metrics' backlog; delivered ones are not counted). */
  backlog(): Promise<{ queued: number; dead: number }>;
}

/** A terminal's reversal of one of its requests, with the signed acknowledgement it got (idempotent). */
export interface ReversalRecord {
  terminalId: string;
  trace: number;
  /** The reversed request's hash as the terminal knew it. */
  requestHash: Uint8Array;
  /** SHA-256 of the reversal's signed payload: a retry (same payload, any valid signature) gets the same answer. */
  payloadHash: Uint8Array;
  reason: string;
  receivedAt: number;
  /** What it did: the payment's state before, or 'unknown' when the authorizer never saw the request. */
  effect: string;
  answer: Uint8Array;
}

/** A pre-authorization's hold: its payment is `authorized` until a completion, an expiry or a reversal. */
export interface HoldRecord {
  requestId: number;
  expiresAt: number;
}

/**
 * A completion, void, refund or batch close, as decided: from a terminal (signed, numbered with its trace) or
 * from the operator (named by the operator's reference). Idempotent on (terminal, trace) or on the reference.
 */
export interface InstructionRecord {
  terminalId: string;
  /** The instruction's trace number; null for the operator's. */
  trace: number | null;
  source: 'terminal' | 'operator';
  /** The operator's own reference (unique); null for a terminal's. */
  reference: string | null;
  action: 'complete' | 'void' | 'refund' | 'close-batch';
  targetRequestId: number | null;
  /** What was captured, voided or refunded (0 when refused or for a batch close). */
  amount: number;
  currency: string | null;
  outcome: 'done' | 'refused';
  reason: string;
  /** SHA-256 of the signed instruction (a terminal's), so a resend gets `answer` again. */
  instructionHash: Uint8Array | null;
  answer: Uint8Array | null;
  receivedAt: number;
}

/** A terminal's batch as closed: what the authorizer counted and whether the terminal's totals agreed. */
export interface BatchRecord {
  terminalId: string;
  number: number;
  closedAt: number;
  balanced: boolean;
  /** JSON array of the differences (instruction.ts Difference). */
  differences: string;
  /** The authorizer's items, as counted (JSON). */
  items: string;
}

export interface BatchItemRecord {
  trace: number;
  kind: 'sale' | 'completion' | 'void' | 'refund' | 'reversal';
  amount: number;
  currency: string;
}

/** What a terminal did since its last batch close, as the authorizer recorded it (items not closed yet). */
export interface OpenBatch {
  /** Accepted sales (not pre-authorizations), whatever became of them later. */
  sales: { trace: number; amount: number; currency: string }[];
  /** Reversals that undid money (voided or released). */
  reversals: { trace: number; amount: number; currency: string }[];
  /** The terminal's completions, voids and refunds that were done. */
  instructions: { trace: number; action: 'complete' | 'void' | 'refund'; amount: number; currency: string }[];
}

export interface LifecyclePort {
  reversal(terminalId: string, trace: number): Promise<ReversalRecord | undefined>;
  recordReversal(reversal: ReversalRecord): Promise<void>;
  openHold(hold: HoldRecord): Promise<void>;
  hold(requestId: number): Promise<HoldRecord | undefined>;
  /** Holds past their expiry whose payment is still authorized, oldest first. */
  expiredHolds(now: number, limit: number): Promise<HoldRecord[]>;
  instruction(terminalId: string, trace: number): Promise<InstructionRecord | undefined>;
  instructionByReference(reference: string): Promise<InstructionRecord | undefined>;
  recordInstruction(instruction: InstructionRecord): Promise<void>;
  /** The done completions, voids and refunds of one payment, oldest first. */
  doneOn(targetRequestId: number): Promise<InstructionRecord[]>;
  openBatch(terminalId: string): Promise<OpenBatch>;
  batch(terminalId: string, number: number): Promise<BatchRecord | undefined>;
  /** Records the close and puts `items` in batch `batch.number` (each (terminal, trace, kind) once, ever). */
  closeBatch(batch: BatchRecord, items: BatchItemRecord[]): Promise<void>;
  /** The batch an item was closed in, if it was. */
  closedIn(terminalId: string, trace: number, kind: BatchItemRecord['kind']): Promise<number | undefined>;
  batches(filter: { terminal?: string; limit: number }): Promise<(BatchRecord & { merchantId: string })[]>;
  recordOfflineLoss(loss: OfflineLossRecord): Promise<void>;
  offlineLoss(requestId: number): Promise<OfflineLossRecord | undefined>;
  offlineLosses(limit: number): Promise<OfflineLossRecord[]>;
}

/** An offline payment declined at its upload: the goods were gone, the merchant carries the loss. */
export interface OfflineLossRecord {
  requestId: number;
  terminalId: string;
  merchantId: string;
  trace: number;
  amount: number;
  currency: string;
  reason: string;
  at: number;
}

/** A one-time provisioning token as stored: only its SHA-256, never the token. */
export interface ProvisioningToken {
  tokenHash: Uint8Array;
  merchantId: string;
  /** The site it enrolls into; null: the merchant's own. */
  siteId?: string | null;
  createdAt: number;
  expiresAt: number;
}

export interface ProvisioningPort {
  insert(token: ProvisioningToken): Promise<void>;
  /**
   * Inserts the token unless one with its hash exists, and then changes nothing: an operator's voucher
   * (domain/provisioning.ts) at its first use, which `consume` then marks used. Two workers recording the same
   * hash at once leave one row.
   */
  record(token: ProvisioningToken): Promise<void>;
  /**
   * Marks the token used by `terminalId` when it is unused and expiresAt > now,
   * and returns the merchant it was issued for; undefined (and nothing
   * changed) otherwise. A token enrolls one terminal, once.
   */
  consume(tokenHash: Uint8Array, terminalId: string, now: number): Promise<{ merchantId: string; siteId: string | null } | undefined>;
  /** Whether a token with this hash was ever issued (used, expired or not). */
  issued(tokenHash: Uint8Array): Promise<boolean>;
  /**
   * Counts one enrollment attempt by `subject` (a source address, a provisioning credential) in its fixed
   * window of `windowMs` (which starts at the subject's first attempt and ends windowMs later) and returns the
   * attempts in the window so far, this one included. Atomic across processes sharing the store. Windows
   * that ended are forgotten, so the rows are the subjects seen in the last windowMs.
   */
  countEnrollmentAttempt(scope: EnrollmentRateScope, subject: string, now: number, windowMs: number): Promise<number>;
}

export type EnrollmentRateScope = 'source' | 'credential';

/** Read models for the operator's command line (tools/operator): rows as displayed. */
export interface OperatorViews {
  terminals(): Promise<TerminalLine[]>;
  transactions(filter: { terminal?: string; account?: string; limit: number }): Promise<TransactionLine[]>;
  decision(requestId: number): Promise<DecisionDetail | undefined>;
  notifications(state: string | undefined, limit: number): Promise<OutboxLine[]>;
  compensations(): Promise<CompensationLine[]>;
}

export interface TerminalLine {
  id: string;
  merchant_id: string;
  status: string;
  firmware: string;
  last_trace: number;
  requests: number;
  last_seen: number | null;
}

export interface TransactionLine {
  id: number;
  received_at: number;
  terminal_id: string | null;
  trace: number | null;
  amount: number | null;
  currency: string | null;
  outcome: string | null;
  reason: string | null;
  score: number | null;
  account: string | null;
  state: string | null;
  retry_of: number | null;
}

export interface DecisionDetail {
  request: TransactionLine & { location_status: string | null; latitude: number | null; longitude: number | null };
  assessment?: { score: number; customer_score: number; acceptance_score: number; outcome: string; reason: string; config: string; factors: { name: string; side: string; points: number; detail: string }[] };
  stepUp?: { id: string; state: string; final_outcome: string | null; final_reason: string | null; resolved_at: number | null };
  report?: { id: number; reported_at: number; reported_by: string; action: string; note: string };
  compensation?: { id: number; kind: string; amount: number; state: string; credited_at: number | null };
  journal: { from: string | null; to: string; cause: string; detail: string; at: number }[];
}

export interface OutboxLine {
  id: number;
  channel: string;
  account: string;
  kind: string;
  state: string;
  attempts: number;
  created_at: number;
  delivered_at: number | null;
  last_error: string | null;
}

export interface CompensationLine {
  id: number;
  request_id: number;
  account: string;
  kind: string;
  amount: number;
  currency: string;
  state: string;
  reported_at: number;
  credited_at: number | null;
}
