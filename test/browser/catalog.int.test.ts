// The built browser app in real Chromium against the real server on a random port, with fake
// clusters (as test/server/app.int.test.ts) and a local bash standing in for the toolbox shell:
// the catalog lists the pods lesson, the lab page starts a session, Run types into the terminal,
// Check shows per-condition results, and a passed step opens Next. Screenshots go to docs/.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { type Browser, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../server/app.js';
import { parseConfig } from '../../server/config.js';
import { FakeEnvironments, FakeProvider, FakeToolboxes } from '../server/sessions/session-manager-fakes.js';
import { flippableChecks } from '../support/browser.js';

const READY = { ready: true, docker: { ok: true, detail: 'fake' }, kind: { ok: true, detail: 'fake' }, images: { ok: true, detail: 'fake' } };
const ROOT = process.cwd();
const CLIENT_DIR = path.join(ROOT, 'dist', 'client');
const SCREENSHOTS = path.join(ROOT, 'docs', 'screenshots');

/** The fake toolbox, but its shell is a plain local bash so the terminal has something to run. */
class LocalShellToolboxes extends FakeToolboxes {
  override attach(name: string) {
    return { ...super.attach(name), shellCommand: (): [string, string[]] => ['bash', ['--noprofile', '--norc', '-i']] };
  }
}

/** The fake provider, but creating a cluster waits while the test holds it, to watch start progress. */
class HeldProvider extends FakeProvider {
  private release: (() => void) | undefined;
  private held: Promise<void> | undefined;
  hold(): void {
    this.held = new Promise((resolve) => (this.release = resolve));
  }
  letGo(): void {
    this.release?.();
    this.held = undefined;
  }
  override async create(...args: Parameters<FakeProvider['create']>): ReturnType<FakeProvider['create']> {
    const info = await super.create(...args);
    await this.held;
    return info;
  }
}

/** Checks the test flips (test/support/browser.ts). */
const checks = flippableChecks();

