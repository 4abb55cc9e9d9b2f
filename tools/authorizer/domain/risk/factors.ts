/**
 * The factors: each looks at one independent signal and, when it fires, says
 * how many points it adds and why (the detail is stored with the decision).
 * Customer-side factors (is this the customer?) lead to a step-up, which the
 * customer can answer; acceptance-side factors (is this terminal, its place,
 * its merchant what they claim?) lead to a hold, which the customer cannot
 * clear. A factor with 0 points is not evaluated at all.
 */
import type { AuthorizationRequest } from '../../../../src/authorization/request';
import type { AccountFacts, History, Merchant, Volume } from '../../store/ports';
import type { FactorName, RiskConfig } from './config';
import { kmh, metresBetween, type Place } from './geo';

export type Side = 'customer' | 'acceptance';

export interface Fired {
  name: string;
  /** 'rule' for a protocol check that decided before any scoring (unknown terminal, replay, ...). */
  side: Side | 'rule';
  points: number;
  detail: string;
}

/** Everything a factor may look at. */
export interface Situation {
  /** What the factors know about the past (the store's History port). */
  history: History;
  config: RiskConfig;
  now: number;
  request: AuthorizationRequest;
  terminal: { id: string; enrolledFirmware: string };
  merchant: Merchant;
  /** Issuer kid hex / account hex, and issuer kid hex / credential id hex. */
  account: string;
  credential: string;
  /** True when the terminal belongs at its site (counter sale, arcade); false for one that moves (bike lock). */
  fixed: boolean;
  /** The terminal's current fix, when it reported one. */
  fix?: Place & { accuracy?: number };
  /** Where the payment happened: the fix, else the site of a fixed terminal. */
  place?: Place;
}

type Check = (s: Situation) => string | undefined | Promise<string | undefined>;

const minutes = (n: number) => n * 60_000;
const km = (metres: number) => `${(metres / 1000).toFixed(1)} km`;

