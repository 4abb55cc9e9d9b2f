/**
 * `qrpay sim`: the reference authorizer (SQLite in a data directory), a wallet
 * issuer it trusts, a customer's phone, simulated terminals (the real core on
 * the simulator board) and the notification channels' receiving ends, wired
 * to one event bus that the web server (server.ts) streams to the page. The
 * page's buttons come back here as actions: a charge, the phone shown to a
 * terminal, the operator's acts (the same functions as `qrpay operator`), and
 * the scenarios, each one click.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeEntropy } from '../../hal/sim/entropy';
import type { Charge } from '../../src/authorization/charge';
import { hex } from '../../src/paycode/hex';
import type { Decision } from '../../src/terminal/decision';
import { simulatorMerchant, startAuthorizer, type RunningAuthorizer } from '../authorizer/authorizer';
import { parseRiskConfig, type RiskConfig } from '../authorizer/domain/risk/config';
import { operatorOperations, type OperatorOperations } from '../operator/operations';
import { freezeAccount, nameContact, reportPayment, send } from '../wallet/authorizer-client';
import { createDeviceKey, createIssuer, makePaymentCode } from '../wallet/wallet';
import { EventBus } from './bus';
import { closeServer, Phone, receiver, renderScreen } from './phone';
import { Station } from './station';

/**
 * The simulator's risk settings: the defaults, except that an amount over five times the customer's usual asks
 * them to confirm in the app from their second payment on (40 customer points reach the step-up threshold),
 * so the step-up scenario needs no long history. docs/authorizer.md explains every key.
 */
export const simRisk: RiskConfig = parseRiskConfig({ factors: { 'amount-unusual': { points: 40, minHistory: 1 } } });

const terminalNames = ['counter', 'kiosk', 'locker', 'arcade'];

export interface SimOptions {
  /** Keep the databases and keys here (default: a temporary directory, removed by close()). */
  dataDir?: string;
  /** How many terminals (1 to 4). Default 2. */
  terminals?: number;
}

export interface Scenario {
  id: string;
  title: string;
  /** What it shows, for the page. */
  detail: string;
  run(sim: Sim): Promise<string>;
}

export class SimError extends Error {}
Object.defineProperty(SimError.prototype, 'name', { value: 'SimError' });

export class Sim {
  readonly bus = new EventBus();
  readonly root: string;
  readonly stations: Station[] = [];
  authorizer!: RunningAuthorizer;
  operator!: OperatorOperations;
  phone!: Phone;
  #gateway: Server | undefined;
  #temporary: boolean;
  #operatorTimer: NodeJS.Timeout | undefined;
  #scenario: string | undefined;
  #closed = false;
  #refresh: Promise<void> = Promise.resolve();

  private constructor(root: string, temporary: boolean) {
    this.root = root;
    this.#temporary = temporary;
  }

  static async start(options: SimOptions = {}): Promise<Sim> {
    const count = options.terminals ?? 2;
    if (!(Number.isInteger(count) && count >= 1 && count <= terminalNames.length)) throw new SimError(`--terminals must be 1 to ${terminalNames.length}, got ${count}`);
    const sim = new Sim(options.dataDir ?? mkdtempSync(join(tmpdir(), 'qrpay-sim-')), options.dataDir === undefined);
    try {
      await sim.#boot(count);
    } catch (error) {
      await sim.close();
      throw error;
    }
    return sim;
  }

