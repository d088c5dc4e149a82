// A timed scenario in real Chromium against the real server (fake clusters, a local bash as the
// toolbox shell): the catalog card shows type, time limit and points; the lab page shows the score,
// task chips in any order and the countdown; solving every task shows the results. Screenshots of
// the page at laptop and projector sizes go to docs/screenshots/.
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { flippableChecks, launchChromium, startBrowserApp, stopAll } from '../support/browser.js';

const ROOT = process.cwd();
const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
const checks = flippableChecks();

describe('a timed scenario in the browser', () => {
  let dir: string;
  let app: App;
  let base: string;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kubelab-scenario-'));
    ({ app, base } = await startBrowserApp(dir, [], checks));
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' })).newPage();
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(() => stopAll({ browser, app, dir }));

  it('lists the scenario with its type, time limit and points', async () => {
    await page.goto(base);
    const card = page.locator('.lab-card[data-slug="ckad-practice"]');
    await card.waitFor();
    expect(await card.locator('.badge').textContent()).toBe('timed');
    expect(await card.locator('.minutes').textContent()).toBe('30 min limit');
    expect(await card.locator('.points').textContent()).toBe('62 points');
    expect(await card.locator('.lab-card-progress').textContent()).toContain('8 tasks');
  });

  it('shows score, task chips and the countdown; a task taken out of order scores its points', async () => {
    await page.click('.lab-card[data-slug="ckad-practice"] a');
    await page.waitForSelector('.cluster-status[data-state="ready"]');
    expect(await page.locator('.score-value').textContent()).toBe('0 / 62 points');
    expect(await page.locator('.exam-clock').textContent()).toMatch(/^Time left (29:[0-5]\d|30:00)$/);
    expect(await page.locator('.task-chip').count()).toBe(8);
    await page.locator('.task-chip', { hasText: '5' }).first().click();
    await page.locator('.step-title', { hasText: 'Fix a broken pod' }).waitFor();
    expect(await page.locator('.step-position').textContent()).toBe('Task 5 of 8');
    checks.passing = true;
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.locator('.score-value', { hasText: /^10 \/ 62 points$/ }).waitFor();
    expect(await page.locator('.check-summary').textContent()).toBe('Task 5 passed.');
    expect(await page.locator('.task-chip[data-passed="true"]').count()).toBe(1);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'scenario.png') });
    // A projector: fewer pixels, everything larger.
    await page.setViewportSize({ width: 1024, height: 768 });
    const larger = await page.addStyleTag({ content: ':root { --font-size: 18px; }' });
    await page.screenshot({ path: path.join(SCREENSHOTS, 'scenario-projector.png') });
    await larger.evaluate((node) => (node as unknown as { remove(): void }).remove());
    await page.setViewportSize({ width: 1440, height: 900 });
  });

  it('shows the results with points per task and the time used once every task is solved', async () => {
    const rest = [1, 2, 3, 4, 6, 7, 8];
    for (const [i, n] of rest.entries()) {
      await page.locator('.task-chip').nth(n - 1).click();
      await page.locator('.task-chip[aria-current="step"]', { hasText: String(n) }).waitFor();
      await page.getByRole('button', { name: 'Check', exact: true }).click();
      await expect.poll(() => page.locator('.task-chip[data-passed="true"]').count(), { timeout: 10_000 }).toBe(i + 2);
    }
    await page.locator('.exam-results h2').waitFor();
    expect(await page.locator('.exam-results h2').textContent()).toBe('Results: 62 / 62 points');
    expect(await page.locator('.results-table tbody tr').count()).toBe(8);
    expect(await page.locator('.exam-clock').textContent()).toBe('All tasks solved');
    expect(await page.locator('.exam-results p').textContent()).toMatch(/^Time used: \d+:\d\d of 30:00$/);
    expect(await page.getByRole('button', { name: 'Check', exact: true }).isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'scenario-results.png') });
  });
});
