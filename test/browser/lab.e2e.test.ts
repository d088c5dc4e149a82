// The attendee's path in real Chromium, on a real kind cluster: open the catalog, start the pods
// lab, see the prompt, press Check (fails), click Run on the step's command, press Check (passes),
// reload, and find the terminal output and the progress intact. Screenshot: docs/screenshots/lab.png.
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readVersions } from '../../images/build/targets.js';
import { type App, createApp } from '../../server/app.js';
import { execaRunner } from '../../server/clusters/command.js';
import { KindProvider, findKind } from '../../server/clusters/kind.js';
import { parseConfig } from '../../server/config.js';
import { dockerToolboxHost, probeHost } from '../../server/sessions/session-manager.js';
import { removeOwned } from '../support/session-e2e.js';

const ROOT = process.cwd();

// The server runs under an owner of its own: at start-up it collects every cluster and toolbox of
// its owner that its (fresh) store does not know, so with the default owner it would delete a
// developer's own sessions; and cleaning up by owner leaves everybody else's clusters alone.
const OWNER = 'kubelab-browser-e2e';

describe('a lab in Chromium on a real kind cluster', () => {
  let dir: string;
  let app: App;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    await removeOwned(await KindProvider.create(), 'kubelab-', OWNER); // a previous run killed before its cleanup
    execFileSync('npx', ['vite', 'build', '--config', 'client/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
    dir = await mkdtemp(path.join(tmpdir(), 'kubelab-browser-e2e-'));
    const versions = await readVersions();
    const kind = await findKind();
    const config = parseConfig(['--data-dir', dir, '--pool-size', '0', '--owner', OWNER], {}, ROOT);
    app = await createApp(config, {
      logger: pino({ level: 'silent' }),
      provider: new KindProvider({ kind }),
      toolboxes: dockerToolboxHost(),
      readiness: () => probeHost({ run: execaRunner, kind, images: [versions.node.image, versions.toolbox.image], imagesMode: config.imagesMode }),
      images: { node: versions.node.image, toolbox: versions.toolbox.image },
      clientDir: path.join(ROOT, 'dist', 'client'),
      terminalEnv: Object.fromEntries(['PATH', 'HOME', 'LANG'].flatMap((k) => (process.env[k] ? [[k, process.env[k]]] : []))),
    });
    await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await removeOwned(await KindProvider.create(), 'kubelab-', OWNER);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts the pods lab, runs the step from the page, passes Check, and survives a reload', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, colorScheme: 'light' });
    const page = await context.newPage();
    await page.goto(base);
    await page.click('.lab-card[data-slug="pods"] a');
    const terminal = page.locator('.terminal-pane .xterm-rows');
    await terminal.filter({ hasText: 'learner@kubelab' }).waitFor({ timeout: 300_000 });

    const check = page.getByRole('button', { name: 'Check', exact: true });
    await expect.poll(() => check.isEnabled(), { timeout: 60_000 }).toBe(true);
    await check.click();
    // A failing check keeps retrying through its retryFor window before it reports.
    await page.locator('.check-row.fail').first().waitFor({ timeout: 150_000 });

    await page.locator('.step-body .code-run').first().click();
    await terminal.filter({ hasText: 'pod/web created' }).waitFor({ timeout: 60_000 });
    for (let i = 0; i < 30; i++) {
      await check.click();
      const settled = await Promise.race([
        page.locator('.check-results.passed').waitFor({ timeout: 150_000 }).then(() => 'passed'),
        page.locator('.check-row.fail').first().waitFor({ timeout: 150_000 }).then(() => 'failed'),
      ]);
      if (settled === 'passed') break;
      await page.waitForTimeout(2000);
    }
    await page.locator('.check-results.passed').waitFor({ timeout: 5_000 });
    expect(await page.locator('.step-actions button', { hasText: 'Next' }).isDisabled()).toBe(false);
    await mkdir(path.join(ROOT, 'docs', 'screenshots'), { recursive: true });
    await page.screenshot({ path: path.join(ROOT, 'docs', 'screenshots', 'lab.png') });

    await page.reload();
    await terminal.filter({ hasText: 'pod/web created' }).waitFor({ timeout: 60_000 });
    await page.goto(base);
    await expect.poll(async () => page.locator('.lab-card[data-slug="pods"] .lab-card-progress').textContent(), { timeout: 10_000 }).toMatch(/1 of 5|1\/5/);
    await context.close();
  });
});