  async #boot(count: number): Promise<void> {
    const bus = this.bus;
    const issuer = createIssuer({ alg: 'ES256' }, nodeEntropy);
    this.phone = new Phone(issuer, bus);
    const pushUrl = await this.phone.listen();
    this.#gateway = await receiver(() => undefined, bus, 'message');
    const gatewayUrl = `http://127.0.0.1:${(this.#gateway.address() as { port: number }).port}/sms`;
    // Terminals enroll openly here (a real authorizer wants a provisioning token), as the demo does.
    this.authorizer = await startAuthorizer({
      dataDir: join(this.root, 'authorizer'), enrollment: 'open', risk: simRisk,
      notify: { walletWebhook: pushUrl, gatewayUrl, dispatcher: { intervalMs: 200, backoffMs: 200 } },
    });
    this.operator = operatorOperations(this.authorizer);
    await this.authorizer.trustIssuer({ alg: issuer.alg, kid: issuer.kid, publicKey: issuer.publicKey });
    this.phone.connect(this.authorizer.url);
    bus.emit('log', { text: `authorizer on ${this.authorizer.url}, SQLite in ${join(this.root, 'authorizer')}; wallet issuer ${hex(issuer.kid)} trusted` });
    for (let i = 0; i < count; i++) {
      const station = new Station({
        name: terminalNames[i], dataDir: join(this.root, `terminal-${terminalNames[i]}`), authorizerUrl: this.authorizer.url,
        authorizerKey: this.authorizer.decisionKey, bus, offset: [8 * i, -5 * i],
      });
      await station.boot();
      this.stations.push(station);
    }
    bus.state('scenarios', 'all', { list: scenarios.map(({ id, title, detail }) => ({ id, title, detail })), notSupported, running: null });
    const tick = () => {
      this.#refresh = this.refreshOperator().catch((error) => bus.emit('log', { text: `operator view: ${(error as Error).message}` }));
      void this.#refresh.then(() => {
        if (!this.#closed) this.#operatorTimer = setTimeout(tick, 700);
      });
    };
    tick();
  }

  station(name: unknown): Station {
    const station = name === undefined ? this.stations[0] : this.stations.find((s) => s.name === name);
    if (!station) throw new SimError(`no terminal ${String(name)} (terminals: ${this.stations.map((s) => s.name).join(', ')})`);
    return station;
  }

  /**
   * Unfreezes an account, then has every simulated terminal fetch the lists at once. A terminal that learned of
   * the freeze declines the account on its own, without asking, until its deny list is replaced: a real one at
   * its next scheduled refresh (`listRefreshInterval`, 10 minutes), too long to wait for in the simulator.
   */
  async unfreeze(account: string): Promise<boolean> {
    const changed = await this.operator.unfreeze(account);
    if (changed) {
      for (const station of this.stations) await station.terminal.refreshLists();
    }
    return changed;
  }

  /** The operator's view: payments with their factors, terminals, notifications. */
  async refreshOperator(): Promise<void> {
    const operator = this.operator;
    const rows = await operator.transactions({ limit: 25 });
    const payments = [];
    for (const row of rows) {
      const detail = await operator.decision(row.id);
      payments.push({
        ...row,
        factors: detail?.assessment?.factors ?? [],
        customerScore: detail?.assessment?.customer_score ?? null,
        acceptanceScore: detail?.assessment?.acceptance_score ?? null,
        stepUp: detail?.stepUp?.state ?? null,
      });
    }
    const names = new Map<string, string>();
    for (const s of this.stations) if (s.terminalId) names.set(s.terminalId, s.name);
    this.bus.state('operator', 'all', {
      payments: payments.map((p) => ({ ...p, terminalName: names.get(p.terminal_id ?? '') ?? null })),
      terminals: (await operator.terminals()).map((t) => ({ ...t, name: names.get(t.id) ?? null })),
      notifications: await operator.notifications(undefined, 30),
      phoneAccount: this.phone.account,
    });
  }

  /** Runs a charge at `station` while the phone shows `screen`; the phone's live code is renewed after its use. */
  async pay(station: Station, charge: Partial<Charge> & { amount: number }, show: 'live' | { text: string; what: string } = 'live'): Promise<Decision> {
    const full: Charge = { currency: 'EUR', purpose: 'counter-sale', reference: `SIM-${Date.now().toString(36)}`, ...charge };
    const text = show === 'live' ? this.phone.code.text : show.text;
    station.show(renderScreen(text), show === 'live' ? 'the live code' : show.what);
    try {
      return await station.charge(full);
    } finally {
      if (show === 'live') this.phone.renew();
    }
  }

  /**
   * Starts a charge for the page (the phone is shown separately): answers at once, the decision follows on the
   * bus. The wallet then shows a fresh code, so the next "show" is not a copy of the one just used.
   */
  startCharge(station: Station, charge: Partial<Charge> & { amount: number }): void {
    const full: Charge = { currency: 'EUR', purpose: 'counter-sale', reference: `SIM-${Date.now().toString(36)}`, ...charge };
    station.charge(full).then(() => this.phone.renew(), () => undefined);
  }

  async scenario(id: string): Promise<string> {
    const scenario = scenarios.find((s) => s.id === id);
    if (!scenario) throw new SimError(`no scenario ${id}`);
    if (this.#scenario) throw new SimError(`scenario ${this.#scenario} is still running`);
    this.#scenario = id;
    const state = (running: string | null) => this.bus.state('scenarios', 'all', { list: scenarios.map(({ id: i, title, detail }) => ({ id: i, title, detail })), notSupported, running });
    state(id);
    this.bus.emit('scenario', { id, title: scenario.title, state: 'running' });
    try {
      const summary = await scenario.run(this);
      this.bus.emit('scenario', { id, title: scenario.title, state: 'done', summary });
      return summary;
    } catch (error) {
      const message = (error as Error).message;
      this.bus.emit('scenario', { id, title: scenario.title, state: 'failed', summary: message });
      throw error;
    } finally {
      this.#scenario = undefined;
      state(null);
    }
  }

  /** The power comes back on a terminal: a new board over the same storage; start() settles what the cut left. */
  async reboot(station: Station): Promise<void> {
    station.powerOff();
    this.bus.emit('log', { text: `${station.name}: power back, booting` });
    await station.boot();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#operatorTimer) clearTimeout(this.#operatorTimer);
    await this.#refresh;
    for (const station of this.stations) station.stop();
    await this.phone?.stop();
    await closeServer(this.#gateway);
    await this.authorizer?.close();
    if (this.#temporary) rmSync(this.root, { recursive: true, force: true });
  }
}

function outcomeOf(decision: Decision): string {
  return `${decision.outcome}${decision.reason ? ` (${decision.reason})` : ''}${decision.actuated ? ', relay fired' : ', relay stayed off'}`;
}

function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function until(what: string, condition: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new SimError(`${what}: not within ${ms} ms`);
    await wait(100);
  }
}

/**
 * The data of the next event of `type` on the bus, or undefined after `ms`. Called before the act that causes
 * the event, so that it cannot be missed.
 */
function nextEvent(sim: Sim, type: string, ms: number): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(undefined);
    }, ms).unref();
    const off = sim.bus.subscribe((e) => {
      if (e.type !== type) return;
      off();
      clearTimeout(timer);
      resolve(e.data);
    });
  });
}

