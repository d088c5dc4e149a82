// A real LabEnvironment: a kind cluster and the toolbox attached to it. The workspace, setup manifests and
// scripts run in the toolbox as the attendee would run them; reset restores the cluster to the
// snapshot taken when the environment was made, so one cluster serves many lessons in a row.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { CheckSpec } from '../checks/spec.js';
import { resolveLessonFile } from '../lessons/lesson-paths.js';
import type { Setup } from '../lessons/load.js';
import type { LabEnvironment, ProofCheckResult } from '../lessons/prove.js';
import { installWorkspaceScript } from '../lessons/workspace.js';
import type { Toolbox } from '../toolboxes/toolbox.js';
import { type Snapshot, parseSnapshot, resetScript, snapshotScript } from './cluster-reset.js';

/** Evaluates checks against the environment's cluster (the check engine, injected). */
export type CheckEvaluator = (checks: CheckSpec[], options: { retry: boolean }) => Promise<ProofCheckResult[]>;

/** A setup step that failed: which file or script, and what the cluster said. */
export class SetupError extends Error {
  readonly code = 'LAB_SETUP_FAILED';
  constructor(
    readonly what: string,
    readonly output: string,
  ) {
    super(`lab setup failed at ${what}:\n${output.split('\n').slice(-15).join('\n')}`);
  }
}

const SCRIPT_TIMEOUT_MS = 5 * 60_000;

export class ClusterLabEnvironment implements LabEnvironment {
  private constructor(
    private readonly toolbox: Toolbox,
    private readonly evaluate: CheckEvaluator,
    private readonly baseline: Snapshot,
  ) {}

  /** Takes the baseline snapshot; call it on a fresh cluster. */
  static async create(toolbox: Toolbox, evaluate: CheckEvaluator): Promise<ClusterLabEnvironment> {
    const snap = await toolbox.exec(snapshotScript(), { timeoutMs: 60_000 });
    if (snap.exitCode !== 0) throw new SetupError('the baseline snapshot', snap.output);
    return new ClusterLabEnvironment(toolbox, evaluate, parseSnapshot(snap.output));
  }

  async applySetup(setup: Setup, lessonDir: string): Promise<void> {
    if (setup.workspace) {
      const r = await this.toolbox.exec(installWorkspaceScript(setup.workspace), { timeoutMs: 60_000 });
      if (r.exitCode !== 0) throw new SetupError('copying workspace/ into the home directory', r.output);
    }
    for (const manifest of setup.manifests) {
      const resolved = await resolveLessonFile(lessonDir, manifest);
      if ('refused' in resolved) throw new SetupError(manifest, resolved.refused);
      const text = await readFile(resolved.path, 'utf8');
      const r = await this.toolbox.exec(heredoc('kubectl apply -f -', text), { timeoutMs: SCRIPT_TIMEOUT_MS });
      if (r.exitCode !== 0) throw new SetupError(manifest, r.output);
    }
    if (setup.script) {
      const r = await this.toolbox.exec(setup.script, { timeoutMs: SCRIPT_TIMEOUT_MS });
      if (r.exitCode !== 0) throw new SetupError('the setup script', r.output);
    }
  }

  runScript(script: string): Promise<{ exitCode: number; output: string }> {
    return this.toolbox.exec(script, { timeoutMs: SCRIPT_TIMEOUT_MS });
  }

  evaluateChecks(checks: CheckSpec[], options: { retry: boolean }): Promise<ProofCheckResult[]> {
    return this.evaluate(checks, options);
  }

  async reset(): Promise<void> {
    const now = await this.toolbox.exec(snapshotScript(), { timeoutMs: 60_000 });
    if (now.exitCode !== 0) throw new SetupError('reading the cluster before reset', now.output);
    const r = await this.toolbox.exec(resetScript(this.baseline, parseSnapshot(now.output)), { timeoutMs: SCRIPT_TIMEOUT_MS });
    if (r.exitCode !== 0) throw new SetupError('reset', r.output);
    // A lab may have switched the current namespace (`kubectl config set-context --current --namespace=…`).
    const home = await this.toolbox.exec(`${installWorkspaceScript(undefined)}\nkubectl config set-context --current --namespace=default >/dev/null`, { timeoutMs: 60_000 });
    if (home.exitCode !== 0) throw new SetupError('emptying the home directory', home.output);
  }
}

/** `command <<'DELIM' … DELIM` with a delimiter the text cannot contain. */
export function heredoc(command: string, text: string): string {
  const delimiter = `KUBELAB_${randomBytes(8).toString('hex')}`;
  return `${command} <<'${delimiter}'\n${text.endsWith('\n') ? text : `${text}\n`}${delimiter}\n`;
}