const checks: Record<FactorName, { side: Side; check: Check }> = {
  'firmware-outdated': {
    side: 'acceptance',
    check: (s) => {
      const minimum = s.config.factors['firmware-outdated'].minimum;
      return compareVersions(s.request.firmware, minimum) < 0 ? `firmware ${s.request.firmware} is older than the minimum ${minimum}` : undefined;
    },
  },
  'firmware-changed': {
    side: 'acceptance',
    check: (s) => s.request.firmware !== s.terminal.enrolledFirmware
      ? `firmware ${s.request.firmware}, enrolled with ${s.terminal.enrolledFirmware}` : undefined,
  },
  'terminal-off-site': {
    side: 'acceptance',
    check: (s) => {
      if (!s.fixed || !s.fix) return undefined;
      const site = s.merchant.site;
      const away = metresBetween(s.fix, site);
      // Generous to the terminal: the fix may be off by its own accuracy.
      return away - (s.fix.accuracy ?? 0) > site.radius ? `${Math.round(away)} m from the site, radius ${site.radius} m` : undefined;
    },
  },
  'terminal-implausible-speed': {
    side: 'acceptance',
    check: async (s) => {
      if (s.fixed || !s.fix) return undefined;
      const settings = s.config.factors['terminal-implausible-speed'];
      const last = await s.history.lastTerminalFix(s.terminal.id);
      if (!last) return undefined;
      const metres = metresBetween(last, s.fix);
      const speed = kmh(metres, s.now - last.at);
      return metres >= settings.minMeters && speed > settings.maxKmh
        ? `moved ${km(metres)} in ${Math.round((s.now - last.at) / 1000)} s (${Math.round(speed)} km/h, limit ${settings.maxKmh})` : undefined;
    },
  },
  'location-absent': {
    side: 'acceptance',
    check: (s) => s.request.location.status === 'absent' ? `no location (${s.request.location.reason ?? 'absent'})` : undefined,
  },
  'location-stale': {
    side: 'acceptance',
    check: (s) => {
      const location = s.request.location;
      const maxAge = s.config.factors['location-stale'].maxAgeSeconds * 1000;
      if (location.status === 'stale') return `stale fix${location.age !== undefined ? `, ${Math.round(location.age / 1000)} s old` : ''}`;
      if (location.status === 'fix' && location.age !== undefined && location.age > maxAge) {
        return `fix ${Math.round(location.age / 1000)} s old, limit ${maxAge / 1000} s`;
      }
      return undefined;
    },
  },
  'location-too-accurate': {
    side: 'acceptance',
    check: (s) => {
      const location = s.request.location;
      const min = s.config.factors['location-too-accurate'].minAccuracyMeters;
      // Only correction services (RTK, differential) get below a metre; a plain fix claiming it is likely spoofed.
      if (location.status !== 'fix' || location.accuracy === undefined || location.fix === 'rtk' || location.fix === 'differential') return undefined;
      return location.accuracy < min ? `${location.fix} fix claims ±${location.accuracy} m, below ${min} m` : undefined;
    },
  },
  'location-jump': {
    side: 'acceptance',
    check: async (s) => {
      if (!s.fixed || !s.fix) return undefined;
      const settings = s.config.factors['location-jump'];
      const last = await s.history.lastTerminalFix(s.terminal.id);
      if (!last || s.now - last.at > minutes(settings.windowMinutes)) return undefined;
      const metres = metresBetween(last, s.fix);
      return metres > settings.meters ? `fix ${km(metres)} from the previous one ${Math.round((s.now - last.at) / 1000)} s earlier` : undefined;
    },
  },
  'amount-unusual': {
    side: 'customer',
    check: async (s) => {
      const settings = s.config.factors['amount-unusual'];
      if (s.request.amount < settings.minAmount) return undefined;
      const amounts = (await accountFacts(s)).recentAmounts;
      if (amounts.length < settings.minHistory) return undefined;
      const usual = median(amounts);
      return s.request.amount > settings.multiple * usual
        ? `${s.request.amount} is ${(s.request.amount / usual).toFixed(1)}x the usual ${usual} (median of ${amounts.length})` : undefined;
    },
  },
  velocity: {
    side: 'customer',
    check: async (s) => {
      const settings = s.config.factors.velocity;
      const count = (await accountFacts(s)).paymentsSince + 1;
      return count >= settings.count ? `${count} payments in ${settings.windowMinutes} min (limit ${settings.count - 1})` : undefined;
    },
  },
  'impossible-travel': {
    side: 'customer',
    check: async (s) => {
      if (!s.place) return undefined;
      const settings = s.config.factors['impossible-travel'];
      const last = (await accountFacts(s)).lastPlacedPayment;
      if (!last) return undefined;
      const metres = metresBetween(last, s.place);
      const speed = kmh(metres, s.now - last.at);
      return metres >= settings.minKm * 1000 && speed > settings.maxKmh
        ? `${km(metres)} from the last payment (terminal ${last.terminalId}) ${Math.round((s.now - last.at) / 60_000)} min earlier: ${Math.round(speed)} km/h` : undefined;
    },
  },
  'new-credential': {
    side: 'customer',
    check: async (s) => {
      const facts = await accountFacts(s);
      if (facts.credentialKnown) return undefined;
      const known = facts.accountPayments;
      return known > 0 ? `first payment with credential ${s.credential}; the account paid ${known} times with others` : `first payment with credential ${s.credential}`;
    },
  },
  'new-merchant': {
    side: 'customer',
    check: async (s) => {
      const facts = await accountFacts(s);
      return facts.accountPayments > 0 && !facts.paidMerchantBefore ? `first payment at ${s.merchant.merchantId}` : undefined;
    },
  },
  'merchant-volume-spike': {
    side: 'acceptance',
    check: async (s) => {
      const settings = s.config.factors['merchant-volume-spike'];
      const { recent, baseline, ratio } = await merchantWindows(s, settings);
      if (baseline.count < settings.minBaseline || recent.count < settings.minRecent) return undefined;
      const expected = baseline.count * ratio;
      return recent.count > settings.multiple * expected
        ? `${recent.count} payments in ${settings.recentMinutes} min, ${expected.toFixed(1)} expected from the last ${settings.baselineHours} h` : undefined;
    },
  },
  'merchant-amount-shift': {
    side: 'acceptance',
    check: async (s) => {
      const settings = s.config.factors['merchant-amount-shift'];
      const { recent, baseline } = await merchantWindows(s, settings);
      if (baseline.count < settings.minBaseline || recent.count < settings.minRecent) return undefined;
      const recentAverage = recent.total / recent.count;
      const usual = baseline.total / baseline.count;
      return recentAverage > settings.multiple * usual
        ? `average ${Math.round(recentAverage)} over ${settings.recentMinutes} min against ${Math.round(usual)} before` : undefined;
    },
  },
};