/** The second terminal when there is one (a copy shown elsewhere), else the first. */
function other(sim: Sim): Station {
  return sim.stations[1] ?? sim.stations[0];
}

/** Whether the phone's account has an accepted payment on record (the step-up scenario needs a usual amount). */
async function hasHistory(sim: Sim): Promise<boolean> {
  const rows = await sim.operator.transactions({ account: sim.phone.account, limit: 5 });
  return rows.some((r) => r.outcome === 'approved' || r.outcome === 'held');
}

export const scenarios: Scenario[] = [
  {
    id: 'pay',
    title: 'Pay 4.50',
    detail: 'the phone shows its live code to the first terminal: scanned, verified, signed, sent, decided, relay fired',
    run: async (sim) => outcomeOf(await sim.pay(sim.stations[0], { amount: 450 })),
  },
  {
    id: 'copied-code',
    title: 'Copied code',
    detail: 'a screenshot of the live code is taken, the code pays, then the screenshot is shown again at the other terminal',
    run: async (sim) => {
      const shot = sim.phone.screenshot();
      const first = await sim.pay(sim.stations[0], { amount: 450 }, { text: shot.text, what: `the code (screenshot ${shot.id} taken of it)` });
      const copy = await sim.pay(other(sim), { amount: 450 }, { text: shot.text, what: `screenshot ${shot.id}` });
      sim.phone.renew();
      return `original: ${outcomeOf(first)}; copy at ${other(sim).name}: ${outcomeOf(copy)}`;
    },
  },
  {
    id: 'forged-signature',
    title: 'Forged signature',
    detail: 'a code for the customer\'s credential signed by a stranger\'s key (no access to the phone\'s device key)',
    run: async (sim) => {
      const stranger = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
      const forged = makePaymentCode(sim.phone.credential, stranger, { clock: { now: () => Date.now() }, entropy: nodeEntropy });
      return outcomeOf(await sim.pay(sim.stations[0], { amount: 450 }, { text: forged.text, what: 'a forged code' }));
    },
  },
  {
    id: 'expired-code',
    title: 'Expired code',
    detail: 'a screenshot taken two minutes ago (codes live 30 s)',
    run: async (sim) => {
      const old = makePaymentCode(sim.phone.credential, sim.phone.device, { clock: { now: () => Date.now() - 120_000 }, entropy: nodeEntropy, lifetimeSeconds: 30 });
      return outcomeOf(await sim.pay(sim.stations[0], { amount: 450 }, { text: old.text, what: 'a two-minute-old screenshot' }));
    },
  },
  {
    id: 'gps-stale',
    title: 'Stale GPS',
    detail: 'the receiver loses the sky; after 5 s the last fix is stale and the request says so (factor location-stale)',
    run: async (sim) => {
      const station = sim.stations[0];
      station.setGnss('no-sky');
      try {
        await until('the fix going stale', () => station.sample()?.status === 'stale', 15_000);
        return outcomeOf(await sim.pay(station, { amount: 450 }));
      } finally {
        station.setGnss('sky');
      }
    },
  },
  {
    id: 'gps-absent',
    title: 'Absent GPS',
    detail: 'the GNSS module restarts indoors: no fix since (factor location-absent)',
    run: async (sim) => {
      const station = sim.stations[0];
      station.setGnss('no-sky');
      station.restartGnss();
      try {
        await until('the receiver reporting absent', () => station.sample()?.status === 'absent', 5000);
        return outcomeOf(await sim.pay(station, { amount: 450 }));
      } finally {
        station.setGnss('sky');
      }
    },
  },
  {
    id: 'network',
    title: 'Network down and back',
    detail: 'the link goes down: 4.50 is accepted offline (signed advice journaled); the link returns and the advice is uploaded',
    run: async (sim) => {
      const station = sim.stations[0];
      station.network = 'down';
      let offline: Decision;
      try {
        offline = await sim.pay(station, { amount: 450 });
      } finally {
        station.network = 'up';
      }
      const uploaded = nextEvent(sim, 'offline-uploaded', 10_000);
      const waiting = await station.terminal.settle();
      const upload = (await uploaded) as { outcome: string; reason: string } | undefined;
      return `offline: ${outcomeOf(offline)}; link back, uploaded: ${upload ? `${upload.outcome} (${upload.reason})` : 'nothing uploaded'}; ${waiting} item(s) still waiting`;
    },
  },
  {
    id: 'authorizer-slow',
    title: 'Authorizer slow',
    detail: 'every answer takes 2.5 s (the terminal waits up to 4 s per attempt): watch the send stage',
    run: async (sim) => {
      const station = sim.stations[0];
      station.delayMs = 2500;
      try {
        return outcomeOf(await sim.pay(station, { amount: 450 }));
      } finally {
        station.delayMs = 0;
      }
    },
  },
  {
    id: 'power-cut',
    title: 'Power cut during a payment',
    detail: 'power fails right after the approval is verified, before the relay moves; at reboot the terminal reverses the request',
    run: async (sim) => {
      const station = sim.stations[0];
      station.armPowerCut();
      let result: string;
      try {
        result = outcomeOf(await sim.pay(station, { amount: 450 }));
      } catch (error) {
        // The ledger write that commits the release died with the power: the charge ends with the storage error.
        result = `power lost mid-payment (${(error as Error).message})`;
      }
      const reversed = nextEvent(sim, 'reversed', 10_000);
      await sim.reboot(station);
      const reversal = (await reversed) as { effect: string } | undefined;
      return `${result}; ${reversal ? `reversed at boot: ${reversal.effect}` : 'no reversal acknowledged yet'}; relay pulses: ${station.hal.actuatorLine.pulses().length}`;
    },
  },
  {
    id: 'clock-skew',
    title: 'Clock skew',
    detail: 'the terminal\'s clock runs 3 minutes fast: it knows the authorizer\'s time from a verified answer and refuses to judge codes by it (a terminal with no such answer since boot finds the code expired)',
    run: async (sim) => {
      const station = sim.stations[0];
      station.clockOffset = 180_000;
      try {
        return outcomeOf(await sim.pay(station, { amount: 450 }));
      } finally {
        station.clockOffset = 0;
      }
    },
  },
  {
    id: 'step-up',
    title: 'Step-up',
    detail: '60.00, over five times the customer\'s usual: the authorizer asks them to confirm in the wallet app (phone panel)',
    run: async (sim) => {
      const station = sim.stations[0];
      const before = (await hasHistory(sim)) ? '' : `first a usual payment: ${outcomeOf(await sim.pay(station, { amount: 450 }))}; then `;
      return `${before}60.00: ${outcomeOf(await sim.pay(station, { amount: 6000 }))}`;
    },
  },
  {
    id: 'hold',
    title: 'Hold',
    detail: 'the last terminal is carried 1.2 km from its site: accepted, goods released, funds held for review (release or reverse in the operator panel)',
    run: async (sim) => {
      // The last terminal: coming back to its site is a location jump too, held for the next 30 min (the counter stays clean).
      const station = sim.stations[sim.stations.length - 1];
      station.setGnss('off-site');
      try {
        await until('the fix moving off site', () => (station.sample()?.latitude ?? 0) > simulatorMerchant.site.latitude + 0.009, 5000);
        return `${station.name}: ${outcomeOf(await sim.pay(station, { amount: 450 }))}`;
      } finally {
        station.setGnss('sky');
      }
    },
  },
  {
    id: 'contact-freeze',
    title: 'Freeze by a trusted contact',
    detail: 'the customer names a trusted contact; the contact (own key, not the phone) freezes the account; the next payment is declined',
    run: async (sim) => {
      const contact = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
      const url = sim.authorizer.url;
      const named = await send(url, nameContact(sim.phone.device, sim.phone.credential, { name: 'Sam (sister)', publicKey: contact.publicKey }, Date.now()));
      if (named.status !== 200) throw new SimError(`naming the contact: ${named.status} ${JSON.stringify(named.body)}`);
      const frozen = await send(url, freezeAccount(contact, sim.phone.account, 'phone stolen (frozen by Sam)', Date.now()));
      if (frozen.status !== 200) throw new SimError(`the contact's freeze: ${frozen.status} ${JSON.stringify(frozen.body)}`);
      const next = await sim.pay(sim.stations[0], { amount: 450 });
      return `contact named, account frozen by the contact; next payment: ${outcomeOf(next)} (unfreeze in the operator panel)`;
    },
  },
  {
    id: 'report-refund',
    title: 'Report and refund',
    detail: 'a payment is reported from the phone as not the customer\'s (credited, credential suspended, a new one issued); then the operator refunds part of another',
    run: async (sim) => {
      const station = sim.stations[0];
      const paid = await sim.pay(station, { amount: 450 });
      if (paid.outcome !== 'approved' || !paid.requestHash) throw new SimError(`the payment to report was ${outcomeOf(paid)}: nothing to report (a frozen account? unfreeze it in the operator panel)`);
      const report = await send(sim.authorizer.url, reportPayment(sim.phone.device, sim.phone.credential, hex(paid.requestHash), 'not me', Date.now()));
      const action = String(report.body.action ?? report.body.error);
      sim.phone.reissue();
      await station.terminal.refreshLists();
      const second = await sim.pay(station, { amount: 1200 });
      const rows = await sim.operator.transactions({ terminal: station.terminal.identity!.terminalId, limit: 1 });
      const settled = await sim.operator.instruct({ action: 'refund', requestId: rows[0].id, amount: 500, reference: `sim-refund-${rows[0].id}` });
      return `4.50 ${outcomeOf(paid)}, reported: ${action}; new credential; 12.00 ${outcomeOf(second)}, operator refund of 5.00: ${settled.outcome}${settled.outcome === 'refused' ? ` (${settled.reason})` : ''}`;
    },
  },
];

/** Scenarios of the issue that the simulator does not offer, and why (none so far). */
export const notSupported: { title: string; why: string }[] = [];
