/**
 * The scenario catalog behind `qrpay scenario`: each scenario is a plain
 * async function that builds its world (tools/scenario/world.ts: the real
 * authorizer, wallet and simulated terminals), makes one thing go wrong the
 * way it goes wrong in the field, narrates each stage through `say`, and
 * returns whether the system behaved as it must and why. Nothing here prints
 * or exits, so another UI (the browser simulator, a test) can run them.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeEntropy } from '../../hal/sim/entropy';
import type { DirectoryStorage } from '../../hal/sim/directory-storage';
import { ride } from '../../hal/sim/tracks';
import type { Charge } from '../../src/authorization/charge';
import { hex } from '../../src/paycode/hex';
import type { Decision } from '../../src/terminal/decision';
import { formatAmount } from '../../src/terminal/terminal';
import { chargeWithPhone, type Say, type Station } from '../demo/station';
import { send, stepUpAnswer } from '../wallet/authorizer-client';
import { createDeviceKey, createIssuer, issueCredential, makePaymentCode } from '../wallet/wallet';
import { Link, openWorld, type World, type WorldOptions } from './world';

export interface ScenarioContext {
  say: Say;
  /** Keep the scenario's databases and keys here (default: a temporary directory). */
  dataDir?: string;
}

export interface ScenarioOutcome {
  /** The system did what it must (the payment refused, the money and the goods in agreement, ...). */
  ok: boolean;
  /** What happened, and why that is right (or what went wrong). */
  conclusion: string;
}

export interface Scenario {
  summary: string;
  run(context: ScenarioContext): Promise<ScenarioOutcome>;
}

const coffee = (reference: string): Charge => ({ amount: 450, currency: 'EUR', purpose: 'counter-sale', reference });

const outcomeOf = (d: Decision) => `${d.outcome} (${d.reason === d.outcome ? '' : `${d.reason}, `}decided by the ${d.source}${d.actuated ? ', relay fired' : ', relay stayed off'})`;

async function inWorld(context: ScenarioContext, options: Omit<WorldOptions, 'dataDir'>, body: (world: World) => Promise<ScenarioOutcome>): Promise<ScenarioOutcome> {
  const world = await openWorld(context.say, { ...options, ...(context.dataDir ? { dataDir: context.dataDir } : {}) });
  try {
    return await body(world);
  } finally {
    await world.close();
  }
}

const requestsJournaled = (world: World) => world.authorizer.store.transaction((tx) => tx.requests.count());

async function copied(context: ScenarioContext): Promise<ScenarioOutcome> {
  return inWorld(context, {}, async (world) => {
    const counter = await world.station('counter');
    const kiosk = await world.station('kiosk');
    const phone = world.phone();
    const code = phone.code();
    const screen = await phone.screen(code);
    context.say('scenario', `the customer pays with code ${hex(code.codeId)}; someone photographs the screen`);
    const first = await chargeWithPhone(counter, coffee('COPY-1'), screen, context.say);
    context.say('scenario', 'the photo is shown again at the same terminal');
    const again = await chargeWithPhone(counter, coffee('COPY-2'), screen, context.say);
    context.say('scenario', 'and at another terminal, which never saw the code');
    const elsewhere = await chargeWithPhone(kiosk, coffee('COPY-3'), screen, context.say);
    const ok = first.outcome === 'approved' && first.actuated && again.reason === 'replayed' && !again.actuated
      && elsewhere.reason === 'replayed' && !elsewhere.actuated;
    return {
      ok,
      conclusion: ok
        ? `The code paid once (${outcomeOf(first)}). Its copy was refused at the same terminal by the terminal's own replay cache `
          + `(${outcomeOf(again)}) and at the other terminal by the authorizer's ledger of codes (${outcomeOf(elsewhere)}): a code is `
          + 'remembered by its credential and code id until it expires, wherever it is shown.'
        : `Unexpected: first ${outcomeOf(first)}, again ${outcomeOf(again)}, elsewhere ${outcomeOf(elsewhere)}.`,
    };
  });
}

