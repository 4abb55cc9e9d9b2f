/**
 * The memory store: the ports of ../ports.ts over plain arrays and maps, for
 * fast tests and the contract suite. A transaction runs alone (a queue) on
 * the live state and puts back a copy taken at its start when it throws, so
 * it is atomic like the SQLite one. Uniqueness the SQLite schema enforces
 * (terminal keys, request hashes of payments, code ids, one reversal per
 * trace) is enforced here too, with the same kind of failure: a thrown error.
 */
import type { MerchantProfile } from '../../../../src/authorization/enrollment';
import { allMigrations } from '../sqlite/database';
import type {
  CompensationRecord, IssuerRecord, ListName, Merchant, NewTerminal, OperatorViews, OutboxEntry, Payment, PaymentEvent, ReportRecord,
  RequestEntry, ReversalRecord, StepUpRecord, Store, StoredAssessment, StoredDecision, StrangerKind, StrangerSample, TerminalRecord, Tx, ProvisioningToken,
  BatchItemRecord, BatchRecord, HoldRecord, InstructionRecord, OfflineLossRecord, RecordOrigin, SiteRecord,
} from '../ports';
import { strangerPrefixBytes, strangerProblemChars, strangerSampleSlots } from '../ports';

interface RequestRow extends RequestEntry {
  id: number;
  codeId?: string;
}

interface TerminalRow extends TerminalRecord {
  createdAt: number;
}

