// Shared by the browser tests: Debian's Chromium launched headless, a toolbox whose shell is a
// local bash (so a terminal has something to run without Docker), and the teardown order.
import { rm } from 'node:fs/promises';
import { type Browser, chromium } from 'playwright-core';
import type { App } from '../../server/app.js';
import type { CheckResult } from '../../server/checks/evaluate.js';
import { FakeToolboxes } from '../server/sessions/session-manager-fakes.js';

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