async function forged(context: ScenarioContext): Promise<ScenarioOutcome> {
  return inWorld(context, {}, async (world) => {
    const counter = await world.station('counter');
    const phone = world.phone();
    const before = await requestsJournaled(world);
    context.say('scenario', 'a thief has a copy of the customer\'s credential, but not the phone\'s key: they sign a code with a key of their own');
    const thief = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
    const stolen = makePaymentCode(phone.credential, thief, { clock: { now: Date.now }, entropy: nodeEntropy, lifetimeSeconds: 60 });
    const byThief = await chargeWithPhone(counter, coffee('FORGED-1'), await phone.screen(stolen), context.say);
    context.say('scenario', 'a forger makes a credential of their own under the issuer\'s key id, signed with a key the issuer never had');
    const impostor = createIssuer({ alg: 'ES256', kid: world.issuer.kid }, nodeEntropy);
    const device = createDeviceKey({ alg: 'ES256' }, nodeEntropy);
    const now = Math.floor(Date.now() / 1000);
    const fake = issueCredential(impostor, { device: { alg: 'ES256', publicKey: device.publicKey }, notBefore: now - 60, expiresAt: now + 86400 }, nodeEntropy);
    const forgedCode = makePaymentCode(fake, device, { clock: { now: Date.now }, entropy: nodeEntropy, lifetimeSeconds: 60 });
    const byForger = await chargeWithPhone(counter, coffee('FORGED-2'), await phone.screen(forgedCode), context.say);
    const sent = (await requestsJournaled(world)) - before;
    const ok = byThief.reason === 'bad-code-signature' && byForger.reason === 'bad-credential-signature'
      && !byThief.actuated && !byForger.actuated && byThief.source === 'terminal' && byForger.source === 'terminal' && sent === 0;
    return {
      ok,
      conclusion: ok
        ? `Both were refused on the terminal, offline, before anything was sent (${sent} requests reached the authorizer): the thief's code `
          + `does not verify under the device key the credential names (${outcomeOf(byThief)}), and the forged credential does not verify `
          + `under the issuer key the operator's signed trust list holds for that key id (${outcomeOf(byForger)}).`
        : `Unexpected: the thief's code ${outcomeOf(byThief)}, the forged credential ${outcomeOf(byForger)}, ${sent} requests sent.`,
    };
  });
}

async function staleGps(context: ScenarioContext): Promise<ScenarioOutcome> {
  return inWorld(context, {}, async (world) => {
    // Standing at the counter; four seconds after start the sky is gone (a basement, a metal roof) and stays gone.
    const counter = await world.station('counter', {
      track: (start, site) => ride({ start, seconds: 3600, route: [[site.latitude, site.longitude], [site.latitude, site.longitude]], tunnel: [4, 3600], acquisition: 0 }),
    });
    context.say('scenario', 'the GNSS receiver loses the sky; the terminal waits until its last fix is older than it may use');
    const started = Date.now();
    while (counter.location.sample().status !== 'stale' && Date.now() - started < 30_000) await new Promise((resolve) => setTimeout(resolve, 200));
    const sample = counter.location.sample();
    context.say('gnss', `counter: ${sample.status}${sample.status === 'stale' ? ` (last fix ${Math.round((sample.age ?? 0) / 1000)} s ago)` : ''}`);
    const phone = world.phone();
    const paid = await chargeWithPhone(counter, coffee('GPS-1'), await phone.screen(phone.code()), context.say);
    const detail = await world.detail(paid);
    const factors = detail?.assessment?.factors ?? [];
    for (const factor of factors) context.say('authorizer', `factor ${factor.name} (${factor.side}, ${factor.points} points): ${factor.detail}`);
    const reported = detail?.request.location_status;
    const flagged = factors.some((factor) => factor.name === 'location-stale');
    const agree = paid.actuated === (paid.outcome === 'approved' || paid.outcome === 'held');
    const ok = reported === 'stale' && flagged && agree;
    return {
      ok,
      conclusion: ok
        ? 'The terminal did not pass its old position off as current: the request said "stale", and the authorizer counted it against '
          + `the payment (location-stale, score ${detail?.assessment?.score}) before deciding ${outcomeOf(paid)}; a terminal that cannot `
          + 'say where it is gets less trust, not a free pass.'
        : `Unexpected: the request reported ${reported ?? 'nothing'}, location-stale ${flagged ? 'fired' : 'did not fire'}, ${outcomeOf(paid)}.`,
    };
  });
}