interface State {
  settings: Map<string, Uint8Array>;
  merchants: Map<string, Merchant>;
  terminals: TerminalRow[];
  enrollments: { terminalId: string; now: number; request: Uint8Array; status: string; answer: Uint8Array }[];
  requests: RequestRow[];
  decisions: Map<number, StoredDecision>;
  codes: Map<string, { credential: string; requestId: number; forgetAfter: number }>;
  strangerCounts: Partial<Record<StrangerKind, number>>;
  strangerSamples: (StrangerSample | undefined)[];
  issuers: Map<string, IssuerRecord>;
  revoked: Map<string, { issuerKid: string; credentialId: string }>;
  frozen: Map<string, { issuerKid: string; account: string; frozenBy: string; reason: string }>;
  versions: Record<ListName, number>;
  payments: Map<number, Payment>;
  events: PaymentEvent[];
  fixes: { terminalId: string; requestId: number; latitude: number; longitude: number; accuracy: number | null; at: number }[];
  assessments: Map<number, StoredAssessment>;
  stepUps: Map<string, StepUpRecord>;
  reports: ReportRecord[];
  compensations: CompensationRecord[];
  contacts: { account: string; name: string; alg: 'ES256' | 'EdDSA'; publicKey: Uint8Array }[];
  outbox: OutboxEntry[];
  reversals: Map<string, ReversalRecord>;
  holds: Map<number, HoldRecord>;
  instructions: InstructionRecord[];
  batches: BatchRecord[];
  batchItems: Map<string, BatchItemRecord & { batch: number }>;
  offlineLosses: Map<number, OfflineLossRecord>;
  provisioning: (ProvisioningToken & { usedAt: number | null; terminalId: string | null })[];
  enrollmentAttempts: Map<string, { windowStart: number; attempts: number }>;
  sites: Map<string, SiteRecord>;
  /** Who wrote each merchant (`merchant:ID`) and site (`site:ID`) last. */
  origins: Map<string, RecordOrigin>;
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const accepted = (p: Payment) => p.state === 'captured' || p.state === 'pending' || p.state === 'authorized' || p.state === 'partially-refunded';
const itemKey = (terminalId: string, trace: number, kind: string) => `${terminalId}#${trace}#${kind}`;

function emptyState(): State {
  return {
    settings: new Map(), merchants: new Map(), terminals: [], enrollments: [], requests: [], decisions: new Map(), codes: new Map(),
    strangerCounts: {}, strangerSamples: [],
    issuers: new Map(), revoked: new Map(), frozen: new Map(), versions: { trust: 1, deny: 1 }, payments: new Map(), events: [], fixes: [],
    assessments: new Map(), stepUps: new Map(), reports: [], compensations: [], contacts: [], outbox: [], reversals: new Map(), provisioning: [], enrollmentAttempts: new Map(),
    holds: new Map(), instructions: [], batches: [], batchItems: new Map(), offlineLosses: new Map(), sites: new Map(), origins: new Map(),
  };
}

export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  #state: State = emptyState();
  #queue: Promise<unknown> = Promise.resolve();

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const before = structuredClone(this.#state);
      const effects: (() => void)[] = [];
      let result: T;
      try {
        result = await work({ ...ports(this.#state), afterCommit: (effect) => void effects.push(effect) });
      } catch (error) {
        this.#state = before;
        throw error;
      }
      for (const effect of effects) effect();
      return result;
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async schemaVersion(): Promise<number> {
    return Math.max(...allMigrations.map((m) => m.version));
  }

  async close(): Promise<void> {
    await this.#queue;
  }
}

/** The ports over one state object (the transaction's). */
function ports(s: State): Omit<Tx, 'afterCommit'> {
  const terminal = (t: TerminalRow | undefined): TerminalRecord | undefined => {
    if (!t) return undefined;
    const { createdAt: _createdAt, ...record } = t;
    return { ...record };
  };
  const views = memoryViews(s);
  const writeMerchant = (merchant: MerchantProfile & { categoryCode?: string | null }, maxAmount: number, origin: RecordOrigin) => {
    s.merchants.set(merchant.merchantId, { ...merchant, maxAmount, categoryCode: merchant.categoryCode ?? null });
    s.origins.set(`merchant:${merchant.merchantId}`, origin);
  };
  const writeSite = (site: SiteRecord, origin: RecordOrigin) => {
    if (!s.merchants.has(site.merchantId)) throw new Error(`no merchant ${site.merchantId}`);
    s.sites.set(site.id, { ...site });
    s.origins.set(`site:${site.id}`, origin);
  };
  return {
    settings: {
      get: async (key) => s.settings.get(key),
      put: async (key, value) => void s.settings.set(key, value),
      remove: async (key) => void s.settings.delete(key),
    },
    merchants: {
      upsert: async (merchant, maxAmount, _now, origin = 'config') => writeMerchant(merchant, maxAmount, origin),
      insert: async (merchant, maxAmount, _now, origin) => {
        if (s.merchants.has(merchant.merchantId)) return false;
        writeMerchant(merchant, maxAmount, origin);
        return true;
      },
      get: async (id) => s.merchants.get(id),
      origin: async (id) => s.origins.get(`merchant:${id}`),
      list: async () => [...s.merchants.values()].sort((a, b) => (a.merchantId < b.merchantId ? -1 : 1)),
    },
    sites: {
      upsert: async (site, _now, origin = 'config') => {
        const known = s.sites.get(site.id);
        if (known && known.merchantId !== site.merchantId) throw new Error(`site ${site.id} belongs to another merchant than ${site.merchantId}`);
        writeSite(site, origin);
      },
      insert: async (site, _now, origin) => {
        if (s.sites.has(site.id)) return false;
        writeSite(site, origin);
        return true;
      },
      get: async (id) => (s.sites.has(id) ? { ...s.sites.get(id)! } : undefined),
      origin: async (id) => s.origins.get(`site:${id}`),
      forMerchant: async (merchantId) => [...s.sites.values()].filter((x) => x.merchantId === merchantId).sort((a, b) => (a.id < b.id ? -1 : 1)).map((x) => ({ ...x })),
    },
    terminals: {
      byId: async (id) => terminal(s.terminals.find((t) => t.id === id)),
      byKey: async (key) => terminal(s.terminals.find((t) => same(t.publicKey, key))),
      insert: async (t: NewTerminal) => {
        if (s.terminals.some((x) => x.id === t.id || same(x.publicKey, t.publicKey))) throw new Error('terminal id or key already enrolled');
        s.terminals.push({
          id: t.id, merchantId: t.merchantId, alg: t.alg, publicKey: t.publicKey, firmware: t.device.firmware, status: t.status, lastTrace: 0, siteId: t.siteId ?? null, createdAt: t.now,
        });
      },
      approve: async (id) => {
        const t = s.terminals.find((x) => x.id === id && (x.status === 'pending' || x.status === 'suspended'));
        if (t) t.status = 'approved';
        return t !== undefined;
      },
      suspend: async (id) => {
        const t = s.terminals.find((x) => x.id === id);
        if (t) t.status = 'suspended';
      },
      setLastTrace: async (id, trace) => {
        const t = s.terminals.find((x) => x.id === id);
        if (t) t.lastTrace = trace;
      },
      count: async () => s.terminals.length,
      recordEnrollment: async (e) => void s.enrollments.push(e),
    },
    requests: {
      noteStranger: async (e) => {
        const total = Object.values(s.strangerCounts).reduce((a, b) => a + b, 0) + 1;
        s.strangerCounts[e.kind] = (s.strangerCounts[e.kind] ?? 0) + 1;
        s.strangerSamples[(total - 1) % strangerSampleSlots] = {
          ...e, prefix: e.prefix.slice(0, strangerPrefixBytes), problem: e.problem.slice(0, strangerProblemChars),
        };
      },
      strangers: async () => ({
        counts: { ...s.strangerCounts },
        samples: s.strangerSamples.filter((x): x is StrangerSample => x !== undefined).map((x, slot) => ({ x, slot }))
          .sort((a, b) => b.x.receivedAt - a.x.receivedAt || b.slot - a.slot).map(({ x }) => x),
      }),
      countSince: async (terminalId, since) => s.requests.filter((r) => r.terminalId === terminalId && r.receivedAt >= since).length,
      record: async (e) => {
        const id = s.requests.length + 1;
        s.requests.push({ ...e, id });
        return id;
      },
      setCodeId: async (requestId, codeId) => {
        s.requests[requestId - 1].codeId = codeId;
      },
      bytes: async (requestId) => s.requests[requestId - 1]?.bytes,
      decidedOriginal: async (terminalId, trace, payloadHash) => {
        const r = s.requests.find((x) => x.terminalId === terminalId && x.trace === trace && x.retryOf === null && same(x.payloadHash, payloadHash) && s.decisions.has(x.id));
        return r ? s.decisions.get(r.id) : undefined;
      },
      originalByTrace: async (terminalId, trace) => {
        const r = s.requests.find((x) => x.terminalId === terminalId && x.trace === trace && x.retryOf === null);
        return r ? { requestId: r.id, hash: r.hash } : undefined;
      },
      recordDecision: async (d) => {
        if (s.decisions.has(d.requestId)) throw new Error(`request ${d.requestId} is already decided`);
        s.decisions.set(d.requestId, d);
      },
      originalOfRetry: async (hash) => s.requests.find((x) => x.retryOf !== null && same(x.hash, hash))?.retryOf ?? undefined,
      count: async () => s.requests.length,
    },
    codes: {
      firstUse: async (credential, codeId) => s.codes.get(`${credential}#${codeId}`)?.requestId,
      record: async (e) => {
        const key = `${e.credential}#${e.codeId}`;
        if (s.codes.has(key)) throw new Error('code already recorded');
        s.codes.set(key, { credential: e.credential, requestId: e.requestId, forgetAfter: e.forgetAfter });
      },
      liveFor: async (credential, now) => [...s.codes.values()].filter((c) => c.credential === credential && c.forgetAfter > now).length,
      prune: async (now) => {
        let pruned = 0;
        for (const [key, c] of s.codes) if (c.forgetAfter <= now && s.codes.delete(key)) pruned++;
        return pruned;
      },
      count: async () => s.codes.size,
    },
    lists: {
      upsertIssuer: async (issuer) => {
        const old = s.issuers.get(issuer.kid);
        if (old && old.alg === issuer.alg && same(old.publicKey, issuer.publicKey)) return false;
        s.issuers.set(issuer.kid, issuer);
        return true;
      },
      issuers: async () => [...s.issuers.values()].sort((a, b) => (a.kid < b.kid ? -1 : 1)),
      revoke: async (issuerKid, credentialId) => {
        const key = `${issuerKid}/${credentialId}`;
        if (s.revoked.has(key)) return false;
        s.revoked.set(key, { issuerKid, credentialId });
        return true;
      },
      revoked: async () => [...s.revoked.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v),
      isRevoked: async (issuerKid, credentialId) => s.revoked.has(`${issuerKid}/${credentialId}`),
      freeze: async (e) => {
        const key = `${e.issuerKid}/${e.account}`;
        if (s.frozen.has(key)) return false;
        s.frozen.set(key, { issuerKid: e.issuerKid, account: e.account, frozenBy: e.by, reason: e.reason });
        return true;
      },
      unfreeze: async (issuerKid, account) => s.frozen.delete(`${issuerKid}/${account}`),
      frozen: async () => [...s.frozen.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v),
      version: async (list) => s.versions[list],
      bump: async (list) => void s.versions[list]++,
    },
    payments: {
      insert: async (p) => {
        if (s.payments.has(p.requestId) || [...s.payments.values()].some((x) => same(x.requestHash, p.requestHash))) throw new Error('payment already recorded');
        s.payments.set(p.requestId, { ...p });
      },
      setState: async (requestId, state) => {
        const p = s.payments.get(requestId);
        if (p) p.state = state;
      },
      appendEvent: async (e) => void s.events.push(e),
      events: async (requestId) => s.events.filter((e) => e.requestId === requestId),
      byRequest: async (requestId) => {
        const p = s.payments.get(requestId);
        return p ? { ...p } : undefined;
      },
      byHash: async (hash) => {
        const p = [...s.payments.values()].find((x) => same(x.requestHash, hash));
        return p ? { ...p } : undefined;
      },
      deviceKeys: async (account) => {
        const keys: { alg: Payment['deviceAlg']; publicKey: Uint8Array; credential: string }[] = [];
        for (const p of s.payments.values()) {
          if (p.account === account && !keys.some((k) => k.credential === p.credential && k.alg === p.deviceAlg && same(k.publicKey, p.deviceKey))) {
            keys.push({ alg: p.deviceAlg, publicKey: p.deviceKey, credential: p.credential });
          }
        }
        return keys;
      },
      recordFix: async (f) => void s.fixes.push(f),
      recordAssessment: async (requestId, a) => void s.assessments.set(requestId, a),
      assessment: async (requestId) => s.assessments.get(requestId),
    },
    history: {
      lastTerminalFix: async (terminalId) => {
        const f = s.fixes.filter((x) => x.terminalId === terminalId).at(-1);
        return f ? { latitude: f.latitude, longitude: f.longitude, accuracy: f.accuracy, at: f.at } : undefined;
      },
      accountFacts: async ({ account, credential, merchantId, since, recentLimit }) => {
        const acceptedOfAccount = newestFirst(s, (p) => p.account === account && accepted(p));
        const placed = acceptedOfAccount.find((p) => p.latitude !== null);
        return {
          recentAmounts: acceptedOfAccount.slice(0, recentLimit).map((p) => p.amount),
          paymentsSince: [...s.payments.values()].filter((p) => p.account === account && p.at >= since).length,
          lastPlacedPayment: placed ? { terminalId: placed.terminalId, latitude: placed.latitude!, longitude: placed.longitude!, at: placed.at } : undefined,
          credentialKnown: [...s.payments.values()].some((p) => p.credential === credential),
          accountPayments: acceptedOfAccount.length,
          paidMerchantBefore: acceptedOfAccount.some((p) => p.merchantId === merchantId),
        };
      },
      merchantVolumes: async (merchantId, windows) => windows.map(({ from, to }) => {
        const list = [...s.payments.values()].filter((p) => p.merchantId === merchantId && accepted(p) && p.at >= from && p.at < to);
        return { count: list.length, total: list.reduce((sum, p) => sum + p.amount, 0) };
      }),
    },
    stepUps: {
      insert: async (x) => {
        if (s.stepUps.has(x.id) || [...s.stepUps.values()].some((y) => y.requestId === x.requestId)) throw new Error('step-up already open');
        s.stepUps.set(x.id, { ...x });
      },
      byId: async (id) => copy(s.stepUps.get(id)),
      byHash: async (hash) => copy([...s.stepUps.values()].find((x) => same(x.requestHash, hash))),
      byRequest: async (requestId) => copy([...s.stepUps.values()].find((x) => x.requestId === requestId)),
      settle: async (id, settled) => void Object.assign(s.stepUps.get(id)!, settled),
    },
    disputes: {
      reportFor: async (requestId) => copy(s.reports.find((r) => r.requestId === requestId)),
      insertReport: async (r) => {
        if (s.reports.some((x) => x.requestId === r.requestId)) throw new Error('already reported');
        const id = s.reports.length + 1;
        s.reports.push({ ...r, id });
        return id;
      },
      insertCompensation: async (c) => {
        const id = s.compensations.length + 1;
        s.compensations.push({ ...c, id });
        return id;
      },
      compensationFor: async (reportId) => copy(s.compensations.find((c) => c.reportId === reportId)),
      credit: async (id, now) => {
        const c = s.compensations.find((x) => x.id === id && x.state === 'pending-review');
        if (c) Object.assign(c, { state: 'credited', creditedAt: now });
        return c !== undefined;
      },
      upsertContact: async (c) => {
        const old = s.contacts.find((x) => x.account === c.account && same(x.publicKey, c.publicKey));
        if (old) Object.assign(old, { name: c.name, alg: c.alg });
        else s.contacts.push({ account: c.account, name: c.name, alg: c.alg as 'ES256' | 'EdDSA', publicKey: c.publicKey });
      },
      contacts: async (account) => s.contacts.filter((c) => c.account === account).map(({ name, alg, publicKey }) => ({ name, alg, publicKey })),
    },
    outbox: {
      insert: async (entries) => {
        for (const e of entries) s.outbox.push({ ...e, id: s.outbox.length + 1, state: 'queued', attempts: 0, deliveredAt: null, lastError: null });
      },
      due: async (now, limit) => s.outbox.filter((e) => e.state === 'queued' && e.nextAttemptAt <= now).slice(0, limit).map((e) => ({ ...e })),
      delivered: async (deliveries) => {
        for (const { id, deliveredAt } of deliveries) {
          const e = s.outbox[id - 1];
          Object.assign(e, { state: 'delivered', attempts: e.attempts + 1, deliveredAt, lastError: null });
        }
      },
      failed: async (id, u) => void Object.assign(s.outbox[id - 1], { state: u.dead ? 'dead' : 'queued', attempts: u.attempts, nextAttemptAt: u.nextAttemptAt, lastError: u.error }),
      requeueDead: async (now) => {
        const dead = s.outbox.filter((e) => e.state === 'dead');
        for (const e of dead) Object.assign(e, { state: 'queued', attempts: 0, nextAttemptAt: now });
        return dead.length;
      },
      backlog: async () => ({ queued: s.outbox.filter((e) => e.state === 'queued').length, dead: s.outbox.filter((e) => e.state === 'dead').length }),
    },
    lifecycle: {
      reversal: async (terminalId, trace) => copy(s.reversals.get(`${terminalId}#${trace}`)),
      recordReversal: async (r) => {
        const key = `${r.terminalId}#${r.trace}`;
        if (s.reversals.has(key)) throw new Error('reversal already recorded');
        s.reversals.set(key, { ...r });
      },
      openHold: async (h) => {
        if (s.holds.has(h.requestId)) throw new Error('hold already recorded');
        s.holds.set(h.requestId, { ...h });
      },
      hold: async (requestId) => copy(s.holds.get(requestId)),
      expiredHolds: async (now, limit) => [...s.holds.values()]
        .filter((h) => h.expiresAt <= now && s.payments.get(h.requestId)?.state === 'authorized')
        .sort((a, b) => a.expiresAt - b.expiresAt).slice(0, limit).map((h) => ({ ...h })),
      instruction: async (terminalId, trace) => copy(s.instructions.find((i) => i.terminalId === terminalId && i.trace === trace)),
      instructionByReference: async (reference) => copy(s.instructions.find((i) => i.reference === reference)),
      recordInstruction: async (i) => {
        if (i.trace !== null && s.instructions.some((x) => x.terminalId === i.terminalId && x.trace === i.trace)) throw new Error('instruction already recorded');
        if (i.reference !== null && s.instructions.some((x) => x.reference === i.reference)) throw new Error('reference already used');
        s.instructions.push({ ...i });
      },
      doneOn: async (targetRequestId) => s.instructions.filter((i) => i.targetRequestId === targetRequestId && i.outcome === 'done').map((i) => ({ ...i })),
      openBatch: async (terminalId) => {
        const open = (trace: number, kind: string) => !s.batchItems.has(itemKey(terminalId, trace, kind));
        const traceOf = (requestId: number) => s.requests[requestId - 1].trace!;
        const sales = [...s.payments.values()]
          .filter((p) => p.terminalId === terminalId && p.state !== 'declined' && p.state !== 'awaiting-confirmation' && !s.holds.has(p.requestId))
          .map((p) => ({ trace: traceOf(p.requestId), amount: p.amount, currency: p.currency }))
          .filter((x) => open(x.trace, 'sale') && open(x.trace, 'reversal')).sort((a, b) => a.trace - b.trace);
        const reversals = [...s.reversals.values()]
          .filter((r) => r.terminalId === terminalId && (r.effect === 'voided' || r.effect === 'released') && open(r.trace, 'reversal'))
          .map((r) => {
            const request = s.requests.find((x) => x.terminalId === terminalId && x.trace === r.trace && x.retryOf === null)!;
            const p = s.payments.get(request.id)!;
            return { trace: r.trace, amount: p.amount, currency: p.currency };
          }).sort((a, b) => a.trace - b.trace);
        const kindOf = { complete: 'completion', void: 'void', refund: 'refund' } as const;
        const instructions = s.instructions
          .filter((i): i is InstructionRecord & { trace: number; action: 'complete' | 'void' | 'refund' } =>
            i.terminalId === terminalId && i.source === 'terminal' && i.outcome === 'done' && i.action !== 'close-batch' && i.trace !== null)
          .filter((i) => open(i.trace, kindOf[i.action]))
          .map((i) => ({ trace: i.trace, action: i.action, amount: i.amount, currency: i.currency! })).sort((a, b) => a.trace - b.trace);
        return { sales, reversals, instructions };
      },
      batch: async (terminalId, number) => copy(s.batches.find((b) => b.terminalId === terminalId && b.number === number)),
      closeBatch: async (b, items) => {
        if (s.batches.some((x) => x.terminalId === b.terminalId && x.number === b.number)) throw new Error('batch already closed');
        for (const item of items) if (s.batchItems.has(itemKey(b.terminalId, item.trace, item.kind))) throw new Error('item already closed');
        s.batches.push({ ...b });
        for (const item of items) s.batchItems.set(itemKey(b.terminalId, item.trace, item.kind), { ...item, batch: b.number });
      },
      closedIn: async (terminalId, trace, kind) => s.batchItems.get(itemKey(terminalId, trace, kind))?.batch,
      recordOfflineLoss: async (l) => {
        if (s.offlineLosses.has(l.requestId)) throw new Error('offline loss already recorded');
        s.offlineLosses.set(l.requestId, { ...l });
      },
      offlineLoss: async (requestId) => copy(s.offlineLosses.get(requestId)),
      offlineLosses: async (limit) => [...s.offlineLosses.values()].sort((a, b) => b.at - a.at || b.requestId - a.requestId).slice(0, limit).map((l) => ({ ...l })),
      batches: async (filter) => s.batches.filter((b) => filter.terminal === undefined || b.terminalId === filter.terminal)
        .sort((a, b) => b.closedAt - a.closedAt).slice(0, filter.limit)
        .map((b) => ({ ...b, merchantId: s.terminals.find((t) => t.id === b.terminalId)!.merchantId })),
    },
    provisioning: {
      insert: async (t) => {
        if (s.provisioning.some((x) => same(x.tokenHash, t.tokenHash))) throw new Error('token already issued');
        if (!s.merchants.has(t.merchantId)) throw new Error(`no merchant ${t.merchantId}`);
        s.provisioning.push({ ...t, usedAt: null, terminalId: null });
      },
      record: async (t) => {
        if (s.provisioning.some((x) => same(x.tokenHash, t.tokenHash))) return;
        if (!s.merchants.has(t.merchantId)) throw new Error(`no merchant ${t.merchantId}`);
        s.provisioning.push({ ...t, usedAt: null, terminalId: null });
      },
      consume: async (tokenHash, terminalId, now) => {
        const t = s.provisioning.find((x) => same(x.tokenHash, tokenHash) && x.usedAt === null && x.expiresAt > now);
        if (!t) return undefined;
        t.usedAt = now;
        t.terminalId = terminalId;
        return { merchantId: t.merchantId, siteId: t.siteId ?? null };
      },
      issued: async (tokenHash) => s.provisioning.some((x) => same(x.tokenHash, tokenHash)),
      countEnrollmentAttempt: async (scope, subject, now, windowMs) => {
        for (const [key, entry] of s.enrollmentAttempts) if (entry.windowStart <= now - windowMs) s.enrollmentAttempts.delete(key);
        const key = `${scope}:${subject}`;
        const entry = s.enrollmentAttempts.get(key) ?? { windowStart: now, attempts: 0 };
        entry.attempts++;
        s.enrollmentAttempts.set(key, entry);
        return entry.attempts;
      },
    },
    views,
  };
}

function copy<T extends object>(value: T | undefined): T | undefined {
  return value ? { ...value } : undefined;
}

/** Newest first by time, the later row first on a tie (as SQLite's ORDER BY at DESC does for rows inserted in order). */
function newestFirst(s: State, keep: (p: Payment) => boolean): Payment[] {
  return [...s.payments.values()].filter(keep).reverse().sort((a, b) => b.at - a.at);
}

function memoryViews(s: State): OperatorViews {
  const line = (r: RequestRow) => {
    const d = s.decisions.get(r.id);
    const p = s.payments.get(r.id);
    return {
      id: r.id, received_at: r.receivedAt, terminal_id: r.terminalId ?? null, trace: r.trace ?? null, amount: r.amount ?? null, currency: r.currency ?? null,
      outcome: d?.outcome ?? null, reason: d?.reason ?? null, score: s.assessments.get(r.id)?.score ?? null, account: p?.account ?? null,
      state: p?.state ?? null, retry_of: r.retryOf ?? null,
    };
  };
  return {
    terminals: async () => [...s.terminals].sort((a, b) => a.createdAt - b.createdAt).map((t) => {
      const mine = s.requests.filter((r) => r.terminalId === t.id);
      return {
        id: t.id, merchant_id: t.merchantId, status: t.status, firmware: t.firmware, last_trace: t.lastTrace, requests: mine.length,
        last_seen: mine.length ? Math.max(...mine.map((r) => r.receivedAt)) : null,
      };
    }),
    transactions: async (filter) => s.requests.map(line)
      .filter((l) => (filter.terminal === undefined || l.terminal_id === filter.terminal) && (filter.account === undefined || l.account === filter.account))
      .reverse().slice(0, filter.limit),
    decision: async (requestId) => {
      const r = s.requests[requestId - 1];
      if (!r) return undefined;
      const a = s.assessments.get(requestId);
      const stepUp = [...s.stepUps.values()].find((x) => x.requestId === requestId);
      const report = s.reports.find((x) => x.requestId === requestId);
      const compensation = report ? s.compensations.find((c) => c.reportId === report.id) : undefined;
      return {
        request: { ...line(r), location_status: r.locationStatus ?? null, latitude: r.latitude ?? null, longitude: r.longitude ?? null },
        journal: s.events.filter((e) => e.requestId === requestId).map((e) => ({ from: e.from, to: e.to, cause: e.cause, detail: e.detail, at: e.at })),
        ...(a ? { assessment: { score: a.score, customer_score: a.customerScore, acceptance_score: a.acceptanceScore, outcome: a.outcome, reason: a.reason, config: a.config, factors: JSON.parse(a.factors) } } : {}),
        ...(stepUp ? { stepUp: { id: stepUp.id, state: stepUp.state, final_outcome: stepUp.finalOutcome, final_reason: stepUp.finalReason, resolved_at: stepUp.resolvedAt } } : {}),
        ...(report ? { report: { id: report.id, reported_at: report.reportedAt, reported_by: report.reportedBy, action: report.action, note: report.note } } : {}),
        ...(compensation ? { compensation: { id: compensation.id, kind: compensation.kind, amount: compensation.amount, state: compensation.state, credited_at: compensation.creditedAt } } : {}),
      };
    },
    notifications: async (state, limit) => s.outbox.filter((e) => state === undefined || e.state === state).reverse().slice(0, limit).map((e) => ({
      id: e.id, channel: e.channel, account: e.account, kind: e.kind, state: e.state, attempts: e.attempts, created_at: e.createdAt,
      delivered_at: e.deliveredAt, last_error: e.lastError,
    })),
    compensations: async () => s.compensations.map((c) => {
      const r = s.reports[c.reportId - 1];
      return { id: c.id, request_id: r.requestId, account: r.account, kind: c.kind, amount: c.amount, currency: c.currency, state: c.state, reported_at: r.reportedAt, credited_at: c.creditedAt };
    }),
  };
}
