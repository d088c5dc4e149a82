// Shared by the browser tests: Debian's Chromium launched headless, a toolbox whose shell is a
// local bash (so a terminal has something to run without Docker), and the teardown order.
import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pino } from 'pino';
import { type Browser, chromium } from 'playwright-core';
import { type App, type AppDeps, createApp } from '../../server/app.js';
import { parseConfig } from '../../server/config.js';
import type { CheckResult } from '../../server/checks/evaluate.js';
import { FakeEnvironments, FakeProvider, FakeToolboxes } from '../server/sessions/session-manager-fakes.js';

/** A host that passes every readiness probe. */
export const READY = { ready: true, docker: { ok: true, detail: 'fake' }, kind: { ok: true, detail: 'fake' }, images: { ok: true, detail: 'fake' } };

/** Chromium from /usr/bin (npm run setup installs it), headless and quiet. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
}

/** The fake toolbox, but its shell is a plain local bash. */
export class LocalShellToolboxes extends FakeToolboxes {
  override attach(name: string) {
    return { ...super.attach(name), shellCommand: (): [string, string[]] => ['bash', ['--noprofile', '--norc', '-i']] };
  }
}

/** Closes the browser, then the server, then removes the test's folder. */
export async function stopAll(parts: { browser?: Browser | undefined; app?: App | undefined; dir?: string | undefined }): Promise<void> {
  await parts.browser?.close();
  await parts.app?.close();
  if (parts.dir) await rm(parts.dir, { recursive: true, force: true });
}

/** Checks a test flips: all pass while `passing`, else the first fails with expected, actual and a hint like a real one. */
export function flippableChecks() {
  const checks = {
    passing: false,
    create: () => async (specs: readonly { id: string; title: string }[]): Promise<CheckResult[]> =>
      specs.map((s, i) =>
        checks.passing || i > 0
          ? { id: s.id, title: s.title, passed: true, message: 'ok', durationMs: 1, attempts: 1 }
          : { id: s.id, title: s.title, passed: false, message: 'There is no pod named web.', expected: 'Pod/web', actual: 'not found', hint: 'Run the command in the code block above.', durationMs: 1, attempts: 1 },
      ),
  };
  return checks;
}

/**
 * Builds the browser app into `dir`/client (its own folder, so browser test files running in
 * parallel never race one build) and serves it on a random port with fake clusters and a local
 * bash as the toolbox shell. `argv` adds server flags to `--data-dir dir/data --pool-size 0`.
 */
export async function startBrowserApp(dir: string, argv: string[], checks: { create: NonNullable<AppDeps['checks']> }): Promise<{ app: App; base: string }> {
  const clientDir = path.join(dir, 'client');
  execFileSync('npx', ['vite', 'build', '--config', 'client/vite.config.ts', '--logLevel', 'warn', '--outDir', clientDir, '--emptyOutDir'], { cwd: process.cwd(), stdio: 'inherit' });
  const app = await createApp(parseConfig(['--data-dir', path.join(dir, 'data'), '--pool-size', '0', ...argv], {}, process.cwd()), {
    logger: pino({ level: 'silent' }),
    provider: new FakeProvider(),
    toolboxes: new LocalShellToolboxes(),
    readiness: async () => READY,
    environment: new FakeEnvironments().create,
    checks: checks.create,
    images: { node: 'n', toolbox: 't' },
    clientDir,
    terminalEnv: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', HOME: dir },
  });
  await new Promise<void>((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  return { app, base: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}` };
}