async function offline(context: ScenarioContext): Promise<ScenarioOutcome> {
  return inWorld(context, {}, async (world) => {
    const link = new Link();
    const counter = await world.station('counter', { http: link });
    const phone = world.phone({ offlineAllowed: true });
    context.say('scenario', 'the shop\'s internet goes down; a customer whose credential allows offline payments pays 4.50 EUR');
    link.down = true;
    const paid = await chargeWithPhone(counter, coffee('OFF-1'), await phone.screen(phone.code()), context.say);
    const journaled = counter.terminal.pendingWork().filter((work) => work.kind === 'offline').length;
    const before = await world.payment(paid);
    context.say('scenario', `${journaled} offline payment waiting in the terminal's journal; the authorizer knows ${before ? 'it' : 'nothing of it yet'}. The link comes back.`);
    link.down = false;
    const uploaded = await upload(counter, context.say);
    const after = await world.payment(paid);
    const ok = paid.outcome === 'approved' && paid.reason === 'offline' && paid.actuated && journaled === 1 && before === undefined
      && uploaded[0]?.outcome === 'approved' && after?.state === 'captured' && counter.terminal.pendingWork().length === 0;
    return {
      ok,
      conclusion: ok
        ? `Offline, the terminal approved within the limits the authorizer signed at enrollment (${outcomeOf(paid)}), journaled the signed `
          + 'request and, once the link was back, uploaded it: the authorizer judged it as any payment and captured it. Nothing is left '
          + 'to send.'
        : `Unexpected: ${outcomeOf(paid)}, ${journaled} journaled, upload ${uploaded.map((u) => u.outcome).join(', ') || 'none'}, payment ${after?.state ?? 'unknown'}.`,
    };
  });
}

/** Uploads what the station holds (offline payments, reversals) and tells each upload's decision. */
async function upload(station: Station, say: Say): Promise<{ outcome: string; reason: string }[]> {
  const decisions: { outcome: string; reason: string }[] = [];
  const off = station.terminal.on('offline-uploaded', (e) => {
    decisions.push(e.decision);
    say('terminal', `${station.name}: offline payment trace ${e.trace} uploaded; the authorizer's signed decision: ${e.decision.outcome.toUpperCase()}, ${e.decision.reason}`);
  });
  try {
    await station.terminal.settle();
  } finally {
    off();
  }
  return decisions;
}

async function offlineCopy(context: ScenarioContext): Promise<ScenarioOutcome> {
  return inWorld(context, {}, async (world) => {
    const link = new Link();
    const counter = await world.station('counter', { http: link });
    const kiosk = await world.station('kiosk', { http: link });
    const phone = world.phone({ offlineAllowed: true });
    const screen = await phone.screen(phone.code());
    context.say('scenario', 'the link is down at two terminals; the same code (a screenshot) is shown at both');
    link.down = true;
    const first = await chargeWithPhone(counter, coffee('OFFCOPY-1'), screen, context.say);
    const second = await chargeWithPhone(kiosk, coffee('OFFCOPY-2'), screen, context.say);
    link.down = false;
    context.say('scenario', 'the link comes back; both terminals upload');
    const fromCounter = await upload(counter, context.say);
    const fromKiosk = await upload(kiosk, context.say);
    const losses = await world.authorizer.store.transaction((tx) => tx.lifecycle.offlineLosses(10));
    const revoked = await world.authorizer.store.transaction((tx) => tx.lists.revoked());
    const suspended = revoked.some((r) => r.credentialId === hex(phone.credential.credentialId));
    for (const loss of losses) context.say('authorizer', `offline loss recorded: ${loss.terminalId} trace ${loss.trace}, ${formatAmount(loss.amount)} ${loss.currency}, ${loss.reason}`);
    const ok = first.actuated && second.actuated && fromCounter[0]?.outcome === 'approved' && fromKiosk[0]?.outcome === 'declined'
      && fromKiosk[0]?.reason === 'replayed' && losses.length === 1 && suspended;
    return {
      ok,
      conclusion: ok
        ? 'Neither terminal could know of the other, so both accepted the code once offline (the risk offline acceptance takes, bounded by '
          + 'the signed limits). At the upload the authorizer captured the first and declined the second as a replay, recorded the '
          + 'merchant\'s loss, told merchant and customer, and suspended the credential, which a copy shows to be compromised.'
        : `Unexpected: relays ${first.actuated}/${second.actuated}, uploads ${fromCounter.map((u) => u.outcome)} / ${fromKiosk.map((u) => `${u.outcome} ${u.reason}`)}, `
          + `${losses.length} losses, credential ${suspended ? 'suspended' : 'not suspended'}.`,
    };
  });
}

