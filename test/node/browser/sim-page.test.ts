/**
 * The browser simulator's page in a real browser: Debian's Chromium, headless,
 * driven by puppeteer-core (never a downloaded browser), against `qrpay sim`'s
 * real components in this process (authorizer and SQLite, terminals on the
 * simulator board, the phone's wallet). Every step fails on any console error,
 * page error or failed request, and leaves a screenshot in a temporary folder.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimServer, type RunningSimServer } from '../../../tools/sim/server';
import { Sim } from '../../../tools/sim/sim';

const chromium = '/usr/bin/chromium';

function chromiumAvailability(): { ok: true } | { ok: false; reason: string } {
  if (existsSync(chromium)) return { ok: true };
  const reason = `no ${chromium}: install Debian's chromium (apt-get install -y chromium, as .ci/run does)`;
  if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
  return { ok: false, reason };
}

const availability = chromiumAvailability();
if (!availability.ok) it.skip(`qrpay sim in Chromium — skipped: ${availability.reason}`, () => undefined);

describe.skipIf(!availability.ok)('qrpay sim in Chromium', () => {
  let sim: Sim;
  let server: RunningSimServer;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];
  const shots = mkdtempSync(join(tmpdir(), 'qrpay-sim-shots-'));
  const profile = mkdtempSync(join(tmpdir(), 'qrpay-sim-chromium-'));

  /** No console error, page error or failed request since the page opened; then a screenshot of the step. */
  async function checkpoint(step: string): Promise<void> {
    await page.screenshot({ path: join(shots, `${step}.png`), fullPage: true });
    expect(problems, `browser problems by step ${step}`).toEqual([]);
  }

  beforeAll(async () => {
    sim = await Sim.start({ terminals: 2 });
    server = await startSimServer(sim, 0);
    browser = await puppeteer.launch({
      executablePath: chromium,
      headless: true,
      userDataDir: profile,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage();
    await page.setViewport({ width: 1600, height: 1100 });
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${(error as Error).message}`));
    page.on('requestfailed', (request) => {
      // The event stream is cut when the test ends; anything else failing is a bug.
      if (!request.url().endsWith('/events')) problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
    });
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForSelector('body[data-connected="yes"]');
    await page.waitForSelector('#terminal-counter .terminal-id:not(:empty)');
    await page.waitForSelector('#terminal-kiosk');
    await checkpoint('0-loaded');
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await sim?.close();
    rmSync(profile, { recursive: true, force: true });
    console.log(`qrpay sim screenshots: ${shots}`);
  });

  it('a payment is approved, and the page shows the relay firing, the scanner\'s view and every stage timed', async () => {
    await page.click('#terminal-counter .charge');
    await page.waitForSelector('#terminal-counter .display-title ::-p-text(SHOW CODE)');
    await page.select('#phone-target', 'counter');
    await page.click('#phone-show');
    await page.waitForSelector('#terminal-counter[data-relay-pulses="1"]', { timeout: 15_000 });
    // The relay's two edges as the page showed them: closed, then opened again after its hold.
    await page.waitForSelector('#log li ::-p-text(counter: relay ON)');
    await page.waitForSelector('#log li ::-p-text(counter: relay pulse, held)');
    expect(await page.$eval('#terminal-counter .relay', (node) => [node.getAttribute('data-state'), node.textContent])).toEqual(['off', 'relay off']);
    const decision = await page.$eval('#terminal-counter .decision', (node) => ({ outcome: node.getAttribute('data-outcome'), text: node.textContent }));
    expect(decision.outcome).toBe('approved');
    expect(decision.text).toContain('relay fired');
    expect(await page.$eval('#terminal-counter .relay-pulses', (node) => node.textContent)).toMatch(/fired 1x, last held (5\d\d|6\d\d) ms/);
    // The frame the scanner read the code from, with its outline (from the scan result) and three finder patterns.
    expect(await page.$eval('#terminal-counter', (node) => node.getAttribute('data-scan'))).toBe('code');
    expect(await page.$eval('#terminal-counter .camera-caption', (node) => node.textContent)).toMatch(/code read: QR version 10, .*; 3 finder pattern/);
    const stages = await page.$$eval('#terminal-counter .stages li', (items) => items.map((li) => [li.getAttribute('data-stage'), li.lastElementChild!.textContent]));
    expect(stages.map(([name]) => name)).toEqual(['scan', 'verify', 'sign', 'send', 'verify decision', 'actuate']);
    for (const [, ms] of stages) expect(ms).toMatch(/^\d+ ms$/);
    expect(await page.$eval('#terminal-counter .display-title', (node) => node.textContent)).toBe('APPROVED');
    await page.waitForSelector('#payments tr[data-outcome="approved"]');
    await page.waitForSelector('#notifications tr[data-channel="wallet-push"][data-kind="payment"]', { timeout: 10_000 });
    await page.waitForSelector('#notifications tr[data-channel="message"][data-kind="payment"]', { timeout: 10_000 });
    await checkpoint('1-approved');
  });

  it('a copied code is declined, with its reason on the page', async () => {
    await page.click('[data-scenario="copied-code"]');
    await page.waitForSelector('#scenario-result[data-scenario="copied-code"][data-state="done"]', { timeout: 20_000 });
    const copy = await page.$eval('#terminal-kiosk .decision', (node) => ({ outcome: node.getAttribute('data-outcome'), reason: node.getAttribute('data-reason'), text: node.textContent }));
    expect(copy).toMatchObject({ outcome: 'declined', reason: 'replayed' });
    expect(copy.text).toContain('DECLINED: replayed');
    expect(await page.$eval('#terminal-kiosk[data-relay-pulses]', (node) => node.getAttribute('data-relay-pulses'))).toBe('0');
    await page.waitForSelector('#payments tr[data-outcome="declined"] td.reason ::-p-text(replayed)');
    await checkpoint('2-copied-code');
  });

  it('a stepped-up payment: the phone asks, the customer confirms, and the factor that fired is shown', async () => {
    await page.click('[data-scenario="step-up"]');
    await page.waitForSelector('#step-up:not([hidden])', { timeout: 20_000 });
    expect(await page.$eval('#step-up-text', (node) => node.textContent)).toContain('Confirm 60.00 EUR');
    expect(await page.$eval('#terminal-counter .display-title', (node) => node.textContent)).toBe('CONFIRM IN APP');
    await checkpoint('3-step-up-asked');
    await page.click('#step-up-confirm');
    await page.waitForSelector('#scenario-result[data-scenario="step-up"][data-state="done"]', { timeout: 20_000 });
    expect(await page.$eval('#terminal-counter .decision', (node) => node.getAttribute('data-outcome'))).toBe('approved');
    // The operator's newest payment: the step-up, confirmed, with the factor that asked for it and its points.
    await page.waitForFunction(`document.querySelector('#payments tbody tr')?.textContent.includes('step-up confirmed')`, { timeout: 5000 });
    expect(await page.$eval('#payments tbody tr [data-factor="amount-unusual"]', (node) => node.textContent)).toBe('amount-unusual +40');
    expect(await page.$eval('#payments tbody tr', (row) => row.textContent)).toContain('60.00 EUR');
    await checkpoint('3-step-up-confirmed');
  });

  it('a freeze from the operator panel declines the next payment', async () => {
    await page.click('#freeze-account');
    await page.waitForSelector('#log li ::-p-text(operator: freeze)', { timeout: 5000 });
    const before = await page.$$eval('#payments tbody tr', (rows) => rows.length);
    await page.click('#terminal-counter .charge');
    await page.waitForSelector('#terminal-counter .display-title ::-p-text(SHOW CODE)');
    await page.click('#phone-show');
    await page.waitForSelector('#terminal-counter .decision[data-outcome="declined"]', { timeout: 15_000 });
    expect(await page.$eval('#terminal-counter .decision', (node) => node.getAttribute('data-reason'))).toBe('frozen');
    await page.waitForFunction(`document.querySelectorAll('#payments tbody tr').length > ${before}`);
    expect(await page.$eval('#payments tbody tr', (row) => row.getAttribute('data-outcome'))).toBe('declined');
    await checkpoint('4-frozen');
  });
});