describe('the browser app against the real server', () => {
  let dir: string;
  let app: App;
  let base: string;
  let browser: Browser;
  let page: Page;
  const provider = new HeldProvider();

  beforeAll(async () => {
    execFileSync('npx', ['vite', 'build', '--config', 'client/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    dir = await mkdtemp(path.join(tmpdir(), 'kubelab-browser-'));
    const config = parseConfig(['--data-dir', dir, '--pool-size', '0'], {}, ROOT);
    app = await createApp(config, {
      logger: pino({ level: 'silent' }),
      provider,
      toolboxes: new LocalShellToolboxes(),
      readiness: async () => READY,
      environment: new FakeEnvironments().create,
      checks: checks.create,
      images: { node: 'n', toolbox: 't' },
      clientDir: CLIENT_DIR,
    });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: base });
    page = await context.newPage();
    await mkdir(SCREENSHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('lists the pods lesson as a card with its facts and a filter that hides it', async () => {
    await page.goto(base);
    const card = page.locator('.lab-card[data-slug="pods"]');
    await card.waitFor();
    expect(await card.locator('h3').textContent()).toContain('Pods');
    expect(await card.locator('.badge').textContent()).toBe('lesson');
    expect(await card.locator('.minutes').textContent()).toBe('20 min');
    expect(await card.locator('.lab-card-progress').textContent()).toContain('5 steps');
    await page.fill('#catalog-filter', 'no such topic');
    expect(await card.count()).toBe(0);
    await page.fill('#catalog-filter', 'kubectl');
    await card.waitFor();
    await page.screenshot({ path: path.join(SCREENSHOTS, 'catalog.png') });
  });

  it('opens the lab: step 1, start progress to a ready session, and a live terminal', async () => {
    provider.hold();
    await page.click('.lab-card[data-slug="pods"] a');
    await page.waitForURL(/#\/labs\/pods$/);
    await page.locator('.start-phases li[data-phase="cluster"].current').waitFor();
    expect(await page.locator('.start-phases li.done').textContent()).toBe('Waiting for a free slot');
    expect(await page.locator('.start-detail').textContent()).toMatch(/^creating /);
    expect(await page.getByRole('button', { name: 'Check', exact: true }).isDisabled()).toBe(true);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lab-starting.png') });
    provider.letGo();
    expect(await page.locator('.step-title').textContent()).toBe('Run a pod');
    expect(await page.locator('.step-position').textContent()).toContain('Step 1 of 5');
    const check = page.getByRole('button', { name: 'Check', exact: true });
    await check.waitFor();
    await page.waitForSelector('.cluster-status[data-state="ready"]');
    await page.waitForSelector('.terminal-pane .xterm-rows');
    expect(await check.isEnabled()).toBe(true);
    expect(await page.locator('.step-actions button', { hasText: 'Next' }).isDisabled()).toBe(true);
  });

  it('types a Run block into the terminal and executes it', async () => {
    const run = page.locator('.step-body .code-run').first();
    const command = (await run.getAttribute('data-command')) ?? '';
    expect(command).toContain('kubectl');
    await run.click();
    // bash echoes the command and, without kubectl here, answers "command not found".
    await page.locator('.terminal-pane .xterm-rows', { hasText: command.split('\n')[0]!.slice(0, 30) }).waitFor({ timeout: 10_000 });
  });

  it('copies a code block to the clipboard', async () => {
    const copy = page.locator('.step-body .code-copy').first();
    await copy.click();
    await page.locator('.step-body .code-copy', { hasText: 'Copied' }).waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(await copy.getAttribute('data-command'));
  });

  it('shows failing checks with expected, actual and hint, then opens Next once the step passes', async () => {
    await page.keyboard.press('Control+Enter');
    const failing = page.locator('.check-row.fail');
    await failing.waitFor();
    expect(await failing.locator('.expected-actual').textContent()).toContain('Pod/web');
    expect(await failing.locator('.hint').textContent()).toContain('Run the command');
    expect(await page.locator('.check-summary').textContent()).toBe('1 of 3 checks still failing.');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lab.png') });

    checks.passing = true;
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.locator('.check-results.passed').waitFor();
    const next = page.locator('.step-actions button', { hasText: 'Next' });
    expect(await next.isEnabled()).toBe(true);
    await page.keyboard.press('Alt+ArrowRight');
    await page.locator('.step-position', { hasText: 'Step 2 of 5' }).waitFor();
  });

  it('shows the solution of a passed step and the server refusal for a locked one', async () => {
    await page.keyboard.press('Alt+ArrowLeft');
    await page.locator('.step-position', { hasText: 'Step 1 of 5' }).waitFor();
    await page.getByRole('button', { name: 'Show solution' }).click();
    const solution = page.locator('.solution-output pre').first();
    await solution.waitFor();
    expect(await solution.textContent()).toContain('kubectl run web');
    await page.keyboard.press('Alt+ArrowRight');
    await page.locator('.step-position', { hasText: 'Step 2 of 5' }).waitFor();
    await page.getByRole('button', { name: 'Show solution' }).click();
    await page.locator('.solution-output .notice').waitFor();
    expect(await page.locator('.solution-output .notice').textContent()).toContain('once the step passes');
  });

  it('resets the lab back to step 1 after a confirmation, clearing the results shown', async () => {
    await page.getByRole('button', { name: 'Check', exact: true }).click();
    await page.locator('.check-results').waitFor();
    const dialogs: string[] = [];
    page.once('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    await page.getByRole('button', { name: 'Reset lab' }).click();
    await page.locator('.step-position', { hasText: 'Step 1 of 5' }).waitFor();
    expect(dialogs[0]).toContain('Reset this lab?');
    expect(await page.locator('.check-results').count()).toBe(0);
  });

  it('keeps font size and theme across a reload', async () => {
    await page.getByRole('button', { name: 'Larger text' }).click();
    await page.getByRole('button', { name: 'Use dark theme' }).click();
    await page.reload();
    await page.locator('.step-title').waitFor();
    expect(await page.locator('html').getAttribute('data-theme')).toBe('dark');
    expect(await page.locator('html').getAttribute('style')).toContain('--font-size: 16px');
    await page.waitForSelector('.terminal-pane .xterm-rows');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'lab-dark.png') });
  });
});