async function powerCut(context: ScenarioContext): Promise<ScenarioOutcome> {
  return inWorld(context, {}, async (world) => {
    const dataName = 'counter';
    context.say('scenario', 'the terminal boots once to enroll, then again with its storage set to lose power in the middle of the next payment');
    (await world.station(dataName)).stop();
    const probe = await world.station(dataName);
    const bootWrites = (probe.hal.storage as DirectoryStorage).power.writes;
    probe.stop();
    // The write that journals the release: the authorizer has approved (the money is taken), the relay has not fired.
    const dying = await world.station(dataName, { powerCut: { atWrite: bootWrites + powerCutWrite, cut: 'torn' } });
    const phone = world.phone();
    const screen = await phone.screen(phone.code());
    let died = '';
    try {
      const decision = await chargeWithPhone(dying, coffee('CUT-1'), screen, context.say);
      died = `the charge ended ${decision.outcome} before the cut`;
    } catch (error) {
      died = `${(error as Error).message}`;
    }
    context.say('power', `counter: power lost (${died}); relay pulses so far: ${dying.hal.actuatorLine.pulses().length}`);
    dying.stop();
    context.say('scenario', 'power comes back: the terminal boots from what its flash kept');
    const revived = await world.station(dataName);
    const released = dying.hal.actuatorLine.pulses().length + revived.hal.actuatorLine.pulses().length;
    const terminalId = revived.terminal.identity!.terminalId;
    const payments = await world.authorizer.store.transaction((tx) => tx.views.transactions({ terminal: terminalId, limit: 10 }));
    const taken = payments.filter((p) => p.state === 'captured' || p.state === 'pending').length;
    for (const p of payments) context.say('authorizer', `request trace ${p.trace}: ${p.outcome}, payment ${p.state ?? 'none'}`);
    const unsettled = revived.terminal.pendingWork().length;
    const ok = taken === released && unsettled === 0;
    const story = payments.length === 0
      ? 'The cut came before any request left the terminal, so nothing was asked and nothing released.'
      : `The authorizer's answer for the payment: ${payments.map((p) => `${p.outcome}, now ${p.state ?? 'no payment'}`).join('; ')}; `
        + (released === 0 ? 'the terminal, which had not released the goods, reversed it from its journal at boot. ' : 'the goods were released before the cut. ');
    return {
      ok,
      conclusion: ok
        ? `${story}Payments taken: ${taken}, goods released: ${released}: money and goods agree, and nothing is left to settle.`
        : `${story}Payments taken: ${taken}, goods released: ${released}, ${unsettled} items unsettled: they do not agree.`,
    };
  });
}

/**
 * Storage writes into a charge, counted from the end of boot, at which the power-cut scenario cuts: the one that
 * journals the start of the release, after the authorizer approved and before the relay fires
 * (test/node/scenario.test.ts checks that it lands there).
 */
export const powerCutWrite = 4;

async function expired(context: ScenarioContext): Promise<ScenarioOutcome> {
  return inWorld(context, {}, async (world) => {
    const counter = await world.station('counter');
    const phone = world.phone();
    const before = await requestsJournaled(world);
    const old = phone.code({ issuedAt: Date.now() - 120_000, lifetimeSeconds: 30 });
    context.say('scenario', `a code made two minutes ago (valid 30 s, until ${new Date(old.expiresAt * 1000).toISOString()}) is shown: a screenshot kept for later`);
    const paid = await chargeWithPhone(counter, coffee('OLD-1'), await phone.screen(old), context.say);
    const sent = (await requestsJournaled(world)) - before;
    const ok = paid.outcome === 'declined' && paid.reason === 'expired' && paid.source === 'terminal' && !paid.actuated && sent === 0;
    return {
      ok,
      conclusion: ok
        ? `Declined on the terminal without asking anyone (${outcomeOf(paid)}): a code lives seconds (its exp, plus 30 s of clock skew), so `
          + 'a copy kept for later is worthless. The customer shows a fresh code from the wallet app.'
        : `Unexpected: ${outcomeOf(paid)}, ${sent} requests sent.`,
    };
  });
}

