/**
 * The risk configuration: how many points each factor adds when it fires, the
 * parameters that decide when it fires, and the score thresholds that turn
 * points into an outcome. Defaults are safe (a genuine customer paying as
 * usual is never stopped); a JSON file may override any subset, and anything
 * it gets wrong (unknown key, wrong type, negative number) is a typed
 * `RiskConfigError` naming the path, raised before the authorizer starts.
 * docs/authorizer.md explains every key.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';

export interface FactorSettings {
  /** Points added to the score when the factor fires; 0 turns the factor off. */
  points: number;
}

export interface RiskConfig {
  thresholds: {
    /** Customer-side points at which the customer must confirm in the wallet app. */
    stepUp: number;
    /** Acceptance-side (terminal, location, merchant) points at which the payment is accepted but held for review. */
    hold: number;
    /** Total points at which the payment is declined. */
    decline: number;
  };
  stepUp: {
    /** How long the customer has to answer, seconds. */
    ttlSeconds: number;
  };
  compensation: {
    /** Reported payments up to this amount (minor units) are refunded at once; larger ones wait for an operator. */
    autoCreditMax: number;
  };
  factors: {
    'firmware-outdated': FactorSettings & { minimum: string };
    'firmware-changed': FactorSettings;
    'terminal-off-site': FactorSettings;
    'terminal-implausible-speed': FactorSettings & { maxKmh: number; minMeters: number };
    'location-absent': FactorSettings;
    'location-stale': FactorSettings & { maxAgeSeconds: number };
    'location-too-accurate': FactorSettings & { minAccuracyMeters: number };
    'location-jump': FactorSettings & { meters: number; windowMinutes: number };
    'amount-unusual': FactorSettings & { multiple: number; minHistory: number; minAmount: number };
    velocity: FactorSettings & { count: number; windowMinutes: number };
    'impossible-travel': FactorSettings & { maxKmh: number; minKm: number };
    'new-credential': FactorSettings;
    'new-merchant': FactorSettings;
    'merchant-volume-spike': FactorSettings & { multiple: number; recentMinutes: number; baselineHours: number; minBaseline: number; minRecent: number };
    'merchant-amount-shift': FactorSettings & { multiple: number; recentMinutes: number; baselineHours: number; minBaseline: number; minRecent: number };
  };
}

export type FactorName = keyof RiskConfig['factors'];

export const defaultRiskConfig: RiskConfig = {
  thresholds: { stepUp: 40, hold: 40, decline: 100 },
  stepUp: { ttlSeconds: 120 },
  compensation: { autoCreditMax: 10_000 },
  factors: {
    'firmware-outdated': { points: 30, minimum: '0.0.0' },
    'firmware-changed': { points: 10 },
    'terminal-off-site': { points: 40 },
    'terminal-implausible-speed': { points: 40, maxKmh: 60, minMeters: 200 },
    'location-absent': { points: 10 },
    'location-stale': { points: 15, maxAgeSeconds: 60 },
    'location-too-accurate': { points: 30, minAccuracyMeters: 0.5 },
    'location-jump': { points: 40, meters: 1000, windowMinutes: 30 },
    'amount-unusual': { points: 30, multiple: 5, minHistory: 3, minAmount: 2000 },
    velocity: { points: 30, count: 6, windowMinutes: 10 },
    'impossible-travel': { points: 60, maxKmh: 900, minKm: 20 },
    'new-credential': { points: 15 },
    'new-merchant': { points: 5 },
    'merchant-volume-spike': { points: 30, multiple: 4, recentMinutes: 60, baselineHours: 24, minBaseline: 20, minRecent: 10 },
    'merchant-amount-shift': { points: 30, multiple: 3, recentMinutes: 60, baselineHours: 24, minBaseline: 20, minRecent: 3 },
  },
};

export class RiskConfigError extends Error {
  /** Where in the file, such as "factors.velocity.count". */
  readonly path: string;
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = 'RiskConfigError';
    this.path = path;
  }
}

/** Overlays `input` (parsed JSON) on the defaults, checking every key and value against them. */
export function parseRiskConfig(input: unknown): RiskConfig {
  const merged = overlay(defaultRiskConfig, input, 'config') as RiskConfig;
  const minimum = merged.factors['firmware-outdated'].minimum;
  if (!/^\d+\.\d+\.\d+/.test(minimum)) throw new RiskConfigError('config.factors.firmware-outdated.minimum', 'is not a version such as 1.2.0');
  return merged;
}

/** Reads and checks a JSON risk configuration file. */
export function loadRiskConfig(file: string): RiskConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new RiskConfigError(file, `cannot be read: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RiskConfigError(file, `is not JSON: ${(error as Error).message}`);
  }
  return parseRiskConfig(json);
}

/** The file the authorizer reads from its data directory when no other is named. */
export const riskConfigFileName = 'risk.json';

/**
 * The configuration to run with: `file` when given, else `<dataDir>/risk.json`
 * when it exists, else the defaults.
 */
export function riskConfigFor(dataDir: string, file?: string): RiskConfig {
  if (file) return loadRiskConfig(file);
  const inDataDir = join(dataDir, riskConfigFileName);
  return dataDir !== ':memory:' && existsSync(inDataDir) ? loadRiskConfig(inDataDir) : defaultRiskConfig;
}

/** A short fingerprint stored with each assessment, so a decision can be traced to the configuration that made it. */
export function configFingerprint(config: RiskConfig): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 12);
}

function overlay(base: unknown, input: unknown, path: string): unknown {
  if (input === undefined) return base;
  if (typeof base === 'number') {
    if (typeof input !== 'number' || !Number.isFinite(input) || input < 0) throw new RiskConfigError(path, 'must be a number >= 0');
    return input;
  }
  if (typeof base === 'string') {
    if (typeof input !== 'string') throw new RiskConfigError(path, 'must be text');
    return input;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new RiskConfigError(path, 'must be an object');
  const out: Record<string, unknown> = {};
  const baseRecord = base as Record<string, unknown>;
  for (const key of Object.keys(input)) {
    if (!(key in baseRecord)) throw new RiskConfigError(`${path}.${key}`, 'is not a known setting');
  }
  for (const key of Object.keys(baseRecord)) out[key] = overlay(baseRecord[key], (input as Record<string, unknown>)[key], `${path}.${key}`);
  return out;
}
