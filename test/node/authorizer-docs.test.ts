/**
 * docs/authorizer.md stays true: its configuration block is exactly the
 * defaults the authorizer runs with, and its factor table names every factor
 * with the right side and default points. Also the configuration loader's
 * refusals.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { defaultRiskConfig, parseRiskConfig, RiskConfigError, type FactorName } from '../../tools/authorizer/domain/risk/config';
import { factorNames, sideOf } from '../../tools/authorizer/domain/risk/factors';
import { ed25519 } from '@noble/curves/ed25519.js';
import { signedBy } from '../../src/authorization/envelope';
import { openWalletMessage, signWalletMessage, type WalletMessage } from '../../src/authorization/wallet-message';

const doc = readFileSync(new URL('../../docs/authorizer.md', import.meta.url), 'utf8');

describe('docs/authorizer.md', () => {
  it('shows the defaults in full, and they parse to what the code uses', () => {
    const block = /The defaults, in full:\n\n```json\n([\s\S]*?)\n```/.exec(doc);
    expect(block).not.toBeNull();
    expect(parseRiskConfig(JSON.parse(block![1]))).toEqual(defaultRiskConfig);
    expect(JSON.parse(block![1])).toEqual(defaultRiskConfig);
  });

  it('has a row per factor with its side and default points', () => {
    const rows = new Map<string, { side: string; points: number }>();
    for (const match of doc.matchAll(/^\| `([a-z-]+)` \| (customer|acceptance) \| (\d+) \|/gm)) rows.set(match[1], { side: match[2], points: Number(match[3]) });
    expect([...rows.keys()].sort()).toEqual([...factorNames].sort());
    for (const name of factorNames) {
      expect(rows.get(name)).toEqual({ side: sideOf(name as FactorName), points: defaultRiskConfig.factors[name].points });
    }
  });
});

describe('docs/authorizer.md wallet message vector', () => {
  it('is what signWalletMessage makes, reads back, and verifies with the stated key', () => {
    const block = /with the note "phone stolen":\n\n```\n([0-9a-f\n]+)```/.exec(doc);
    expect(block).not.toBeNull();
    const vector = Uint8Array.from(Buffer.from(block![1].replace(/\n/g, ''), 'hex'));
    const seed = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
    const message: WalletMessage = {
      action: 'freeze', account: 'a1b2/0c0d0e0f1011', subject: Uint8Array.of(12, 13, 14, 15, 16, 17), signedAt: 1780315200000, note: 'phone stolen',
    };
    expect(signWalletMessage(message, { alg: 'EdDSA', sign: (m) => ed25519.sign(m, seed) })).toEqual(vector);
    const opened = openWalletMessage(vector);
    expect(opened.message).toEqual(message);
    const publicKey = Uint8Array.from(Buffer.from('79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664', 'hex'));
    expect(ed25519.getPublicKey(seed)).toEqual(publicKey);
    expect(signedBy(opened.envelope, { alg: 'EdDSA', publicKey })).toBe(true);
  });
});

describe('risk configuration', () => {
  it('overlays a subset on the defaults', () => {
    const config = parseRiskConfig({ thresholds: { hold: 55 }, factors: { velocity: { count: 12 }, 'new-merchant': { points: 0 } } });
    expect(config.thresholds).toEqual({ ...defaultRiskConfig.thresholds, hold: 55 });
    expect(config.factors.velocity).toEqual({ ...defaultRiskConfig.factors.velocity, count: 12 });
    expect(config.factors['new-merchant'].points).toBe(0);
    expect(config.factors['impossible-travel']).toEqual(defaultRiskConfig.factors['impossible-travel']);
  });

  it('refuses unknown keys, wrong types, negative numbers and bad versions, naming the path', () => {
    const refusal = (input: unknown) => {
      try {
        parseRiskConfig(input);
      } catch (error) {
        expect(error).toBeInstanceOf(RiskConfigError);
        return (error as RiskConfigError).path;
      }
      return 'accepted';
    };
    expect(refusal({ factors: { velocty: { count: 1 } } })).toBe('config.factors.velocty');
    expect(refusal({ thresholds: { stepUp: '40' } })).toBe('config.thresholds.stepUp');
    expect(refusal({ thresholds: { decline: -1 } })).toBe('config.thresholds.decline');
    expect(refusal({ thresholds: { decline: Infinity } })).toBe('config.thresholds.decline');
    expect(refusal({ factors: { 'firmware-outdated': { minimum: 'latest' } } })).toBe('config.factors.firmware-outdated.minimum');
    expect(refusal([])).toBe('config');
    expect(refusal({})).toBe('accepted');
  });
});

describe('docs/authorizer.md payment states', () => {
  it('lists exactly the transitions payment-state.ts allows', async () => {
    const { transitions } = await import('../../tools/authorizer/domain/payment-state');
    const section = doc.slice(doc.indexOf('## Payment states'), doc.indexOf('## Storage'));
    const documented = new Set<string>();
    for (const match of section.matchAll(/^\| `([a-z-]+)` \| (?:`([a-z-]+)`|\(new\)) \| (.+) \|$/gm)) {
      for (const to of match[3].matchAll(/`([a-z-]+)`/g)) documented.add(`${match[1]}:${match[2] ?? 'new'}:${to[1]}`);
    }
    const coded = new Set<string>();
    for (const [cause, byState] of Object.entries(transitions)) {
      for (const [from, tos] of Object.entries(byState)) for (const to of tos ?? []) coded.add(`${cause}:${from}:${to}`);
    }
    expect([...documented].sort()).toEqual([...coded].sort());
  });
});
