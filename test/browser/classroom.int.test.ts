// A classroom in real Chromium against the real server (fake clusters, a local bash standing in
// for the toolbox): one instructor and three attendees in separate browser contexts. Attendees
// join with the code, progress reaches the dashboard within a second, a raised hand and a
// broadcast arrive, the instructor's shadow terminal shows an attendee's typing, a reset sends the
// attendee back to step 1, and the export downloads. Screenshots of the dashboard go to docs/.
import { mkdir, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../server/app.js';
import { flippableChecks, launchChromium, startBrowserApp, stopAll } from '../support/browser.js';

const ROOT = process.cwd();
const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');
const TOKEN = 'browser-test-instructor-token';
const NAMES = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing'];

/** Checks the test flips (test/support/browser.ts). */
const checks = flippableChecks();

describe('a classroom with one instructor and three attendees in Chromium', () => {
  let dir: string;
  let app: App;
  let base: string;
  let browser: Browser;
  let teacher: Page;
  let teacherContext: BrowserContext;
  const attendees: Page[] = [];
  let code = '';

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kubelab-cls-browser-'));
    ({ app, base } = await startBrowserApp(dir, ['--instructor-token', TOKEN], checks));
    browser = await launchChromium();
    teacherContext = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light', acceptDownloads: true });
    teacher = await teacherContext.newPage();
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 180_000);

  afterAll(() => stopAll({ browser, app, dir }));

  const row = (name: string) => teacher.locator('tr.seat-row', { hasText: name });

  it('signs the instructor in and creates a classroom from the form', async () => {
    await teacher.goto(`${base}/#/instructor`);
    await teacher.fill('#instructor-token', 'not-the-token');
    await teacher.click('button[type=submit]');
    await teacher.locator('.form-status.error', { hasText: 'not the instructor token' }).waitFor();
    await teacher.fill('#instructor-token', TOKEN);
    await teacher.click('button[type=submit]');
    await teacher.fill('#cls-name', 'Kubernetes basics');
    await teacher.selectOption('#cls-lab-picker', 'pods');
    await teacher.fill('#cls-seats', '3');
    await teacher.fill('#cls-prewarm', '0');
    expect(await teacher.locator('.capacity').textContent()).toMatch(/holds about \d+ idle clusters/);
    await teacher.click('.create-form button[type=submit]');
    await teacher.waitForURL(/#\/instructor\/classrooms\/[0-9a-f]{16}$/);
    const shown = (await teacher.locator('.join-code').textContent()) ?? '';
    code = shown.replace('-', '');
    expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    await teacher.locator('.heatmap .empty').waitFor();
    const loaded = await teacher.locator('.join-qr').evaluate((img) => {
      const image = img as unknown as { complete: boolean; naturalWidth: number };
      return image.complete && image.naturalWidth > 0;
    });
    expect(loaded).toBe(true);
  });

  it('lets three attendees join with the code and start the lab; the dashboard lists them', async () => {
    for (const name of NAMES) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      const page = await context.newPage();
      await page.goto(`${base}/join/${code.toLowerCase()}`);
      await page.fill('#join-name', name);
      await page.click('.join-form button[type=submit]');
      await page.waitForURL(/#\/classroom$/);
      await page.locator('.classroom-labs a', { hasText: 'Pods' }).click();
      await page.waitForSelector('.cluster-status[data-state="ready"]');
      await page.waitForSelector('.terminal-pane .xterm-rows');
      await page.locator('.classroom-bar', { hasText: 'Kubernetes basics' }).waitFor();
      attendees.push(page);
    }
    for (const name of NAMES) await row(name).locator('.cluster-dot[data-cluster="ready"]').waitFor();
    expect(await teacher.locator('tr.seat-row').count()).toBe(3);
  });

  it('shows a failing check on the dashboard within a second, and three in a row as stuck', async () => {
    const ada = attendees[0]!;
    const check = ada.getByRole('button', { name: 'Check', exact: true });
    await check.click();
    await ada.locator('.check-row.fail').waitFor();
    const seen = Date.now();
    await row(NAMES[0]!).locator('td.cell[data-state="failing"]').waitFor({ timeout: 1000 });
    expect(Date.now() - seen).toBeLessThan(1000);
    for (let i = 0; i < 2; i++) {
      await check.click();
      await ada.waitForTimeout(300); // Check answers at once with fake clusters; the button re-enables
      await ada.waitForFunction('!document.querySelector(".check-button").disabled');
    }
    await row(NAMES[0]!).locator('.stuck-reason', { hasText: '3 failed checks in a row' }).waitFor({ timeout: 3000 });
    expect(await teacher.locator('.stuck-list li').count()).toBe(1);

    checks.passing = true;
    const grace = attendees[1]!;
    await grace.getByRole('button', { name: 'Check', exact: true }).click();
    await grace.locator('.check-results.passed').waitFor();
    const passedAt = Date.now();
    await row(NAMES[1]!).locator('td.cell[data-state="passed"]').waitFor({ timeout: 1000 });
    expect(Date.now() - passedAt).toBeLessThan(1000);
    await grace.keyboard.press('Alt+ArrowRight');
    await grace.locator('.step-position', { hasText: 'Step 2 of 5' }).waitFor();
    checks.passing = false;
  });

  it('queues a raised hand on the dashboard', async () => {
    await attendees[2]!.getByRole('button', { name: 'Raise hand' }).click();
    await teacher.locator('.hand-queue li', { hasText: NAMES[2]! }).waitFor({ timeout: 2000 });
    await attendees[2]!.getByRole('button', { name: /Hand raised/ }).waitFor();
    await teacher.screenshot({ path: path.join(SCREENSHOTS, 'classroom-dashboard.png') });
  });

  it('broadcasts a message that every attendee sees', async () => {
    await teacher.fill('#broadcast-text', 'Break until 11:00, clusters keep running');
    await teacher.click('.dash-actions .broadcast button[type=submit]');
    for (const page of attendees) await page.locator('.toast', { hasText: 'Break until 11:00' }).waitFor({ timeout: 2000 });
    await attendees[0]!.screenshot({ path: path.join(SCREENSHOTS, 'classroom-attendee.png') });
  });

  it("shows an attendee's typing in the instructor's read-only shadow terminal", async () => {
    await row(NAMES[0]!).locator('.seat-name').click();
    await teacher.locator('.seat-panel .shadow-terminal .xterm-rows').waitFor();
    const ada = attendees[0]!;
    await ada.locator('.terminal-pane .xterm').first().click();
    await ada.keyboard.type('echo shadow-$((20+22))\n');
    await teacher.locator('.seat-panel .shadow-terminal .xterm-rows', { hasText: 'shadow-42' }).waitFor({ timeout: 5000 });
    expect(await teacher.locator('.shadow-note').textContent()).toContain('read-only');
    await teacher.locator('.timeline .tl-check.fail').first().waitFor();
    await teacher.screenshot({ path: path.join(SCREENSHOTS, 'classroom-shadow.png') });
    await teacher.locator('.seat-panel .icon-button[aria-label="Close"]').click();
  });

  it('resets an attendee back to step 1', async () => {
    const grace = attendees[1]!;
    await row(NAMES[1]!).locator('input[type=checkbox]').check();
    teacher.once('dialog', (dialog) => void dialog.accept());
    await teacher.getByRole('button', { name: 'Reset', exact: true }).click();
    await teacher.locator('.dash-toolbar .form-status', { hasText: '1 lab(s) reset' }).waitFor({ timeout: 5000 });
    await grace.locator('.toast', { hasText: 'reset your lab' }).waitFor();
    await grace.locator('.step-position', { hasText: 'Step 1 of 5' }).waitFor({ timeout: 5000 });
  });

  it('downloads the results as CSV', async () => {
    const download = teacher.waitForEvent('download');
    await teacher.locator('.dash-actions a', { hasText: 'Export CSV' }).click();
    const file = await (await download).path();
    const csv = await readFile(file, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('seat,name,lab,step,title,startedAt,passedAt,secondsToPass,attempts,failedAttempts,firstAttemptAt,lastAttemptAt');
    expect(csv).toContain('1,Ada Lovelace,pods,1,');
    expect(csv.split('\r\n').find((l) => l.startsWith('1,Ada Lovelace,pods,1,'))!.split(',').slice(8, 10)).toEqual(['3', '3']);
  });

  it('looks right on a projector, in the dark theme, on cards and in the summary', async () => {
    const projector = await teacherContext.newPage();
    await projector.setViewportSize({ width: 1920, height: 1080 });
    await projector.goto(teacher.url());
    await projector.evaluate("localStorage.setItem('kubelab.fontSize', '18')");
    await projector.reload();
    await projector.locator('tr.seat-row').first().waitFor();
    await projector.screenshot({ path: path.join(SCREENSHOTS, 'classroom-dashboard-projector.png') });
    await projector.getByRole('button', { name: 'Use dark theme' }).click();
    await projector.screenshot({ path: path.join(SCREENSHOTS, 'classroom-dashboard-dark.png') });
    await projector.getByRole('button', { name: 'Use light theme' }).click();
    await projector.close();
    await teacher.locator('.dash-actions a', { hasText: 'Summary' }).click();
    await teacher.locator('.funnel tbody tr').first().waitFor();
    expect(await teacher.locator('.funnel tbody tr').count()).toBe(5);
    await teacher.screenshot({ path: path.join(SCREENSHOTS, 'classroom-summary.png') });
    await teacher.goBack();
    await teacher.locator('.dash-actions a', { hasText: 'Join cards' }).click();
    await teacher.locator('.join-card').first().waitFor();
    expect(await teacher.locator('.join-card').count()).toBe(3);
    await teacher.emulateMedia({ media: 'print' });
    await teacher.screenshot({ path: path.join(SCREENSHOTS, 'classroom-cards-print.png'), fullPage: true });
    await teacher.emulateMedia({ media: 'screen' });
  });
});