/** A wallet app's push endpoint: the authorizer posts notifications (JSON) here. */
async function walletApp(): Promise<{ url: string; challenge(): Promise<string>; close(): Promise<void> }> {
  const waiting: ((id: string) => void)[] = [];
  const challenges: string[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let notification: { kind?: string; data?: { challenge?: string } };
      try {
        notification = JSON.parse(Buffer.concat(chunks).toString('utf8')) as typeof notification;
      } catch {
        response.writeHead(400).end();
        return;
      }
      response.writeHead(204).end();
      if (notification.kind === 'step-up' && notification.data?.challenge) {
        const challenge = notification.data.challenge;
        challenges.push(challenge);
        waiting.splice(0).forEach((resolve) => resolve(challenge));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/push`,
    challenge: () => (challenges.length > 0 ? Promise.resolve(challenges[0]) : new Promise((resolve) => waiting.push(resolve))),
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function stepUp(context: ScenarioContext): Promise<ScenarioOutcome> {
  const app = await walletApp();
  try {
    // A credential paying for the first time scores 40: the customer must confirm in the app.
    return await inWorld(context, { risk: { factors: { 'new-credential': { points: 40 } } }, walletWebhook: app.url }, async (world) => {
      const counter = await world.station('counter');
      const phone = world.phone();
      const screen = await phone.screen(phone.code());
      const pending = chargeWithPhone(counter, coffee('STEP-1'), screen, context.say);
      const challenge = await app.challenge();
      context.say('wallet', `push received: confirm 4.50 EUR at ${counter.terminal.identity!.merchant.name}? (challenge ${challenge.slice(0, 8)}...); the customer taps Confirm`);
      const answer = await send(world.authorizer.url, stepUpAnswer(phone.device, phone.credential, challenge, true, Date.now()));
      context.say('wallet', `answer signed with the phone's device key: ${answer.status === 200 ? 'accepted' : `refused (${answer.status})`}`);
      const paid = await pending;
      const detail = await world.detail(paid);
      const ok = paid.outcome === 'approved' && paid.actuated && detail?.stepUp?.state === 'confirmed';
      return {
        ok,
        conclusion: ok
          ? 'The authorizer found the payment unusual enough to ask (a credential never seen before), signed a step-up decision, and pushed '
            + 'a challenge to the wallet; only the device key of the credential that paid can answer it. Confirmed, the authorizer signed '
            + `the final decision for the same request, which the terminal polled for and verified: ${outcomeOf(paid)}.`
          : `Unexpected: ${outcomeOf(paid)}, step-up ${detail?.stepUp?.state ?? 'none'}.`,
      };
    });
  } finally {
    await app.close();
  }
}

export const scenarios: Readonly<Record<string, Scenario>> = {
  copied: { summary: 'the same code shown twice, and at another terminal: refused as a replay', run: copied },
  forged: { summary: 'a code signed by a thief\'s key, a credential signed by a fake issuer: refused offline', run: forged },
  'stale-gps': { summary: 'the terminal\'s GNSS fix goes stale: reported as such, and the authorizer weighs it', run: staleGps },
  offline: { summary: 'the link is down: accepted offline within signed limits, uploaded and captured later', run: offline },
  'offline-copy': { summary: 'one code accepted offline at two terminals: caught at the upload, the loss recorded', run: offlineCopy },
  'power-cut': { summary: 'power lost during a payment: recovered at boot, money and goods agree', run: powerCut },
  expired: { summary: 'a code past its expiry (a screenshot kept for later): declined on the terminal', run: expired },
  'step-up': { summary: 'an unusual payment: the customer confirms in the wallet app, then it is approved', run: stepUp },
};