export const factorNames = Object.keys(checks) as FactorName[];

export function sideOf(name: FactorName): Side {
  return checks[name].side;
}

/** Runs every factor with points; returns the ones that fired. */
export async function evaluate(s: Situation): Promise<Fired[]> {
  const fired: Fired[] = [];
  for (const name of factorNames) {
    const points = s.config.factors[name].points;
    if (points <= 0) continue;
    const detail = await checks[name].check(s);
    if (detail !== undefined) fired.push({ name, side: checks[name].side, points, detail });
  }
  return fired;
}

/** How many of the account's newest amounts `amount-unusual` takes its median over. */
const recentAmountsKept = 20;

/**
 * What the customer factors ask about the account, asked once per situation and in one store call (one statement
 * on PostgreSQL instead of one per question), the first time any of them runs.
 */
const factsAsked = new WeakMap<Situation, Promise<AccountFacts>>();
function accountFacts(s: Situation): Promise<AccountFacts> {
  let facts = factsAsked.get(s);
  if (!facts) {
    facts = s.history.accountFacts({
      account: s.account, credential: s.credential, merchantId: s.merchant.merchantId,
      since: s.now - minutes(s.config.factors.velocity.windowMinutes), recentLimit: recentAmountsKept,
    });
    factsAsked.set(s, facts);
  }
  return facts;
}

/**
 * The merchant's recent window (this payment included) and the baseline before it, asked once per situation and in
 * one store call: both merchant factors read the same windows with the default settings. Both are whole minutes: the
 * recent one is the current minute and the `recentMinutes` - 1 before it, the baseline the `baselineHours` before
 * that. Whole minutes are what the SQL stores keep counted per merchant (store/minute-windows.ts), so reading a busy
 * merchant's day costs a row a minute, not a row a payment.
 */
const windowsAsked = new WeakMap<Situation, Map<string, Promise<Volume[]>>>();
async function merchantWindows(s: Situation, settings: { recentMinutes: number; baselineHours: number }) {
  const recentEnd = s.now - (s.now % minutes(1)) + minutes(1);
  const recentStart = recentEnd - minutes(settings.recentMinutes);
  const baselineStart = recentStart - settings.baselineHours * 3_600_000;
  let asked = windowsAsked.get(s);
  if (!asked) windowsAsked.set(s, (asked = new Map()));
  const key = `${baselineStart}:${recentStart}`;
  let volumes = asked.get(key);
  if (!volumes) asked.set(key, (volumes = s.history.merchantVolumes(s.merchant.merchantId, [{ from: recentStart, to: recentEnd }, { from: baselineStart, to: recentStart }])));
  const [volume, baseline] = await volumes;
  const recent = { count: volume.count + 1, total: volume.total + s.request.amount };
  return { recent, baseline, ratio: settings.recentMinutes / (settings.baselineHours * 60) };
}

function median(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Compares dotted numeric versions ("0.10.2" > "0.9.9"); a suffix after the numbers ("-e2e") is ignored. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => (v.match(/^\d+(\.\d+)*/)?.[0] ?? '0').split('.').map(Number);
  const x = parts(a);
  const y = parts(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
